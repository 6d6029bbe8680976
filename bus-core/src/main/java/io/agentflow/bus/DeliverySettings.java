package io.agentflow.bus;

import java.time.Duration;
import java.util.Map;

import static io.agentflow.bus.SettingsChecks.positive;
import static io.agentflow.bus.SettingsChecks.require;

/**
 * How a subscription takes delivery, on both transports, from {@code AF_BUS_*} variables: how long a delivery may
 * stay unacknowledged before the server sends it again ({@code ackWait}), how many it pulls at once
 * ({@code fetchBatch}; twice that may be in flight), how many deliveries before a message is quarantined
 * ({@code maxDeliver}), how many handler shards ({@code handlerThreads}; 1 runs handlers on the reading thread),
 * the back-off before a failed message is redelivered (doubling from {@code redeliveryDelay} to
 * {@code redeliveryDelayMax}), how many handled ids it remembers to skip duplicates ({@code dedupWindow}, 0: none),
 * and whether a resumed durable lets a predecessor's unacknowledged messages come first ({@code orderedResume}).
 * Checked when made; change one value with the method of its name.
 */
public record DeliverySettings(Duration ackWait, int fetchBatch, int maxDeliver, int handlerThreads,
    Duration redeliveryDelay, Duration redeliveryDelayMax, int dedupWindow, boolean orderedResume)
{
    public static final String ACK_WAIT_ENV = "AF_BUS_ACK_WAIT";
    public static final String FETCH_BATCH_ENV = "AF_BUS_FETCH_BATCH";
    public static final String MAX_DELIVER_ENV = "AF_BUS_MAX_DELIVER";
    public static final String HANDLER_THREADS_ENV = "AF_BUS_HANDLER_THREADS";
    public static final String REDELIVERY_DELAY_ENV = "AF_BUS_REDELIVERY_DELAY";
    public static final String REDELIVERY_DELAY_MAX_ENV = "AF_BUS_REDELIVERY_DELAY_MAX";
    public static final String DEDUP_WINDOW_ENV = "AF_BUS_DEDUP_WINDOW";
    /**
     * true: a subscription that finds messages of its durable consumer awaiting acknowledgement (a crashed
     * predecessor's) waits one ack wait before pulling, so they are redelivered first and per-agent order holds.
     */
    public static final String ORDERED_RESUME_ENV = "AF_BUS_ORDERED_RESUME";

    /** One shard per core (at least 2): more shards than cores only add hand-offs between threads. */
    public static final int HANDLER_THREADS_DEFAULT = Math.max(2, Runtime.getRuntime().availableProcessors());

    /** Ack wait 30 s, batches of 100, 5 deliveries, a shard per core, 1 s doubling to 10 s, 100,000 ids, ordered. */
    public static final DeliverySettings DEFAULT = new DeliverySettings(Duration.ofSeconds(30), 100, 5,
        HANDLER_THREADS_DEFAULT, Duration.ofSeconds(1), Duration.ofSeconds(10), 100_000, true);

    /** @return the defaults overridden by {@code env}. */
    public static DeliverySettings fromEnv(final Map<String, String> env)
    {
        final DeliverySettings d = DEFAULT;
        return new DeliverySettings(
            EnvValues.durationValue(env, ACK_WAIT_ENV, d.ackWait()),
            EnvValues.intValue(env, FETCH_BATCH_ENV, d.fetchBatch()),
            EnvValues.intValue(env, MAX_DELIVER_ENV, d.maxDeliver()),
            EnvValues.intValue(env, HANDLER_THREADS_ENV, d.handlerThreads()),
            EnvValues.durationValue(env, REDELIVERY_DELAY_ENV, d.redeliveryDelay()),
            EnvValues.durationValue(env, REDELIVERY_DELAY_MAX_ENV, d.redeliveryDelayMax()),
            EnvValues.intValue(env, DEDUP_WINDOW_ENV, d.dedupWindow()),
            EnvValues.flag(env, ORDERED_RESUME_ENV, d.orderedResume()));
    }

    public DeliverySettings
    {
        require(positive(ackWait), ACK_WAIT_ENV + " must be positive: " + ackWait);
        require(fetchBatch >= 1 && fetchBatch <= 10_000, FETCH_BATCH_ENV + " must be 1..10000: " + fetchBatch);
        require(maxDeliver >= 1, MAX_DELIVER_ENV + " must be 1 or more: " + maxDeliver);
        require(handlerThreads >= 1 && handlerThreads <= 1024,
            HANDLER_THREADS_ENV + " must be 1..1024: " + handlerThreads);
        require(positive(redeliveryDelay) && positive(redeliveryDelayMax)
                && redeliveryDelay.compareTo(redeliveryDelayMax) <= 0,
            REDELIVERY_DELAY_ENV + "=" + redeliveryDelay + " must be positive and at most "
                + REDELIVERY_DELAY_MAX_ENV + "=" + redeliveryDelayMax);
        require(dedupWindow >= 0 && dedupWindow <= 10_000_000, DEDUP_WINDOW_ENV + " must be 0..10000000: "
            + dedupWindow);
    }

    /** @return the delay before redelivery number {@code deliveryCount + 1}: doubling from the initial delay. */
    public Duration delayAfter(final long deliveryCount)
    {
        final int doublings = (int)Math.min(20, Math.max(0, deliveryCount - 1));
        return Duration.ofMillis(Math.min(redeliveryDelayMax.toMillis(), redeliveryDelay.toMillis() << doublings));
    }

    /** @return whether handlers run on the thread that reads deliveries, with no shard threads. */
    public boolean inline()
    {
        return 1 == handlerThreads;
    }

    public DeliverySettings ackWait(final Duration ackWait)
    {
        return new DeliverySettings(ackWait, fetchBatch, maxDeliver, handlerThreads, redeliveryDelay,
            redeliveryDelayMax, dedupWindow, orderedResume);
    }

    public DeliverySettings fetchBatch(final int fetchBatch)
    {
        return new DeliverySettings(ackWait, fetchBatch, maxDeliver, handlerThreads, redeliveryDelay,
            redeliveryDelayMax, dedupWindow, orderedResume);
    }

    public DeliverySettings maxDeliver(final int maxDeliver)
    {
        return new DeliverySettings(ackWait, fetchBatch, maxDeliver, handlerThreads, redeliveryDelay,
            redeliveryDelayMax, dedupWindow, orderedResume);
    }

    public DeliverySettings handlerThreads(final int handlerThreads)
    {
        return new DeliverySettings(ackWait, fetchBatch, maxDeliver, handlerThreads, redeliveryDelay,
            redeliveryDelayMax, dedupWindow, orderedResume);
    }

    public DeliverySettings redeliveryDelay(final Duration initial, final Duration max)
    {
        return new DeliverySettings(ackWait, fetchBatch, maxDeliver, handlerThreads, initial, max, dedupWindow,
            orderedResume);
    }

    public DeliverySettings dedupWindow(final int dedupWindow)
    {
        return new DeliverySettings(ackWait, fetchBatch, maxDeliver, handlerThreads, redeliveryDelay,
            redeliveryDelayMax, dedupWindow, orderedResume);
    }

    public DeliverySettings orderedResume(final boolean orderedResume)
    {
        return new DeliverySettings(ackWait, fetchBatch, maxDeliver, handlerThreads, redeliveryDelay,
            redeliveryDelayMax, dedupWindow, orderedResume);
    }
}
