package io.agentflow.bus.runtime;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.observe.BusMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The optional circuit breaker around one subscription's handler ({@code AF_BUS_HANDLER_BREAKER=true}), with the
 * publish breaker's thresholds: it opens when that share of the last handlings failed. While it is open, a thread
 * about to call the handler waits instead, so the subscription pauses: nothing is handed to the handler, nak'd,
 * redelivered or counted as a delivery, and what was already fetched stays unacknowledged (the open wait is
 * shorter than the ack wait, checked with the settings). After the open wait a few trial handlings go through
 * ({@code half_open}) and their outcome closes or reopens it. A failing downstream (a model API that is down) thus
 * stops a subscription from burning every message's deliveries into the quarantine. Off, it costs one branch.
 * Thread-safe.
 */
public final class HandlerBreaker
{
    private static final HandlerBreaker OFF = new HandlerBreaker(null);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final CircuitBreaker breaker;

    private HandlerBreaker(final CircuitBreaker breaker)
    {
        this.breaker = breaker;
    }

    /** @return the breaker of {@code consumer}'s handler under {@code config}, or one that always lets through. */
    public static HandlerBreaker of(final BusConfig config, final String consumer)
    {
        if (!config.resilience().handlerBreaker())
        {
            return OFF;
        }
        final var r = config.resilience();
        final CircuitBreaker breaker = CircuitBreaker.of("handler-" + consumer, CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(r.breakerWindow())
            .minimumNumberOfCalls(r.breakerWindow())
            .failureRateThreshold(r.breakerFailureRatePercent())
            .waitDurationInOpenState(r.breakerOpenWait())
            .permittedNumberOfCallsInHalfOpenState(Math.min(3, r.breakerWindow()))
            .automaticTransitionFromOpenToHalfOpenEnabled(true)
            .build());
        final BusMetrics metrics = BusMetrics.shared();
        metrics.handlerBreakerState(consumer, CircuitBreaker.State.CLOSED);
        reportStates(breaker, state -> metrics.handlerBreakerState(consumer, state));
        return new HandlerBreaker(breaker);
    }

    /**
     * Hands {@code gauge} the breaker's state at each transition: the state now, read under a lock, not the event's,
     * since the automatic move to half-open is published from resilience4j's timer thread, which can run late, after
     * another thread has already closed the breaker (a gauge left at half-open was seen once).
     */
    static void reportStates(final CircuitBreaker breaker,
        final java.util.function.Consumer<CircuitBreaker.State> gauge)
    {
        final Object lock = new Object();
        breaker.getEventPublisher().onStateTransition(e ->
        {
            synchronized (lock)
            {
                gauge.accept(breaker.getState());
            }
        });
    }

    /**
     * Waits until the breaker lets a handling through.
     *
     * @return false when {@code running} turned false meanwhile: the caller hands the message back unhandled.
     */
    public boolean await(final AtomicBoolean running)
    {
        if (null == breaker)
        {
            return true;
        }
        while (!breaker.tryAcquirePermission())
        {
            if (!running.get())
            {
                return false;
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return true;
    }

    public void succeeded()
    {
        if (null != breaker)
        {
            breaker.onSuccess(0, TimeUnit.NANOSECONDS);
        }
    }

    public void failed(final Throwable cause)
    {
        if (null != breaker)
        {
            breaker.onError(0, TimeUnit.NANOSECONDS, cause);
        }
    }
}
