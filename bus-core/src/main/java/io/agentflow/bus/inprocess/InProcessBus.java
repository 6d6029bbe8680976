package io.agentflow.bus.inprocess;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.Delivery;
import io.agentflow.bus.EnvelopeHandler;
import io.agentflow.bus.MessageBus;
import io.agentflow.bus.MessageErrors;
import io.agentflow.bus.MessageHandler;
import io.agentflow.bus.PublishAck;
import io.agentflow.bus.ReplayListener;
import io.agentflow.bus.ReplayReport;
import io.agentflow.bus.Subscription;
import io.agentflow.bus.SubscriptionSpec;
import io.agentflow.bus.observe.AuditLog;
import io.agentflow.bus.observe.BusMetrics;
import io.agentflow.bus.observe.BusTracing;
import io.agentflow.bus.observe.MessageLog;
import io.agentflow.bus.runtime.LazyPipeline;
import io.agentflow.bus.runtime.MessagePublish;
import io.agentflow.bus.security.ChainVerifier;
import io.agentflow.bus.security.LogText;
import io.agentflow.bus.wire.Streams;
import io.agentflow.bus.wire.SubjectPattern;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.Message;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link MessageBus} inside one JVM: the default when no NATS server is around, and the fastest path between
 * agents of one host. It keeps the semantics of the JetStream transport: the same streams and subjects (wildcards
 * included), de-duplication by message id within the duplicate window, durable consumers (for the life of the
 * process), at-least-once delivery with delayed redelivery when a handler throws and quarantine after the
 * maximum deliveries, per-agent order, and replay over the retained messages.
 * <p>
 * Retention follows each stream's limits (age, bytes), with bytes capped at {@link BusConfig#embeddedMaxBytes()}
 * per stream since it is all in memory. Nothing survives the process.
 * <p>
 * Verification is on by default: every delivery to a {@link MessageHandler} decodes and verifies the stored wire
 * bytes exactly as a NATS receiver would; the allocation-free {@link EnvelopeHandler} path checks the SHA-256 of
 * bytes this process encoded (canonical and within the contract by construction) and fully decodes any other.
 * {@code AF_BUS_EMBEDDED_VERIFY=false} switches it off for a trusted hop inside one process: the handler then gets
 * the publisher's immutable {@link Message} instance, which was validated when it was built and cannot have changed
 * since. Thread-safe.
 */
