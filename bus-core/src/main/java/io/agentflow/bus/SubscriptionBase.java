package io.agentflow.bus;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * What both transports' subscriptions share: their spec, handler shards, the in-flight bound (at most
 * {@code 2 * fetchBatch} messages between arrival and the end of their handling), the window of recently handled
 * ids that turns duplicate deliveries away, counts and metrics.
 */
abstract class SubscriptionBase implements Subscription
{
    final SubscriptionSpec spec;
    final MessageHandler handler;
    final BusConfig config;
    final HandlerShards shards;
    final Semaphore inFlight;
    final AtomicBoolean running = new AtomicBoolean(true);
    final LongAdder delivered = new LongAdder();
    final LongAdder redelivered = new LongAdder();
    final LongAdder quarantined = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final RecentIds handled;
    final BusMetrics metrics = BusMetrics.shared();

    SubscriptionBase(final BusConfig config, final SubscriptionSpec spec, final MessageHandler handler,
        final String threadPrefix)
    {
        this.config = config;
        this.spec = spec;
        this.handler = handler;
        this.shards = new HandlerShards(threadPrefix + spec.durableName(), config.handlerThreads());
        this.inFlight = new Semaphore(config.fetchBatch() * 2);
        this.handled = new RecentIds(config.dedupWindow());
        metrics.subscriptionOpened();
    }

    @Override
    public SubscriptionSpec spec()
    {
        return spec;
    }

    @Override
    public SubscriptionStats stats()
    {
        return new SubscriptionStats(delivered.sum(), redelivered.sum(), quarantined.sum(), duplicates.sum());
    }

    /** @return whether {@code id} was handled already: then the delivery is only counted, and acknowledged. */
    boolean alreadyHandled(final String id)
    {
        if (handled.contains(id))
        {
            duplicates.increment();
            metrics.duplicate();
            return true;
        }
        return false;
    }

    /** @return whether this call closes the subscription (the first one does), having stopped its lag reports. */
    boolean beginClose()
    {
        if (!running.compareAndSet(true, false))
        {
            return false;
        }
        metrics.noLag(spec.durableName());
        metrics.subscriptionClosed();
        return true;
    }
}
