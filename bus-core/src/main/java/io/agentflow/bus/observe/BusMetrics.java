package io.agentflow.bus.observe;

import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.MessageType;
import io.agentflow.codec.Timestamps;
import io.agentflow.codec.error.ErrorCode;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The bus's Prometheus metrics (client_java), shared by both transports:
 * <pre>
 *   agentflow_messages_total{message_type, status}          published, publish_failed, delivered (handed to a
 *                                                           handler, each delivery), redelivered
 *   agentflow_message_latency_seconds{message_type, subject} message ts to handler start (producer's clock)
 *   agentflow_hash_verifications_total{status}              valid, hash_mismatch, invalid
 *   agentflow_publish_errors_total{code}                    by MessageError code
 *   agentflow_duplicate_deliveries_total                    handled ids delivered again, skipped
 *   agentflow_quarantined_total{reason}                     hash_mismatch, ..., max_deliveries
 *   agentflow_publish_in_flight                             publishes awaiting acks
 *   agentflow_consumer_lag{consumer}                        stored messages the consumer has not received yet
 *   agentflow_circuit_breaker_state                         publish breaker: 0 closed, 1 open, 2 half-open
 *   agentflow_handler_breaker_state{consumer}               handler breaker, when on: the same values
 * </pre>
 * Label values are bounded: {@code subject} is the pattern ({@code agents.*.in}), never a raw id. Counters for
 * every type and status are resolved when this is built, so counting a message is an increment on a handle, not a
 * label lookup; latency handles are cached per (type, pattern), a set of a few dozen. No exemplars: this library
 * installs no Prometheus span-context bridge, so they would carry no trace id, yet sampling them costs clock reads
 * per observation and a timer task per sample on the client's scheduler thread, a wake-up that on a 2-core host
 * preempts a pipeline or reader thread (the traces are in OpenTelemetry, joined by the envelope's ids). Thread-safe.
 */
public final class BusMetrics
{
    private static final String[] STATUSES = {"published", "publish_failed", "delivered", "redelivered"};
    private final Counter duplicates;
    private static final int PUBLISHED = 0;
    private static final int PUBLISH_FAILED = 1;
    private static final int DELIVERED = 2;
    private static final int REDELIVERED = 3;
    private static final double[] LATENCY_BOUNDS_SECONDS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    private static final BusMetrics SHARED = new BusMetrics(PrometheusRegistry.defaultRegistry);   // after the above

    private final Histogram latency;
    private final Counter publishErrors;
    private final Counter quarantined;
    private final Gauge inFlight;
    private final Gauge breakerState;
    private final Gauge handlerBreakerState;
    private final Gauge subscriptionsOpen;
    private final CounterDataPoint[][] messages;
    private final CounterDataPoint valid;
    private final CounterDataPoint hashMismatch;
    private final CounterDataPoint invalid;
    private final Map<String, DistributionDataPoint>[] latencyByPattern;
    private final Map<String, LongSupplier> lags = new ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    public BusMetrics(final PrometheusRegistry registry)
    {
        final Counter messagesTotal = Counter.builder().name("agentflow_messages_total")
            .help("Messages by type and outcome").labelNames("message_type", "status").withoutExemplars()
            .register(registry);
        latency = Histogram.builder().name("agentflow_message_latency_seconds")
            .help("From the message's ts to the start of its handler").labelNames("message_type", "subject")
            .classicOnly().classicUpperBounds(LATENCY_BOUNDS_SECONDS).withoutExemplars().register(registry);
        final Counter verifications = Counter.builder().name("agentflow_hash_verifications_total")
            .help("Verifications of received messages by outcome").labelNames("status").withoutExemplars()
            .register(registry);
        duplicates = Counter.builder().name("agentflow_duplicate_deliveries_total")
            .help("Deliveries of an already handled message id, acknowledged without the handler").withoutExemplars()
            .register(registry);
        publishErrors = Counter.builder().name("agentflow_publish_errors_total")
            .help("Failed publishes by error code").labelNames("code").withoutExemplars().register(registry);
        quarantined = Counter.builder().name("agentflow_quarantined_total")
            .help("Messages refused and kept in the quarantine, by reason").labelNames("reason").withoutExemplars()
            .register(registry);
        inFlight = Gauge.builder().name("agentflow_publish_in_flight")
            .help("Publishes awaiting the broker's acknowledgement").register(registry);
        breakerState = Gauge.builder().name("agentflow_circuit_breaker_state")
            .help("The publish circuit breaker: 0 closed, 1 open, 2 half-open").register(registry);
        handlerBreakerState = Gauge.builder().name("agentflow_handler_breaker_state")
            .help("A subscription's handler breaker (AF_BUS_HANDLER_BREAKER): 0 closed, 1 open (paused), 2 half-open")
            .labelNames("consumer").register(registry);
        subscriptionsOpen = Gauge.builder().name("agentflow_subscriptions_open")
            .help("Subscriptions started and not yet closed, on every bus of this process").register(registry);
        GaugeWithCallback.builder().name("agentflow_consumer_lag")
            .help("Stored messages a subscribed consumer has not received yet, read at scrape time")
            .labelNames("consumer")
            .callback(callback -> lags.forEach((consumer, lag) ->
            {
                final long value = lag.getAsLong();
                if (value >= 0)   // unknown (the broker did not answer): no sample rather than a wrong one
                {
                    callback.call(value, consumer);
                }
            }))
            .register(registry);

        final MessageType[] types = MessageType.values();
        messages = new CounterDataPoint[types.length][STATUSES.length];
        latencyByPattern = new Map[types.length];
        for (final MessageType t : types)
        {
            for (int s = 0; s < STATUSES.length; s++)
            {
                messages[t.ordinal()][s] = messagesTotal.labelValues(t.wireName(), STATUSES[s]);
            }
            latencyByPattern[t.ordinal()] = new ConcurrentHashMap<>();
        }
        valid = verifications.labelValues("valid");
        hashMismatch = verifications.labelValues("hash_mismatch");
        invalid = verifications.labelValues("invalid");
        for (final ErrorCode code : ErrorCode.values())
        {
            publishErrors.labelValues(code.wireName());   // present at 0 from the start
        }
    }

    /** @return the metrics on the default registry, which {@code --metrics-port} serves. */
    public static BusMetrics shared()
    {
        return SHARED;
    }

    public void subscriptionOpened()
    {
        subscriptionsOpen.inc();
    }

    public void subscriptionClosed()
    {
        subscriptionsOpen.dec();
    }

    public void published(final MessageType type)
    {
        messages[type.ordinal()][PUBLISHED].inc();
    }

    public void publishFailed(final MessageType type, final ErrorCode code)
    {
        messages[type.ordinal()][PUBLISH_FAILED].inc();
        publishErrors.labelValues(code.wireName()).inc();
    }

    public void verified()
    {
        valid.inc();
    }

    public void refused(final ErrorCode code)
    {
        (ErrorCode.HASH_MISMATCH == code ? hashMismatch : invalid).inc();
    }

    public void quarantined(final String reason)
    {
        quarantined.labelValues(reason).inc();
    }

    public void delivered(final MessageType type, final String subject, final long tsMicros)
    {
        messages[type.ordinal()][DELIVERED].inc();
        final String pattern = Subjects.pattern(subject);
        final Map<String, DistributionDataPoint> byPattern = latencyByPattern[type.ordinal()];
        DistributionDataPoint point = byPattern.get(pattern);   // a plain get first: the capturing lambda allocates
        if (null == point)
        {
            point = byPattern.computeIfAbsent(pattern, p -> latency.labelValues(type.wireName(), p));
        }
        point.observe(Math.max(0, Timestamps.nowMicros() - tsMicros) / 1e6);
    }

    public void duplicate()
    {
        duplicates.inc();
    }

    public void redelivered(final MessageType type)
    {
        messages[type.ordinal()][REDELIVERED].inc();
    }

    /** Reports {@code consumer}'s lag while it is subscribed; the supplier returns -1 when it cannot tell. */
    public void lag(final String consumer, final LongSupplier lag)
    {
        lags.put(consumer, lag);
    }

    public void noLag(final String consumer)
    {
        lags.remove(consumer);
    }

    public void breakerState(final io.github.resilience4j.circuitbreaker.CircuitBreaker.State state)
    {
        breakerState.set(stateValue(state));
    }

    public void handlerBreakerState(final String consumer,
        final io.github.resilience4j.circuitbreaker.CircuitBreaker.State state)
    {
        handlerBreakerState.labelValues(consumer).set(stateValue(state));
    }

    /** A breaker's state as one number over time: 0 closed, 1 open, 2 half-open. */
    private static int stateValue(final io.github.resilience4j.circuitbreaker.CircuitBreaker.State state)
    {
        return io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN == state ? 1
            : io.github.resilience4j.circuitbreaker.CircuitBreaker.State.HALF_OPEN == state ? 2 : 0;
    }

    public void inFlight(final int delta)
    {
        inFlight.inc(delta);
    }
}
