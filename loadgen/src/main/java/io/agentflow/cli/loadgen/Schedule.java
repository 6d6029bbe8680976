package io.agentflow.cli.loadgen;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A fixed-rate schedule: flow {@code f} is intended to start at {@code startNanos + f * periodNanos}, whatever
 * happened to earlier flows. A sender that falls behind sends at once, but latency is still measured from the
 * intended time, so a stall is charged to every flow it delayed (the correction for coordinated omission that
 * HdrHistogram's documentation describes) instead of hiding behind a slower sending rate.
 */
final class Schedule
{
    private final long startNanos;
    private final double periodNanos;
    private final long flows;
    private final LongSupplier clock;

    Schedule(final long startNanos, final double flowsPerSecond, final long flows, final LongSupplier clock)
    {
        if (!(flowsPerSecond > 0))
        {
            throw new IllegalArgumentException("flows per second must be positive: " + flowsPerSecond);
        }
        this.startNanos = startNanos;
        this.periodNanos = 1e9 / flowsPerSecond;
        this.flows = flows;
        this.clock = clock;
    }

    long flows()
    {
        return flows;
    }

    /** @return how many flows were due to start by {@code nowNanos}. */
    long dueBy(final long nowNanos)
    {
        return nowNanos < startNanos ? 0 : Math.min(flows, (long)((nowNanos - startNanos) / periodNanos) + 1);
    }

    long intendedNanos(final long flow)
    {
        return startNanos + (long)(flow * periodNanos);
    }

    /** @return the latency of an event at {@code nowNanos} for a flow intended at {@code intendedNanos}. */
    static long latencyNanos(final long intendedNanos, final long nowNanos)
    {
        return Math.max(0, nowNanos - intendedNanos);
    }

    /**
     * Waits until {@code flow}'s intended time (parking, not spinning, so an idle run leaves the cores alone).
     *
     * @return the intended time.
     */
    long awaitTurn(final long flow)
    {
        final long intended = intendedNanos(flow);
        long now;
        while ((now = clock.getAsLong()) < intended)
        {
            LockSupport.parkNanos(Math.min(intended - now, 1_000_000));
        }
        return intended;
    }
}