public final class InProcessBus implements MessageBus
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InProcessBus.class);

    private final BusConfig config;
    private final List<InProcessStream> streams;
    private final InProcessStream quarantine;
    private final Map<String, StreamCursor> durables = new ConcurrentHashMap<>();
    private final Map<String, Subscription> active = new ConcurrentHashMap<>();
    private final BusTracing tracing;
    private final LazyPipeline pipeline;   // the claim path, which publish(Message) rides on too
    private final WorkflowIndex workflowIndex;   // null unless AF_BUS_WORKFLOW_INDEX

    public InProcessBus(final BusConfig config)
    {
        this.config = config.conclude();
        this.tracing = new BusTracing(config.tracing(), config.openTelemetry());
        this.pipeline = new LazyPipeline(() -> new io.agentflow.bus.pipeline.PublishPipeline(config.pipelineSettings(),
            new InProcessOutbound(this)));
        final long cap = config.embeddedMaxBytes();
        // the wait strategies that keep stages spinning keep the readers spinning (in process the pipeline's stages
        // run on the publishers' threads); not the quarantine's: refused messages are rare, and a reader spinning
        // there would burn a core for nothing
        final boolean spin = List.of("yielding", "busy-spin").contains(this.config.waitStrategy());
        final List<InProcessStream> made = new java.util.ArrayList<>();
        for (final Streams.Descriptor d : Streams.ALL)
        {
            // the quarantine's reader never spins: refused messages are rare
            made.add(new InProcessStream(d.name(), d.subjects(), d.maxAge(), Math.min(cap, d.maxBytes()),
                spin && !Streams.QUARANTINE.equals(d.name())));
        }
        streams = List.copyOf(made);
        workflowIndex = this.config.workflowIndex() ? new WorkflowIndex(this.config.receiveLimits()) : null;
        quarantine = made.get(Streams.NAMES.indexOf(Streams.QUARANTINE));
    }

    @Override
    public CompletableFuture<PublishAck> publish(final String subject, final Message message)
    {
        try
        {
            Subjects.checkPublishSubject(subject);
        }
        catch (final MessageError ex)
        {
            BusMetrics.shared().publishFailed(message.type(), ex.code());
            return CompletableFuture.failedFuture(ex);
        }
        // the claim path: validated, encoded once into the slot, copied into the stream's segment, on this thread
        return MessagePublish.publish(pipeline, subject, message, tracing, e -> e);
    }

    /**
     * Stores bytes as they are, without encoding: what a bridge from another transport would do. Delivery verifies
     * them like any other message (tests use it to inject tampered bytes).
     */
    public PublishAck publishWire(final String subject, final byte[] wire)
    {
        Subjects.checkPublishSubject(subject);
        final InProcessStream stream = streamFor(subject);
        return new PublishAck(stream.name(), indexed(stream, subject, wire, 0, wire.length,
            stream.append(subject, wire, 0, wire.length, null, false)), false);
    }

    /** Stores {@code wire[0, length)} (a copy) as bytes this process encoded; @return the stream sequence. */
    public long appendWire(final String subject, final byte[] wire, final int length)
    {
        final InProcessStream stream = streamOfPublishSubject(subject);
        return indexed(stream, subject, wire, 0, length, stream.append(subject, wire, 0, length, null, true));
    }

    /**
     * Records a message just stored at {@code sequence} (negative: a duplicate, not stored) in the workflow index
     * when this bus keeps one; @return {@code sequence}.
     */
    long indexed(final InProcessStream stream, final String subject, final byte[] wire, final int offset,
        final int length, final long sequence)
    {
        if (null != workflowIndex && sequence > 0 && Streams.MESSAGES.equals(stream.name()))
        {
            workflowIndex.record(subject, wire, offset, length, sequence, stream.first);
        }
        return sequence;
    }

    /** @return the stream storing {@code subject}, checked as a publish subject (also for tests' inspection). */
    public InProcessStream streamOfPublishSubject(final String subject)
    {
        Subjects.checkPublishSubject(subject);
        return streamFor(subject);
    }

    @Override
    public io.agentflow.bus.pipeline.PublishPipeline pipeline()
    {
        return pipeline.get();
    }

    @Override
    public Subscription subscribe(final SubscriptionSpec spec, final MessageHandler handler)
    {
        final InProcessStream stream = streamFor(probeSubject(spec.filterSubject()));
        final InProcessSubscription subscription = new InProcessSubscription(this, stream, cursorOf(spec, stream), spec,
            handler);
        activate(spec, subscription);
        subscription.start();
        return subscription;
    }

    /**
     * The allocation-free way to consume: the same durable subscription, but the handler reads each verified
     * envelope in place through a reused flyweight instead of receiving a new {@link Message}
     * (see {@link EnvelopeSubscription}; over JetStream, {@link JetStreamEnvelopeSubscription}).
     */
    @Override
    public Subscription subscribe(final SubscriptionSpec spec, final EnvelopeHandler handler)
    {
        final InProcessStream stream = streamFor(probeSubject(spec.filterSubject()));
        final EnvelopeSubscription subscription = new EnvelopeSubscription(this, stream, cursorOf(spec, stream), spec,
            handler);
        activate(spec, subscription);
        subscription.start();
        return subscription;
    }

    private StreamCursor cursorOf(final SubscriptionSpec spec, final InProcessStream stream)
    {
        return durables.computeIfAbsent(spec.durableName(),
            name -> new StreamCursor(SubscriptionSpec.StartPosition.NEW == spec.start()
                ? stream.nextSequence() : 1));
    }

    private void activate(final SubscriptionSpec spec, final Subscription subscription)
    {
        if (null != active.putIfAbsent(spec.durableName(), subscription))
        {
            subscription.close();
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, "durable_name",
                "consumer " + spec.durableName() + " already has an active subscriber in this process");
        }
    }

    @Override
    public ReplayReport replay(final String workflowId, final Instant since, final ReplayListener listener)
    {
        final InProcessStream stream = streamFor(Subjects.workflowIn(workflowId));
        // with the index: exactly the workflow's messages, on any subject; without: a scan of its own subjects
        final long[] indexed = null == workflowIndex ? null : workflowIndex.sequences(workflowId);
        final List<StoredMessage> stored = stream.snapshot(indexed,
            null == indexed ? new SubjectPattern(Subjects.workflowAll(workflowId)) : null);
        final long examined = null == indexed ? stream.nextSequence() - stream.first : indexed.length;
        final long sinceMicros = since.getEpochSecond() * 1_000_000L + since.getNano() / 1_000;
        final EnvelopeDecoder decoder = new EnvelopeDecoder(config.receiveLimits());
        final List<ReplayReport.Failure> failures = new ArrayList<>();
        final ChainVerifier chains = new ChainVerifier(!since.isAfter(Instant.EPOCH));   // from the start: chains begin at 1
        long read = 0;
        long verified = 0;
        for (final StoredMessage s : stored)
        {
            if (s.storedAtEpochMicros() < sinceMicros)
            {
                continue;
            }
            read++;
            try
            {
                final Message m = decoder.decode(s.buffer(), s.offset(), s.length());
                verified++;
                chains.accept(m, s.sequence());
                listener.onMessage(m, new Delivery(s.subject(), s.sequence(), 1));
            }
            catch (final MessageError e)
            {
                final Object id = e.details().get("id");
                failures.add(new ReplayReport.Failure(s.sequence(), s.subject(), e.code().wireName(),
                    id instanceof String ? (String)id : "-", e.getMessage()));
            }
        }
        return new ReplayReport(read, verified, failures, chains.finish(), examined);
    }

    @Override
    public BusConfig config()
    {
        return config;
    }

    /** @return the quarantined records for tests and tools: reason (subject suffix) and original bytes. */
    public List<StoredMessage> quarantined()
    {
        return quarantine.snapshot(null, new SubjectPattern("quarantine.*"));
    }

    void quarantine(final String reason, final byte[] original)
    {
        quarantine.append(Subjects.quarantine(reason), original, 0, original.length, null, false);
    }

    /**
     * A stored message that failed verification: audited, counted as refused, its original bytes quarantined, and
     * logged; both in-process subscriptions refuse this way (they count it themselves).
     */
    void refuse(final MessageError e, final StoredMessage s)
    {
        BusMetrics.shared().refused(e.code());
        AuditLog.refused(e, s.subject());
        quarantine(e.code().wireName(), s.bytes());
        final String id = e.details().get("id") instanceof String ? LogText.safe((String)e.details().get("id")) : null;
        try (MessageLog.Scope ignored = MessageLog.openUnreadable(id))
        {
            LOG.warn("quarantined message_id={} subject={} sequence={} reason={} detail={}", null == id ? "-" : id,
                LogText.safe(s.subject()), s.sequence(), e.code().wireName(), LogText.safe(e.getMessage()));
        }
    }

    /** A stored message whose handler failed on its last allowed delivery: quarantined and logged. */
    void quarantineAfterMaxDeliveries(final StoredMessage s, final String messageId, final String why)
    {
        quarantine(Streams.MAX_DELIVERIES, s.bytes());
        LOG.warn("quarantined message_id={} subject={} reason=max_deliveries: {}", LogText.safe(messageId),
            LogText.safe(s.subject()), LogText.safe(why));
    }

    BusTracing tracing()
    {
        return tracing;
    }

    void removed(final Subscription subscription)
    {
        active.remove(subscription.spec().durableName(), subscription);
    }

    @Override
    public void close()
    {
        pipeline.close();   // every committed publish completes first
        for (final Subscription s : active.values())
        {
            s.close();
        }
    }

    private InProcessStream streamFor(final String subject)
    {
        for (final InProcessStream s : streams)
        {
            if (s.stores(subject))
            {
                return s;
            }
        }
        throw MessageErrors.transport("no stream stores subject " + subject, null);
    }

    /** A concrete subject a filter matches, to find its stream: wildcards become a placeholder token. */
    private static String probeSubject(final String filter)
    {
        return filter.replace(">", "x").replace("*", "x");
    }
}
