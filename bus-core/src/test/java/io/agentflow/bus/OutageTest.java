package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.testsupport.Await;
import io.agentflow.testsupport.NatsTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * While the connection is down, a publish fails at once with a retryable transport_error rather than waiting in a
 * reconnect buffer (the choice documented in docs/bus.md).
 */
@Timeout(60)
class OutageTest
{
    @Test
    void shouldFailPublishesFastWhileDisconnected() throws Exception
    {
        final NatsTestServer server = NatsTestServer.start();
        final BusConfig config = TestConfigs.of(server).maxReconnect(60).reconnectWait(Duration.ofMillis(500)).conclude();
        try (JetStreamBus bus = JetStreamBus.connect(config))
        {
            bus.provision();
            bus.publishAndWait("agents.outage.in", TestMessage.to("outage", 0));
            server.close();
            Await.until(Duration.ofSeconds(10), () -> io.nats.client.Connection.Status.CONNECTED
                != JetStreamInternals.connection(bus).getStatus(), () -> "the client to notice the server is gone");

            final long start = System.nanoTime();
            final CompletionException e = assertThrows(CompletionException.class,
                () -> bus.publish("agents.outage.in", TestMessage.to("outage", 1)).join());
            final long elapsedMs = (System.nanoTime() - start) / 1_000_000;

            final MessageError error = (MessageError)e.getCause();
            assertEquals(ErrorCode.TRANSPORT_ERROR, error.code());
            assertTrue(error.retryable());
            assertTrue(error.getMessage().contains("not connected"), error.getMessage());
            assertTrue(elapsedMs < config.publishTimeout().toMillis(), "failed fast, not by time-out: " + elapsedMs);
        }
    }
}
