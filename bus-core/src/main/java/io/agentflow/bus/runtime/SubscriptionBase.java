package io.agentflow.bus.runtime;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.MessageHandler;
import io.agentflow.bus.SubscriptionSpec;
import java.util.concurrent.Semaphore;

/**
 * What both transports' {@link MessageHandler} subscriptions share beyond {@link SubscriptionLifecycle}: the
 * handler, its shards, the in-flight bound (at most {@code 2 * fetchBatch} messages between arrival and the end of
 * their handling), and the window of recently handled ids that turns duplicate deliveries away.
 */
public abstract class SubscriptionBase extends SubscriptionLifecycle
{
    protected final MessageHandler handler;
    protected final HandlerShards shards;
    protected final Semaphore inFlight;

    protected SubscriptionBase(final BusConfig config, final SubscriptionSpec spec, final MessageHandler handler,
        final String threadPrefix)
    {
        super(config, spec);
        this.handler = handler;
        this.shards = new HandlerShards(threadPrefix + spec.durableName(), deliverySettings.handlerThreads());
        this.inFlight = new Semaphore(deliverySettings.fetchBatch() * 2);
    }

    /** @return whether {@code id} was handled already: then the delivery is only counted, and acknowledged. */
    protected boolean alreadyHandled(final String id)
    {
        if (handled.contains(id))
        {
            countDuplicate();
            return true;
        }
        return false;
    }
}
