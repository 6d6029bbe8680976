package io.agentflow.bus.runtime;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.Subscription;
import io.agentflow.bus.SubscriptionSpec;
import io.agentflow.bus.SubscriptionStats;
import io.agentflow.bus.observe.BusMetrics;
import io.agentflow.bus.security.LogText;
import io.agentflow.bus.wire.Streams;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * What every subscription shares, whatever its handler: the spec, counts, metrics, the duplicate-id window, the
 * delivery policy, and closing once.
 */
public abstract class SubscriptionLifecycle implements Subscription
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SubscriptionLifecycle.class);

    protected final SubscriptionSpec spec;
    protected final BusConfig config;
    /** How this subscription takes delivery: its concern of {@link #config}. */
    protected final io.agentflow.bus.DeliverySettings deliverySettings;
    /** The ids recently handled: a delivery of one of them is acknowledged, not handled again. */
    protected final RecentUlids handled;
    protected final AtomicBoolean running = new AtomicBoolean(true);
    protected final LongAdder delivered = new LongAdder();
    protected final LongAdder redelivered = new LongAdder();
    protected final LongAdder quarantined = new LongAdder();
    protected final LongAdder duplicates = new LongAdder();
    protected final BusMetrics metrics = BusMetrics.shared();
    /** Around the handler when {@code AF_BUS_HANDLER_BREAKER} is on: see {@link HandlerBreaker}. */
    protected final HandlerBreaker breaker;

    protected SubscriptionLifecycle(final BusConfig config, final SubscriptionSpec spec)
    {
        this.config = config;
        this.deliverySettings = config.delivery();
        this.handled = new RecentUlids(deliverySettings.dedupWindow());
        this.spec = spec;
        this.breaker = HandlerBreaker.of(config, spec.durableName());
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
    protected void countQuarantined(final String reason)
    {
        quarantined.increment();
        metrics.quarantined(reason);
    }

    /** Counts a delivery of a message already handled: it is only acknowledged. */
    protected void countDuplicate()
    {
        duplicates.increment();
        metrics.duplicate();
    }

    /**
     * The delivery policy, one for every subscription kind on both transports: a handler failed on delivery
     * {@code deliveries} of a message; at the last delivery it goes to the quarantine ({@code quarantine} is told
     * why, and what to run once the record is stored), else it comes again after the configured back-off
     * ({@code redeliver} is told the delay). The two callbacks are all a transport supplies. Counted and logged
     * either way, and the handler breaker told.
     */
    protected void handlerFailed(final long deliveries, final String id, final io.agentflow.codec.MessageType type,
        final String subject, final Exception ex, final java.util.function.BiConsumer<String, Runnable> quarantine,
        final java.util.function.Consumer<java.time.Duration> redeliver)
    {
        breaker.failed(ex);
        if (deliveries >= deliverySettings.maxDeliver())
        {
            quarantine.accept("handler failed on delivery " + deliveries + " of " + deliverySettings.maxDeliver()
                + ": " + ex,
                () -> countQuarantined(Streams.MAX_DELIVERIES));
            return;
        }
        metrics.redelivered(type);
        final java.time.Duration delay = deliverySettings.delayAfter(deliveries);
        LOG.info("handler failed message_id={} subject={} delivery={} redelivery_in={}: {}", LogText.safe(id),
            LogText.safe(subject), deliveries, delay, LogText.safe(ex.toString()));
        redeliver.accept(delay);
        redelivered.increment();
    }

    /** @return whether this call closes the subscription (the first one does), having stopped its lag reports. */
    protected boolean beginClose()
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
