package io.agentflow.bus.runtime;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.MessageErrors;
import io.agentflow.bus.PublishAck;
import io.agentflow.bus.observe.BusMetrics;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Retry and circuit breaking around publishing (resilience4j). Each attempt passes the breaker first:
 * <pre>
 *   publish --> retry (exponential back-off with jitter, retryable errors only)
 *                 \--> breaker closed/half_open --> attempt --> ack
 *                      breaker open ------------> transport_error at once ("circuit breaker open"), not retried
 * </pre>
 * A retry publishes the same message, so it keeps its {@code Nats-Msg-Id}: a publish that timed out but was
 * stored is not stored twice (within the duplicate window). Only retryable errors ({@code transport_error},
 * {@code timeout_error}) count as failures for the breaker; bad input does not open it. Every error carries the
 * breaker's state in {@code details().get("breaker_state")}. Thread-safe.
 */
public final class PublishGuard implements AutoCloseable
{
    public static final String BREAKER_STATE = "breaker_state";
    public static final String OPEN = stateName(CircuitBreaker.State.OPEN);
    /**
     * Detail of a refusal that says the broker has the message's id in process but has not stored it (a clustered
     * stream's answer while an earlier publish with the id awaits its commit): retried, and neither a failure nor a
     * success for the breaker.
     */
    public static final String IN_PROCESS = "in_process";

    private final CircuitBreaker breaker;
    private final Retry retry;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
        r -> HandlerShards.daemon(r, "af-publish-retry"));

    public PublishGuard(final BusConfig config, final BusMetrics metrics)
    {
        breaker = CircuitBreaker.of("publish", CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(config.resilience().breakerWindow())
            .minimumNumberOfCalls(config.resilience().breakerWindow())
            .failureRateThreshold(config.resilience().breakerFailureRatePercent())
            .waitDurationInOpenState(config.resilience().breakerOpenWait())
            .permittedNumberOfCallsInHalfOpenState(Math.min(3, config.resilience().breakerWindow()))
            .automaticTransitionFromOpenToHalfOpenEnabled(true)
            .recordException(PublishGuard::isTransient)
            .ignoreException(PublishGuard::isInProcess)
            .build());
        HandlerBreaker.reportStates(breaker, metrics::breakerState);
        retry = Retry.of("publish", RetryConfig.custom()
            .maxAttempts(config.resilience().retryMaxAttempts())
            .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(config.resilience().retryInitialDelay(),
                config.resilience().retryMultiplier(), config.resilience().retryJitter(), config.resilience().retryMaxDelay()))
            .retryOnException(e -> isTransient(e) && !isOpenBreaker(e))
            .build());
    }

    public CompletableFuture<PublishAck> publish(final Supplier<CompletableFuture<PublishAck>> attempt)
    {
        final Supplier<java.util.concurrent.CompletionStage<PublishAck>> guarded = () ->
        {
            if (!breaker.tryAcquirePermission())
            {
                return CompletableFuture.failedFuture(open());
            }
            final long start = System.nanoTime();
            return attempt.get().whenComplete((ack, failure) ->
            {
                if (null == failure)
                {
                    breaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                }
                else
                {
                    breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, MessageErrors.unwrap(failure));
                }
            });
        };
        return retry.executeCompletionStage(scheduler, guarded).toCompletableFuture()
            .exceptionally(failure ->
            {
                final Throwable cause = MessageErrors.unwrap(failure);
                final MessageError error = cause instanceof MessageError ? (MessageError)cause
                    : MessageErrors.from(cause);
                throw null != error.details().get(BREAKER_STATE) ? error
                    : error.withDetail(BREAKER_STATE, stateName(breaker.getState()));
            });
    }

    public CircuitBreaker.State state()
    {
        return breaker.getState();
    }

    /** @return the design's name of a breaker state: {@code closed}, {@code open} or {@code half_open}. */
    public static String stateName(final CircuitBreaker.State state)
    {
        return state.name().toLowerCase(java.util.Locale.ROOT);
    }

    private MessageError open()
    {
        return new MessageError(ErrorCode.TRANSPORT_ERROR, true, "circuit breaker open: recent publishes failed ("
            + breaker.getMetrics().getFailureRate() + "% of the last " + breaker.getMetrics().getNumberOfBufferedCalls()
            + "); failing fast, the breaker tries again by itself", Map.of(BREAKER_STATE, OPEN), null);
    }

    private static boolean isTransient(final Throwable e)
    {
        final Throwable cause = MessageErrors.unwrap(e);
        return cause instanceof MessageError && ((MessageError)cause).retryable();
    }

    private static boolean isInProcess(final Throwable e)
    {
        final Throwable cause = MessageErrors.unwrap(e);
        return cause instanceof MessageError && Boolean.TRUE.equals(((MessageError)cause).details().get(IN_PROCESS));
    }

    private static boolean isOpenBreaker(final Throwable e)
    {
        final Throwable cause = MessageErrors.unwrap(e);
        return cause instanceof MessageError && OPEN.equals(((MessageError)cause).details().get(BREAKER_STATE));
    }

    @Override
    public void close()
    {
        scheduler.shutdownNow();
    }
}
