package io.agentflow.bus.connect;

import io.agentflow.bus.inprocess.InProcessBus;
import io.agentflow.bus.BusConfig;
import io.agentflow.bus.MessageBus;
import io.agentflow.bus.jetstream.JetStreamBus;

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
