package io.agentflow.bus.observe;

import io.agentflow.bus.wire.MessageHeaders;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;

import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One trace across every hop, following the OpenTelemetry messaging conventions: publishing opens a PRODUCER span,
 * handling a CONSUMER span whose parent is the producer's. The context travels twice and both agree: in W3C
 * {@code traceparent}/{@code tracestate} headers (so any instrumented NATS client continues the trace) and in the
 * envelope's {@code trace_id}/{@code span_id}, which are part of the hashed content. A message without headers but
 * with envelope ids (another client, the in-process transport) still continues its trace; the envelope carries no
 * sampling flag, so such a parent counts as sampled.
 * <p>
 * The library uses the OpenTelemetry API only; with no SDK installed every span is a no-op and messages pass
 * through unchanged. Thread-safe.
 */
public final class BusTracing
{
    private static final io.opentelemetry.api.common.AttributeKey<Long> BODY_SIZE =
        io.opentelemetry.api.common.AttributeKey.longKey("messaging.message.body.size");
    private static final io.opentelemetry.api.common.AttributeKey<String> CONSUMER_GROUP =
        io.opentelemetry.api.common.AttributeKey.stringKey("messaging.consumer.group.name");
    private static final io.opentelemetry.api.common.AttributeKey<String> ERROR_TYPE =
        io.opentelemetry.api.common.AttributeKey.stringKey("error.type");

    static final String INSTRUMENTATION = "io.agentflow.bus";

    // the W3C propagator reads traceparent and tracestate by name; it never lists the keys
    private static final TextMapGetter<MessageHeaders> HEADERS = new TextMapGetter<>()
    {
        @Override
        public Iterable<String> keys(final MessageHeaders carrier)
        {
            return Collections.emptySet();
        }

        @Override
        public String get(final MessageHeaders carrier, final String key)
        {
            return null == carrier ? null : carrier.get(key);
        }
    };

    private final boolean enabled;
    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final Map<String, String> publishNames = new ConcurrentHashMap<>();
    private final Map<String, String> processNames = new ConcurrentHashMap<>();

    /** @param openTelemetry the SDK to trace with when {@code enabled} ({@code AF_BUS_TRACING}). */
    public BusTracing(final boolean enabled, final OpenTelemetry openTelemetry)
    {
        this.enabled = enabled;
        this.tracer = (enabled ? openTelemetry : OpenTelemetry.noop()).getTracer(INSTRUMENTATION);
        // W3C on the wire whatever the application configured: the contract names traceparent/tracestate
        this.propagator = W3CTraceContextPropagator.getInstance();
    }

    /**
     * A started PRODUCER span and the trace ids the stored envelope carries: the span's when it has ids, else the
     * message's own. Nothing is rebuilt or hashed here: the publish encodes the envelope once, with these ids.
     */
    public record Publish(Span span, String traceId, String spanId, boolean sampled)
    {
        public void end(final Throwable failure)
        {
            if (null != failure)
            {
                failed(span, failure);
            }
            span.end();
        }

        /** Records the size of the stored envelope, known once it is encoded. */
        public void bodySize(final int bytes)
        {
            setBodySize(span, bytes);
        }
    }

    /** Opens the PRODUCER span, as a child of the current span, else of the trace the message already carries. */
    public Publish startPublish(final String subject, final Message message)
    {
        if (!enabled)
        {
            return new Publish(Span.getInvalid(), message.traceId(), message.spanId(), true);
        }
        Context parent = Context.current();
        if (!Span.fromContext(parent).getSpanContext().isValid() && !message.traceId().isEmpty())
        {
            parent = parent.with(Span.wrap(envelopeContext(message)));
        }
        final String pattern = Subjects.pattern(subject);
        final Span span = start(publishNames.computeIfAbsent(pattern, p -> "publish " + p),
            SpanKind.PRODUCER, parent, subject, pattern, message, "send", "publish");
        final SpanContext ids = span.getSpanContext();
        return ids.isValid() ? new Publish(span, ids.getTraceId(), ids.getSpanId(), ids.isSampled())
            : new Publish(span, message.traceId(), message.spanId(), true);
    }

    /**
     * Runs the handler inside a CONSUMER span whose parent comes from the headers, else from the envelope, with the
     * message's ids in the log context ({@link MessageLog}).
     */
    public void process(final String subject, final String consumer, final int bodySize, final Message message,
        final MessageHeaders headers, final Handling handling)
        throws Exception
    {
        if (!enabled)
        {
            try (MessageLog.Scope ignored = MessageLog.open(message, message.to()))
            {
                handling.run();
            }
            return;
        }
        Context parent = propagator.extract(Context.root(), headers, HEADERS);
        if (!Span.fromContext(parent).getSpanContext().isValid() && !message.traceId().isEmpty())
        {
            parent = Context.root().with(Span.wrap(envelopeContext(message)));
        }
        final String pattern = Subjects.pattern(subject);
        final Span span = start(processNames.computeIfAbsent(pattern, p -> "process " + p),
            SpanKind.CONSUMER, parent, subject, pattern, message, "process", "process");
        span.setAttribute(CONSUMER_GROUP, consumer);
        setBodySize(span, bodySize);
        final SpanContext ids = span.getSpanContext();
        try (Scope ignored = span.makeCurrent();
            MessageLog.Scope logScope = ids.isValid()
                ? MessageLog.open(message, message.to(), ids.getTraceId(), ids.getSpanId())
                : MessageLog.open(message, message.to()))
        {
            handling.run();
        }
        catch (final Exception ex)
        {
            span.recordException(ex);
            failed(span, ex);
            throw ex;
        }
        finally
        {
            span.end();
        }
    }

    /** Only on a span that records: the attribute API boxes the size, on every publish when no SDK is installed. */
    private static void setBodySize(final Span span, final int bytes)
    {
        if (span.isRecording())
        {
            span.setAttribute(BODY_SIZE, bytes);
        }
    }

    /**
     * Marks a failed span: error status, and {@code error.type}, the {@code MessageError} code (e.g.
     * {@code timeout_error}) or else the exception's class, as the conventions ask.
     */
    private static void failed(final Span span, final Throwable failure)
    {
        span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
        span.setAttribute(ERROR_TYPE, failure instanceof io.agentflow.codec.error.MessageError e ? e.code().wireName()
            : failure.getClass().getName());
    }

    /** Starts a span with the messaging conventions' attributes. */
    private Span start(final String name, final SpanKind kind, final Context parent, final String subject,
        final String pattern, final Message message, final String operationType, final String operationName)
    {
        return tracer.spanBuilder(name)
            .setSpanKind(kind)
            .setParent(parent)
            .setAttribute("messaging.system", "nats")
            .setAttribute("messaging.destination.name", subject)
            .setAttribute("messaging.destination.template", pattern)
            .setAttribute("messaging.operation.type", operationType)
            .setAttribute("messaging.operation.name", operationName)
            .setAttribute("messaging.message.id", message.id())
            .startSpan();
    }

    /** The work done inside a CONSUMER span. */
    @FunctionalInterface
    public interface Handling
    {
        void run() throws Exception;
    }

    private static SpanContext envelopeContext(final Message message)
    {
        return SpanContext.createFromRemoteParent(message.traceId(), message.spanId(), TraceFlags.getSampled(),
            TraceState.getDefault());
    }
}
