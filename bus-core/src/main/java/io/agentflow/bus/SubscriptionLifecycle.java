package io.agentflow.bus;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every subscription shares, whatever its handler: the spec, counts, metrics, and closing once.
 */
abstract class SubscriptionLifecycle implements Subscription
{
    final SubscriptionSpec spec;
    final BusConfig config;
    final AtomicBoolean running = new AtomicBoolean(true);
    final LongAdder delivered = new LongAdder();
    final LongAdder redelivered = new LongAdder();
    final LongAdder quarantined = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final BusMetrics metrics = BusMetrics.shared();

    SubscriptionLifecycle(final BusConfig config, final SubscriptionSpec spec)
    {
        this.config = config;
        this.spec = spec;
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

    /** Counts a message this subscription moved to the quarantine, for {@code reason}. */
    void countQuarantined(final String reason)
    {
        quarantined.increment();
        metrics.quarantined(reason);
    }

    /** Counts a delivery of a message already handled: it is only acknowledged. */
    void countDuplicate()
    {
        duplicates.increment();
        metrics.duplicate();
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
