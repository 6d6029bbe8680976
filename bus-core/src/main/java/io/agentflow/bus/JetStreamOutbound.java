package io.agentflow.bus;

import io.agentflow.bus.pipeline.PipelineSink;
import io.agentflow.bus.pipeline.PublishEvent;
import io.agentflow.codec.MessageError;
import io.nats.client.Connection;
import io.nats.client.Message;
import io.nats.client.Subscription;
import io.nats.client.impl.Headers;

import java.nio.charset.StandardCharsets;

/**
 * The pipeline's edge to NATS: a core publish of the slot's bytes to the stream's subject with a reply subject of
 * the slot's own, which is how JetStream acknowledges; the completion stage reads the acks itself from one
 * subscription on {@code <inbox>.>}. This is what jnats' {@code publishAsync} does underneath, without what it
 * adds per message: a new inbox String, a future and its map entry, a time-out task and a JSON tree of the ack.
 * <p>
 * Each slot's reply subject is {@code <inbox>.<slot>.<generation>}, made once; the generation moves on only when a
 * slot's ack timed out, so an ack arriving after its publisher was told "time-out" cannot be taken for the slot's
 * next publish. Acks can arrive out of ring order (several streams); each is recorded for its slot, and the
 * completion stage takes them in ring order. Everything about acks is owned by the completion thread; the encode
 * thread reads a slot's reply subject, made or changed before the slot was last completed.
 * <p>
 * jnats keeps the body array until its writer has sent it, and the slot is reused only after the ack, so the
 * slot's exact-length array is handed over as is. After a time-out the slot lets go of that array (jnats may still
 * hold it). What jnats allocates per publish (its message, the id String, headers) is jnats'.
 */
final class JetStreamOutbound implements PipelineSink
{
    private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "\"error\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DESCRIPTION = "\"description\":\"".getBytes(StandardCharsets.US_ASCII);

    private final Connection connection;
    private final Subscription acks;
    private final String inbox;
    private final long timeoutNanos;
    private final BusMetrics metrics = BusMetrics.shared();
    private int mask;
    private String[] replies;
    private int[] generations;
    // per slot, completion thread only: whether its ack came, and what it said
    private boolean[] acked;
    private long[] ackedSequence;
    private String[] ackError;

    JetStreamOutbound(final Connection connection, final BusConfig config)
    {
        this.connection = connection;
        this.inbox = connection.createInbox();   // honours AF_BUS_INBOX_PREFIX, which permissions may require
        this.acks = connection.subscribe(inbox + ".>");
        this.timeoutNanos = config.publishTimeout().toNanos();
    }

    @Override
    public void attach(final int ringSize)
    {
        mask = ringSize - 1;
        replies = new String[ringSize];
        generations = new int[ringSize];
        acked = new boolean[ringSize];
        ackedSequence = new long[ringSize];
        ackError = new String[ringSize];
        for (int slot = 0; slot < ringSize; slot++)
        {
            replies[slot] = inbox + "." + slot + ".0";
        }
    }

    @Override
    public void send(final PublishEvent e)
    {
        if (Connection.Status.CONNECTED != connection.getStatus())
        {
            // as JetStreamBus.publish: fail at once rather than queue in jnats' reconnect buffer
            e.failed(MessageErrors.transport("not connected to NATS (" + connection.getStatus()
                + "); retry the publish, its id makes the broker store it once", null));
            return;
        }
        final Headers headers = new Headers().put("Nats-Msg-Id", e.idString());
        if (!e.traceId().isEmpty())
        {
            headers.put("traceparent", "00-" + e.traceId() + "-" + e.spanId() + "-01");
        }
        try
        {
            connection.publish(e.subject(), replies[slot(e)], headers, e.exactWire());
            e.pending(this);
        }
        catch (final RuntimeException ex)
        {
            e.failed(MessageErrors.from(ex));
        }
    }

    @Override
    public void complete(final PublishEvent e)
    {
        final int slot = slot(e);
        final long deadline = System.nanoTime() + timeoutNanos;
        try
        {
            while (!acked[slot])
            {
                final long left = deadline - System.nanoTime();
                if (left <= 0)
                {
                    timedOut(e, slot);
                    return;
                }
                final Message ack = acks.nextMessage(Math.max(1, left / 1_000_000));
                if (null != ack)
                {
                    record(ack);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            e.failed(MessageErrors.from(ex));
            return;
        }
        catch (final IllegalStateException ex)
        {
            e.failed(MessageErrors.transport("the connection closed before the ack: " + ex.getMessage(), ex));
            return;
        }
        acked[slot] = false;
        final String error = ackError[slot];
        if (null == error)
        {
            e.completed(ackedSequence[slot]);
            metrics.published(e.type());
        }
        else
        {
            ackError[slot] = null;
            final MessageError failure = MessageErrors.transport("JetStream refused the publish to " + e.subject()
                + ": " + error, null);
            metrics.publishFailed(e.type(), failure.code());
            e.failed(failure);
        }
    }

    private int slot(final PublishEvent e)
    {
        return (int)(e.ringSequence() & mask);
    }

    /** Files one ack under its slot, unless it is late for a slot that has moved on to the next generation. */
    private void record(final Message ack)
    {
        final String subject = ack.getSubject();
        final int dot = subject.indexOf('.', inbox.length() + 1);
        final int slot = dot < 0 ? -1 : number(subject, inbox.length() + 1, dot);
        if (slot < 0 || slot > mask || number(subject, dot + 1, subject.length()) != generations[slot])
        {
            return;   // late (an older generation), or not ours: anyone allowed to publish here could send anything
        }
        acked[slot] = true;
        if (ack.isStatusMessage())
        {
            ackError[slot] = 503 == ack.getStatus().getCode() ? "no stream stores the subject (no responders)"
                : "status " + ack.getStatus().getCode() + " " + ack.getStatus().getMessage();
            return;
        }
        final byte[] body = ack.getData();
        final int seq = indexOf(body, SEQ, 0);
        if (seq >= 0 && indexOf(body, ERROR, 0) < 0)
        {
            long sequence = 0;
            for (int k = seq + SEQ.length; k < body.length && body[k] >= '0' && body[k] <= '9'; k++)
            {
                sequence = sequence * 10 + (body[k] - '0');
            }
            ackedSequence[slot] = sequence;
        }
        else
        {
            ackError[slot] = errorText(body);
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

    private void timedOut(final PublishEvent e, final int slot)
    {
        generations[slot]++;
        replies[slot] = inbox + "." + slot + "." + generations[slot];
        e.abandonWire();   // jnats may still hold the array: the slot's next publish must not write into it
        final MessageError failure = MessageErrors.timeout("no ack within " + timeoutNanos / 1_000_000
            + " ms for the publish to " + e.subject() + "; retry it, its id makes the broker store it once", null);
        metrics.publishFailed(e.type(), failure.code());
        e.failed(failure);
    }

    private static String errorText(final byte[] body)
    {
        final int d = indexOf(body, DESCRIPTION, 0);
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

    private static int indexOf(final byte[] body, final byte[] needle, final int from)
    {
        outer:
        for (int i = from; i <= body.length - needle.length; i++)
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
}
