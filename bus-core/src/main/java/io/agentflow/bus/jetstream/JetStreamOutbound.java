package io.agentflow.bus.jetstream;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.MessageErrors;
import io.agentflow.bus.observe.BusMetrics;
import io.agentflow.bus.pipeline.PipelineSink;
import io.agentflow.bus.pipeline.PublishEvent;
import io.agentflow.bus.runtime.HandlerShards;
import io.agentflow.bus.runtime.PublishGuard;
import io.agentflow.bus.security.Signatures;
import io.agentflow.bus.wire.Streams;
import io.agentflow.codec.EnvelopeEncoder;
import io.agentflow.codec.error.MessageError;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.impl.Headers;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The pipeline's edge to NATS: on the publisher's thread, a core publish of the slot's bytes to the stream's subject
 * with a reply subject of the slot's own, which is how JetStream acknowledges; the acks are read by one jnats
 * dispatcher on {@code <inbox>.>}, which completes each slot's publish as its ack arrives. This is what jnats'
 * {@code publishAsync} does underneath, without what it adds per message: a new inbox String, a future and its map
 * entry, a time-out task and a JSON tree of the ack. One hop from the reader to the ack thread, as there.
 * <p>
 * Each slot's reply subject is {@code <inbox>.<slot>.<generation>}, made once; the generation moves on only when a
 * slot's ack timed out, so an ack arriving after its publisher was told "time-out" cannot be taken for the slot's
 * next publish. A slot's pending event is registered before its bytes leave, and taken by exactly one of its ack
 * and its time-out (a compare-and-set), which a sweep every {@link #SWEEP_MILLIS} ms finds.
 * <p>
 * Before sending, the contract's transport rules: a subject the server recently refused to this connection fails
 * with a permission error at once (as {@code publish(Message)} does), and with {@code AF_BUS_SIGNING_*} set the
 * envelope hash is signed into the headers. jnats keeps the body array until its writer has sent it, and the slot
 * is reused only after the ack, so the slot's exact-length array is handed over as is. After a time-out the slot
 * lets go of that array (jnats may still hold it). What jnats allocates per publish (its message, the id String,
 * headers) is jnats'.
 */
final class JetStreamOutbound implements PipelineSink
{
    private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "\"error\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DESCRIPTION = "\"description\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STREAM = "\"stream\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DUPLICATE = "\"duplicate\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[][] STREAM_NAMES = {Streams.MESSAGES.getBytes(StandardCharsets.US_ASCII),
        Streams.TOOLS.getBytes(StandardCharsets.US_ASCII),
        Streams.SYSTEM.getBytes(StandardCharsets.US_ASCII),
        Streams.QUARANTINE.getBytes(StandardCharsets.US_ASCII)};
    private static final String[] STREAM_STRINGS = {Streams.MESSAGES, Streams.TOOLS,
        Streams.SYSTEM, Streams.QUARANTINE};
    private static final long SWEEP_MILLIS = 100;

    private final Connection connection;
    private final ConnectionErrors errors;
    private final Signatures signatures;
    private final String inbox;
    private final long timeoutNanos;
    private final BusMetrics metrics = BusMetrics.shared();
    private Dispatcher acks;
    private ScheduledExecutorService sweeper;
    private Completion completion;
    private int mask;
    private String[] replies;   // per slot; changed by a time-out before the slot is completed, read by its next send
    private AtomicIntegerArray generations;
    private AtomicReferenceArray<PublishEvent> pending;   // per slot: the event awaiting its ack
    private long[] deadlines;

    JetStreamOutbound(final Connection connection, final BusConfig config, final ConnectionErrors errors)
    {
        this.connection = connection;
        this.errors = errors;
        this.signatures = config.signatures();
        this.inbox = connection.createInbox();   // honours AF_BUS_INBOX_PREFIX, which permissions may require
        this.timeoutNanos = config.publishTimeout().toNanos();
    }

    @Override
    public void attach(final int ringSize, final Completion completion)
    {
        this.completion = completion;
        mask = ringSize - 1;
        replies = new String[ringSize];
        generations = new AtomicIntegerArray(ringSize);
        pending = new AtomicReferenceArray<>(ringSize);
        deadlines = new long[ringSize];
        for (int slot = 0; slot < ringSize; slot++)
        {
            replies[slot] = inbox + "." + slot + ".0";
        }
        acks = connection.createDispatcher(this::onAck);
        acks.subscribe(inbox + ".>");
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> HandlerShards.daemon(r, "af-pipeline-timeouts"));
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean send(final PublishEvent e)
    {
        if (Connection.Status.CONNECTED != connection.getStatus())
        {
            // as JetStreamBus.publish: fail at once rather than queue in jnats' reconnect buffer
            e.failed(MessageErrors.transport("not connected to NATS (" + connection.getStatus()
                + "); retry the publish, its id makes the broker store it once", null));
            return true;
        }
        final MessageError denied = errors.publishDenied(e.subject());
        if (null != denied)
        {
            e.failed(denied);
            return true;
        }
        final Headers headers = new Headers().put("Nats-Msg-Id", e.idString());
        if (!e.traceId().isEmpty())
        {
            headers.put("traceparent", "00-" + e.traceId() + "-" + e.spanId() + (e.sampled() ? "-01" : "-00"));
        }
        if (null != signatures.signer())
        {
            final int at = EnvelopeEncoder.hashOffset(e.wireArray());
            signatures.sign(new NatsHeaders(headers), e.subject(),
                new String(e.wireArray(), at, 64, StandardCharsets.US_ASCII));
        }
        final int slot = slot(e);
        deadlines[slot] = System.nanoTime() + timeoutNanos;
        metrics.inFlight(1);
        pending.set(slot, e);   // before the bytes leave: the ack may come back before publish returns
        try
        {
            connection.publish(e.subject(), replies[slot], headers, e.exactWire());
            return false;
        }
        catch (final RuntimeException ex)
        {
            if (pending.compareAndSet(slot, e, null))
            {
                metrics.inFlight(-1);
                final MessageError failure = JetStreamErrors.from(ex);
                metrics.publishFailed(e.type(), failure.code());
                e.failed(failure);
                return true;
            }
            return false;   // its ack or time-out already took it
        }
    }

    private int slot(final PublishEvent e)
    {
        return (int)(e.ringSequence() & mask);
    }

    /** On the ack dispatcher: completes the slot the ack names, unless it is late or not ours. */
    private void onAck(final Message ack)
    {
        final String subject = ack.getSubject();
        final int dot = subject.indexOf('.', inbox.length() + 1);
        final int slot = dot < 0 ? -1 : number(subject, inbox.length() + 1, dot);
        if (slot < 0 || slot > mask || number(subject, dot + 1, subject.length()) != generations.get(slot))
        {
            return;   // late (an older generation), or not ours: anyone allowed to publish here could send anything
        }
        final PublishEvent e = pending.get(slot);
        if (null == e || !pending.compareAndSet(slot, e, null))
        {
            return;   // no publish awaits it (a duplicate ack), or its time-out took it
        }
        metrics.inFlight(-1);
        final String error = record(ack, e);
        if (null == error)
        {
            metrics.published(e.type());
        }
        else
        {
            final MessageError refused = MessageErrors.transport("JetStream refused the publish to " + e.subject()
                + ": " + error, null);
            // an id in process is no sign of a failing broker: retried, but not counted against the breaker
            final MessageError failure = IN_PROCESS.equals(error) ? refused.withDetail(PublishGuard.IN_PROCESS, true)
                : refused;
            metrics.publishFailed(e.type(), failure.code());
            e.failed(failure);
        }
        completion.completed(e);
    }

    /** The answer for an id in process (a duplicate without a sequence): not stored, and not a broker failure. */
    private static final String IN_PROCESS = "the broker holds this id as in process, not stored (a duplicate "
        + "without a sequence); retry it";

    /** @return null when the ack says stored (its sequence recorded in the event), else what went wrong. */
    private static String record(final Message ack, final PublishEvent e)
    {
        if (ack.isStatusMessage())
        {
            return 503 == ack.getStatus().getCode() ? "no stream stores the subject (no responders)"
                : "status " + ack.getStatus().getCode() + " " + ack.getStatus().getMessage();
        }
        final byte[] body = ack.getData();
        final int seq = indexOf(body, SEQ);
        if (seq < 0 || indexOf(body, ERROR) >= 0)
        {
            return errorText(body);
        }
        long sequence = 0;
        for (int k = seq + SEQ.length; k < body.length && body[k] >= '0' && body[k] <= '9'; k++)
        {
            sequence = sequence * 10 + (body[k] - '0');
        }
        final boolean duplicate = isDuplicate(body);
        if (duplicate && 0 == sequence)
        {
            // not stored: a clustered stream's leader answers so while an earlier publish with this id is proposed
            // but not committed, and keeps answering so if that proposal is then dropped (a leader change); counted
            // as stored, the message would be lost (seen on 2.10.27 in PartitionTest; nats-server#5827, #6415)
            return IN_PROCESS;
        }
        e.completed(streamName(body), sequence, duplicate);
        return null;
    }

    /** nats-server writes {@code "duplicate": true} by hand (with a space), or leaves it out. */
    private static boolean isDuplicate(final byte[] body)
    {
        final int at = indexOf(body, DUPLICATE);
        if (at < 0)
        {
            return false;
        }
        int i = at + DUPLICATE.length;
        while (i < body.length && ' ' == body[i])
        {
            i++;
        }
        return i < body.length && 't' == body[i];
    }

    /** @return the ack's stream: one of ours without allocating, else a new String (null when absent). */
    private static String streamName(final byte[] body)
    {
        final int at = indexOf(body, STREAM);
        if (at < 0)
        {
            return null;
        }
        final int start = at + STREAM.length;
        int end = start;
        while (end < body.length && '"' != body[end])
        {
            end++;
        }
        for (int i = 0; i < STREAM_NAMES.length; i++)
        {
            if (java.util.Arrays.equals(body, start, end, STREAM_NAMES[i], 0, STREAM_NAMES[i].length))
            {
                return STREAM_STRINGS[i];
            }
        }
        return new String(body, start, end - start, StandardCharsets.UTF_8);
    }

    private static String errorText(final byte[] body)
    {
        final int d = indexOf(body, DESCRIPTION);
        if (d < 0)
        {
            return new String(body, StandardCharsets.UTF_8);
        }
        int end = d + DESCRIPTION.length;
        while (end < body.length && '"' != body[end])
        {
            end++;
        }
        return new String(body, d + DESCRIPTION.length, end - d - DESCRIPTION.length, StandardCharsets.UTF_8);
    }

    private static int indexOf(final byte[] body, final byte[] needle)
    {
        outer:
        for (int i = 0; i <= body.length - needle.length; i++)
        {
            for (int k = 0; k < needle.length; k++)
            {
                if (body[i + k] != needle[k])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private void sweep()
    {
        final long now = System.nanoTime();
        for (int slot = 0; slot <= mask; slot++)
        {
            final PublishEvent e = pending.get(slot);
            if (null != e && now - deadlines[slot] > 0)
            {
                timeOut(slot, e, "no ack within " + timeoutNanos / 1_000_000 + " ms for the publish to "
                    + e.subject() + "; retry it, its id makes the broker store it once");
            }
        }
    }

    private void timeOut(final int slot, final PublishEvent e, final String why)
    {
        if (!pending.compareAndSet(slot, e, null))
        {
            return;   // its ack came first
        }
        metrics.inFlight(-1);
        // before the slot completes (which lets its next publish read the reply subject): a late ack is told apart
        final int generation = generations.incrementAndGet(slot);
        replies[slot] = inbox + "." + slot + "." + generation;
        e.abandonWire();   // jnats may still hold the array: the slot's next publish must not write into it
        final MessageError failure = MessageErrors.timeout(why, null);
        metrics.publishFailed(e.type(), failure.code());
        e.failed(failure);
        completion.completed(e);
    }

    /** Fails what still awaits an ack, then stops reading acks and sweeping. */
    @Override
    public void close()
    {
        for (int slot = 0; slot <= mask; slot++)
        {
            final PublishEvent e = pending.get(slot);
            if (null != e)
            {
                timeOut(slot, e, "the pipeline closed before the ack of the publish to " + e.subject()
                    + "; retry it, its id makes the broker store it once");
            }
        }
        sweeper.shutdownNow();
        try
        {
            connection.closeDispatcher(acks);
        }
        catch (final IllegalStateException ex)
        {
            // the connection closed first: nothing more will arrive
        }
    }

    /** @return the decimal number {@code s[from, to)}, or -1 when it is not one (or too long to be a slot's). */
    static int number(final String s, final int from, final int to)
    {
        if (from >= to || to - from > 9)
        {
            return -1;
        }
        int n = 0;
        for (int i = from; i < to; i++)
        {
            final char c = s.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
