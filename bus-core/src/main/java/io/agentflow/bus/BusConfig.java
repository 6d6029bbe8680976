package io.agentflow.bus;

import io.agentflow.bus.security.Signatures;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.time.Duration;
import java.util.Map;

import static io.agentflow.bus.SettingsChecks.positive;

/**
 * Configuration of a bus: one context object, filled from the environment by {@link #fromEnv()} and checked by
 * {@link #conclude()}, which rejects bad combinations naming both values. Each variable's name sits beside its
 * default. Durations accept {@code 250ms}, {@code 2s}, {@code 1m}, {@code 1h} or ISO-8601 ({@code PT2S}).
 * <p>
 * A transport URL of {@code embedded:} selects the in-process transport; anything else is a NATS
 * server list ({@code nats://host:4222,nats://other:4222}). Not thread-safe while being built; read-only after.
 */
public final class BusConfig
{
    public static final String URL_ENV = "AF_BUS_URL";
    public static final String URL_DEFAULT = "nats://localhost:4222";
    /** The NATS tools' own variable (natscli, nats.go's examples): used when {@value #URL_ENV} is not set. */
    public static final String NATS_URL_ENV = "NATS_URL";
    public static final String MAX_RECONNECT_ENV = "AF_BUS_MAX_RECONNECT";
    public static final int MAX_RECONNECT_DEFAULT = 10;
    public static final String RECONNECT_WAIT_ENV = "AF_BUS_RECONNECT_WAIT";
    public static final Duration RECONNECT_WAIT_DEFAULT = Duration.ofSeconds(2);
    public static final String MAX_IN_FLIGHT_ENV = "AF_BUS_MAX_IN_FLIGHT";
    public static final int MAX_IN_FLIGHT_DEFAULT = 1000;
    /** 0 means: 1 on a single server, 3 when the server reports a cluster. */
    public static final String REPLICAS_ENV = "AF_BUS_REPLICAS";
    public static final int REPLICAS_DEFAULT = 0;
    public static final String PUBLISH_TIMEOUT_ENV = "AF_BUS_PUBLISH_TIMEOUT";
    public static final Duration PUBLISH_TIMEOUT_DEFAULT = Duration.ofSeconds(5);

    public static final String EMBEDDED_MAX_BYTES_ENV = "AF_BUS_EMBEDDED_MAX_BYTES";
    public static final long EMBEDDED_MAX_BYTES_DEFAULT = 256L * 1024 * 1024;
    /** false switches the tracing layer off entirely: no spans, headers from the envelope's ids only. */
    public static final String TRACING_ENV = "AF_BUS_TRACING";
    /** How in-process readers and handler shards wait for work: blocking (default:
     * idle costs no CPU), sleeping, yielding or busy-spin (lowest latency, a core each, always). */
    public static final String WAIT_STRATEGY_ENV = "AF_BUS_WAIT_STRATEGY";
    public static final String WAIT_STRATEGY_DEFAULT = "blocking";
    /** When every slot of the publish ring awaits its ack: wait up to the publish time-out, or fail at once. */
    public static final String RING_FULL_ENV = "AF_BUS_RING_FULL";
    /** Received messages larger than this are refused (serialization_error) and quarantined. */
    public static final String MAX_MESSAGE_BYTES_ENV = "AF_BUS_MAX_MESSAGE_BYTES";
    public static final int MAX_MESSAGE_BYTES_DEFAULT = io.agentflow.codec.json.JsonLimits.MAX_BYTES_DEFAULT;
    public static final String EMBEDDED_VERIFY_ENV = "AF_BUS_EMBEDDED_VERIFY";
    public static final boolean EMBEDDED_VERIFY_DEFAULT = true;
    /** true: this bus indexes workflow messages sent on agent subjects, so replay finds them (docs/bus.md). */
    public static final String WORKFLOW_INDEX_ENV = "AF_BUS_WORKFLOW_INDEX";

