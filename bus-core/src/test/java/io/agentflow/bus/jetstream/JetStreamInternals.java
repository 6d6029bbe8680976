package io.agentflow.bus.jetstream;

import io.agentflow.bus.BusConfig;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerConfiguration;

/**
 * For tests only: the jnats objects under a {@link JetStreamBus}, which its public API does not expose (no public
 * type of ours exposes a jnats type). Tests use them to look at the server as any NATS client would: stream state,
 * raw publishes, consumer settings.
 */
public final class JetStreamInternals
{
    private JetStreamInternals()
    {
    }

    public static Connection connection(final JetStreamBus bus)
    {
        return bus.connection();
    }

    public static JetStream jetStream(final JetStreamBus bus)
    {
        return bus.jetStream();
    }

    public static JetStreamManagement management(final JetStreamBus bus)
    {
        return bus.management();
    }

    /** @return the settings of a durable pull consumer as the bus makes them. */
    public static ConsumerConfiguration durableConsumer(final BusConfig config, final String name, final String filter,
        final int maxAckPending)
    {
        return StreamProvisioner.durableConsumer(config, name, filter, maxAckPending);
    }
}
