package io.agentflow.bus;

/**
 * Chooses the transport from the configuration: {@code AF_BUS_URL=embedded:} gives the {@link InProcessBus};
 * anything else connects a {@link JetStreamBus} (which does not provision: see {@link JetStreamBus#provision()}).
 */
public final class MessageBuses
{
    private MessageBuses()
    {
    }

    public static MessageBus connect(final BusConfig config)
    {
        return config.isEmbedded() ? new InProcessBus(config) : JetStreamBus.connect(config);
    }
}
