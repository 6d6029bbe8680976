package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.codec.error.MessageError;
import io.nats.client.Options;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keep-alive and buffer settings (issue 22) reach the connection; unset, they are jnats' own defaults. */
class ConnectionTuningTest extends ProvisionedServerTest
{
    @Test
    void theSettingsReachTheConnection()
    {
        final Map<String, String> env = new HashMap<>(Map.of(BusConfig.URL_ENV, server.url(),
            ConnectionTuning.PING_INTERVAL_ENV, "5s", ConnectionTuning.MAX_PINGS_OUT_ENV, "3",
            ConnectionTuning.BUFFER_SIZE_ENV, "131072", ConnectionTuning.SOCKET_SEND_BUFFER_ENV, "262144",
            ConnectionTuning.SOCKET_RECEIVE_BUFFER_ENV, "262144"));
        try (JetStreamBus tuned = JetStreamBus.connect(BusConfig.fromEnv(env)))
        {
            final Options o = JetStreamInternals.connection(tuned).getOptions();
            assertEquals(Duration.ofSeconds(5), o.getPingInterval());
            assertEquals(3, o.getMaxPingsOut());
            assertEquals(131072, o.getBufferSize());
            assertEquals(262144, o.getSendBufferSize());
            assertEquals(262144, o.getReceiveBufferSize());
            assertTrue(tuned.publishAndWait("agents.tuned.in", TestMessage.to("tuned", 1)).sequence() > 0,
                "and it carries messages");
        }
        final Options plain = JetStreamInternals.connection(bus).getOptions();
        assertEquals(Options.DEFAULT_PING_INTERVAL, plain.getPingInterval());
        assertEquals(Options.DEFAULT_BUFFER_SIZE, plain.getBufferSize());
        assertEquals(Options.DEFAULT_PING_INTERVAL, ConnectionTuning.DEFAULT.pingInterval(), "jnats' own defaults");
        assertEquals(Options.DEFAULT_MAX_PINGS_OUT, ConnectionTuning.DEFAULT.maxPingsOut());
        assertEquals(Options.DEFAULT_BUFFER_SIZE, ConnectionTuning.DEFAULT.bufferSize());
    }

    @Test
    void badValuesAreRefusedNamingTheVariable()
    {
        final MessageError e = assertThrows(MessageError.class, () -> BusConfig.fromEnv(Map.of(
            ConnectionTuning.MAX_PINGS_OUT_ENV, "0")));
        assertTrue(e.getMessage().contains(ConnectionTuning.MAX_PINGS_OUT_ENV), e.getMessage());
    }
}