    private String url = URL_DEFAULT;
    private int maxReconnect = MAX_RECONNECT_DEFAULT;
    private Duration reconnectWait = RECONNECT_WAIT_DEFAULT;
    private int maxInFlight = MAX_IN_FLIGHT_DEFAULT;
    private int replicas = REPLICAS_DEFAULT;
    private Duration publishTimeout = PUBLISH_TIMEOUT_DEFAULT;
    private long embeddedMaxBytes = EMBEDDED_MAX_BYTES_DEFAULT;
    private boolean embeddedVerify = EMBEDDED_VERIFY_DEFAULT;
    private int maxMessageBytes = MAX_MESSAGE_BYTES_DEFAULT;
    private String waitStrategy = WAIT_STRATEGY_DEFAULT;
    private boolean ringWaitWhenFull = true;
    private io.opentelemetry.api.OpenTelemetry openTelemetry;
    private boolean tracing = true;
    private boolean workflowIndex;
    private BusSecurity security = BusSecurity.NONE;
    private ConnectionTuning tuning = ConnectionTuning.DEFAULT;
    private DeliverySettings delivery = DeliverySettings.DEFAULT;
    private ResilienceSettings resilience = ResilienceSettings.DEFAULT;
    private Signatures signatures = Signatures.NONE;

    /** @return defaults overridden by the process environment, concluded. */
    public static BusConfig fromEnv()
    {
        return fromEnv(System.getenv());
    }

    /** @return defaults overridden by {@code env}, concluded. */
    public static BusConfig fromEnv(final Map<String, String> env)
    {
        final BusConfig c = new BusConfig();
        c.url = env.getOrDefault(URL_ENV, env.getOrDefault(NATS_URL_ENV, URL_DEFAULT));
        c.maxReconnect = EnvValues.intValue(env, MAX_RECONNECT_ENV, MAX_RECONNECT_DEFAULT);
        c.reconnectWait = EnvValues.durationValue(env, RECONNECT_WAIT_ENV, RECONNECT_WAIT_DEFAULT);
        c.maxInFlight = EnvValues.intValue(env, MAX_IN_FLIGHT_ENV, MAX_IN_FLIGHT_DEFAULT);
        c.replicas = EnvValues.intValue(env, REPLICAS_ENV, REPLICAS_DEFAULT);
        c.publishTimeout = EnvValues.durationValue(env, PUBLISH_TIMEOUT_ENV, PUBLISH_TIMEOUT_DEFAULT);
        c.embeddedMaxBytes = EnvValues.longValue(env, EMBEDDED_MAX_BYTES_ENV, EMBEDDED_MAX_BYTES_DEFAULT);
        c.embeddedVerify = EnvValues.flag(env, EMBEDDED_VERIFY_ENV, EMBEDDED_VERIFY_DEFAULT);
        c.tracing = EnvValues.flag(env, TRACING_ENV, true);
        c.security = BusSecurity.fromEnv(env);
        c.tuning = ConnectionTuning.fromEnv(env);
        c.maxMessageBytes = EnvValues.intValue(env, MAX_MESSAGE_BYTES_ENV, MAX_MESSAGE_BYTES_DEFAULT);
        c.waitStrategy = env.getOrDefault(WAIT_STRATEGY_ENV, WAIT_STRATEGY_DEFAULT).trim();
        final String ringFull = env.getOrDefault(RING_FULL_ENV, "wait").trim();
        require("wait".equals(ringFull) || "fail".equals(ringFull), RING_FULL_ENV + " must be wait or fail: "
            + ringFull);
        c.ringWaitWhenFull = "wait".equals(ringFull);
        c.signatures = Signatures.fromEnv(env);
        c.delivery = DeliverySettings.fromEnv(env);
        c.resilience = ResilienceSettings.fromEnv(env);
        c.workflowIndex = EnvValues.flag(env, WORKFLOW_INDEX_ENV, false);
        return c.conclude();
    }

