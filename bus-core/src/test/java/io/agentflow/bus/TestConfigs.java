package io.agentflow.bus;

import io.agentflow.testsupport.NatsTestServer;

import java.time.Duration;

/** Bus settings for the tests: short delays, so that redeliveries and fault recovery fit in a test's time. */
public final class TestConfigs
{
    /** Below NATS' 1 MB max_payload, so that the tests can store an oversized message. */
    public static final int MAX_MESSAGE_BYTES = 256 * 1024;

    private TestConfigs()
    {
    }

    /** @return a configuration for {@code server}: 5 s ack wait and publish time-out, 3 deliveries 100-400 ms apart. */
    public static BusConfig of(final NatsTestServer server)
    {
        return new BusConfig()
            .url(server.url())
            .maxReconnect(0)
            .publishTimeout(Duration.ofSeconds(5))
            .delivery(d -> d.ackWait(Duration.ofSeconds(5)).maxDeliver(3)
                .redeliveryDelay(Duration.ofMillis(100), Duration.ofMillis(400)))
            .maxMessageBytes(MAX_MESSAGE_BYTES)
            .conclude();
    }
}