    /**
     * Checks every value and their combinations.
     *
     * @return this.
     * @throws MessageError {@code validation_error} naming the values at fault.
     */
    public BusConfig conclude()
    {
        require(null != url && !url.isBlank(), URL_ENV + " must not be empty");
        require(maxReconnect >= -1, MAX_RECONNECT_ENV + " must be -1 (forever) or more: " + maxReconnect);
        require(positive(reconnectWait), RECONNECT_WAIT_ENV + " must be positive: " + reconnectWait);
        require(null != delivery, "delivery must not be null (use DeliverySettings.DEFAULT)");
        require(!resilience.handlerBreaker() || resilience.breakerOpenWait().compareTo(delivery.ackWait()) < 0,
            "with " + ResilienceSettings.HANDLER_BREAKER_ENV + " the breaker's open wait must be shorter than "
                + DeliverySettings.ACK_WAIT_ENV + " (messages held while it is open would be redelivered): " + resilience);
        require(maxInFlight >= 1, MAX_IN_FLIGHT_ENV + " must be 1 or more: " + maxInFlight);
        require(replicas >= 0 && replicas <= 5, REPLICAS_ENV + " must be 0 (auto) to 5: " + replicas);
        require(positive(publishTimeout), PUBLISH_TIMEOUT_ENV + " must be positive: " + publishTimeout);
        require(embeddedMaxBytes >= 1024 * 1024, EMBEDDED_MAX_BYTES_ENV + " must be 1 MiB or more: "
            + embeddedMaxBytes);
        require(java.util.List.of("blocking", "sleeping", "yielding", "busy-spin").contains(waitStrategy),
            WAIT_STRATEGY_ENV + " must be blocking, sleeping, yielding or busy-spin: " + waitStrategy);
        require(maxMessageBytes >= 1024, MAX_MESSAGE_BYTES_ENV + " must be 1024 or more: " + maxMessageBytes);
        require(null != security && null != signatures && null != tuning,
            "security, signatures and tuning must not be null (use NONE, NONE, DEFAULT)");
        security.check();
        security.checkUrl(url, URL_ENV);
        return this;
    }

    public boolean isEmbedded()
    {
        return url.startsWith("embedded:");
    }

    public String url()
    {
        return url;
    }

    public BusConfig url(final String url)
    {
        this.url = url;
        return this;
    }

    public int maxReconnect()
    {
        return maxReconnect;
    }

    public BusConfig maxReconnect(final int maxReconnect)
    {
        this.maxReconnect = maxReconnect;
        return this;
    }

    public Duration reconnectWait()
    {
        return reconnectWait;
    }

    public BusConfig reconnectWait(final Duration reconnectWait)
    {
        this.reconnectWait = reconnectWait;
        return this;
    }

    public int maxInFlight()
    {
        return maxInFlight;
    }

    public BusConfig maxInFlight(final int maxInFlight)
    {
        this.maxInFlight = maxInFlight;
        return this;
    }

    public int replicas()
    {
        return replicas;
    }

    public BusConfig replicas(final int replicas)
    {
        this.replicas = replicas;
        return this;
    }

    public Duration publishTimeout()
    {
        return publishTimeout;
    }

    public BusConfig publishTimeout(final Duration publishTimeout)
    {
        this.publishTimeout = publishTimeout;
        return this;
    }

    public long embeddedMaxBytes()
    {
        return embeddedMaxBytes;
    }

    public BusConfig embeddedMaxBytes(final long embeddedMaxBytes)
    {
        this.embeddedMaxBytes = embeddedMaxBytes;
        return this;
    }

    /** @return whether in-process deliveries verify the stored bytes (default), or hand over the instance. */
    public boolean embeddedVerify()
    {
        return embeddedVerify;
    }

    public BusConfig embeddedVerify(final boolean embeddedVerify)
    {
        this.embeddedVerify = embeddedVerify;
        return this;
    }

    /** @return the OpenTelemetry to trace with: the one given, else the global one (a no-op without an SDK). */
    public io.opentelemetry.api.OpenTelemetry openTelemetry()
    {
        return null != openTelemetry ? openTelemetry : io.opentelemetry.api.GlobalOpenTelemetry.get();
    }

    public BusConfig openTelemetry(final io.opentelemetry.api.OpenTelemetry openTelemetry)
    {
        this.openTelemetry = openTelemetry;
        return this;
    }

    /** @return the connection's keep-alive and buffer settings. */
    public ConnectionTuning tuning()
    {
        return tuning;
    }

    public BusConfig tuning(final ConnectionTuning tuning)
    {
        this.tuning = tuning;
        return this;
    }

    /** @return authentication and TLS for NATS: see {@link BusSecurity}. */
    public BusSecurity security()
    {
        return security;
    }

    public BusConfig security(final BusSecurity security)
    {
        this.security = security;
        return this;
    }

    public String waitStrategy()
    {
        return waitStrategy;
    }

    /** @return the publish pipeline's own settings, taken from these. */
    public io.agentflow.bus.pipeline.PipelineSettings pipelineSettings()
    {
        return new io.agentflow.bus.pipeline.PipelineSettings(maxInFlight, ringWaitWhenFull, publishTimeout);
    }

    /** @param strategy blocking, sleeping, yielding or busy-spin; @param waitWhenFull false: fail fast. */
    public BusConfig pipeline(final String strategy, final boolean waitWhenFull)
    {
        this.waitStrategy = strategy;
        this.ringWaitWhenFull = waitWhenFull;
        return this;
    }

    /** @return the decoder limits of received messages: {@link #MAX_MESSAGE_BYTES_ENV}, the codec's depth. */
    public io.agentflow.codec.json.JsonLimits receiveLimits()
    {
        return new io.agentflow.codec.json.JsonLimits(maxMessageBytes, io.agentflow.codec.json.JsonLimits.MAX_DEPTH_DEFAULT);
    }

    public BusConfig maxMessageBytes(final int maxMessageBytes)
    {
        this.maxMessageBytes = maxMessageBytes;
        return this;
    }

    /** @return signing of outgoing messages and the receive policy: see {@link Signatures}. */
    public Signatures signatures()
    {
        return signatures;
    }

    public BusConfig signatures(final Signatures signatures)
    {
        this.signatures = signatures;
        return this;
    }

    /** @return how subscriptions take delivery: see {@link DeliverySettings}. */
    public DeliverySettings delivery()
    {
        return delivery;
    }

    /** Changes the delivery settings, e.g. {@code config.delivery(d -> d.ackWait(Duration.ofSeconds(5)))}. */
    public BusConfig delivery(final java.util.function.UnaryOperator<DeliverySettings> change)
    {
        this.delivery = change.apply(delivery);
        return this;
    }

    /** @return the retry policy, the circuit breaker of publishing and whether one guards handling. */
    public ResilienceSettings resilience()
    {
        return resilience;
    }

    public BusConfig resilience(final ResilienceSettings resilience)
    {
        this.resilience = resilience;
        return this;
    }

    /** Circuit breaker: opens when {@code failureRatePercent} of the last {@code window} publishes failed. */
    public BusConfig breaker(final int failureRatePercent, final int window, final Duration openWait)
    {
        this.resilience = resilience.breaker(failureRatePercent, window, openWait);
        return this;
    }

    /** @return whether this bus keeps the workflow index of messages on agent subjects ({@value #WORKFLOW_INDEX_ENV}). */
    public boolean workflowIndex()
    {
        return workflowIndex;
    }

    public BusConfig workflowIndex(final boolean workflowIndex)
    {
        this.workflowIndex = workflowIndex;
        return this;
    }

    /** @return whether the tracing layer runs (default); with an SDK absent it costs next to nothing anyway. */
    public boolean tracing()
    {
        return tracing;
    }

    public BusConfig tracing(final boolean tracing)
    {
        this.tracing = tracing;
        return this;
    }

    @Override
    public String toString()
    {
        return "BusConfig{url=" + BusSecurity.redact(url) + ", maxReconnect=" + maxReconnect + ", reconnectWait=" + reconnectWait
            + ", maxInFlight=" + maxInFlight + ", replicas=" + replicas + ", publishTimeout=" + publishTimeout
            + ", " + delivery + "}";
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw MessageError.of(ErrorCode.VALIDATION_ERROR, "invalid bus configuration: " + message);
        }
    }
}
