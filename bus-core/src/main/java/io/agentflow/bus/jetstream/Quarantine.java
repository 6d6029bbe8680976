package io.agentflow.bus.jetstream;

import io.agentflow.bus.observe.AuditLog;
import io.agentflow.bus.observe.MessageLog;
import io.agentflow.bus.security.LogText;
import io.agentflow.bus.wire.Streams;
import io.agentflow.bus.wire.Subjects;
import io.nats.client.JetStream;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Keeps messages the bus refused to deliver, durably and queryably, in stream {@code AF_QUARANTINE} under
 * {@code quarantine.<reason>.<consumer>} (e.g. {@code quarantine.hash_mismatch.agent-alice}).
 * <p>
 * The body is the original bytes, untouched, so the evidence can be re-verified later; headers say why and where
 * from. A body too large to fit beside the record's headers under the server's {@code max_payload} is kept as a
 * summary instead ({@value #BODY} {@code summary}: its length, SHA-256 and first KiB), not dropped. A separate
 * stream keeps refused messages away from every consumer of the message subjects, gives them their own (longer)
 * retention, and lets an operator read one reason with a subject filter. Each consumer writes under its own name,
 * which subject permissions can hold an agent to, and the stream keeps at most
 * {@link StreamProvisioner#QUARANTINE_PER_SUBJECT} records per subject, so one consumer's flood of refusals cannot
 * evict another's evidence.
 * <p>
 * Writes are asynchronous and bounded: the dispatcher hands the record over and moves on to the next message; at
 * most {@value #IN_FLIGHT} records per subscription are being written, and beyond that (a flood, a slow or missing
 * quarantine stream) the original is nak'd with a delay and comes back later rather than stalling delivery. The
 * record's {@code Nats-Msg-Id} is derived from the original stream position, so quarantining the same message twice
 * (after a crash between the two steps) stores it once. The original is terminated only after the record is
 * acknowledged: if the quarantine cannot be written, the message stays in its stream and comes again.
 */
public final class Quarantine
{
    public static final String REASON = "AF-Quarantine-Reason";
    public static final String DETAIL = "AF-Quarantine-Detail";
    public static final String ORIGINAL_SUBJECT = "AF-Original-Subject";
    static final String ORIGINAL_STREAM = "AF-Original-Stream";
    static final String ORIGINAL_SEQUENCE = "AF-Original-Sequence";
    static final String CONSUMER = "AF-Consumer";
    public static final String BODY = "AF-Quarantine-Body";

    private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);
    private static final int MAX_DETAIL = 1024;
    private static final int IN_FLIGHT = 64;
    private static final int SUMMARY_HEAD = 1024;
    private static final int PROTOCOL_SLACK = 256;   // the HPUB line: subject, reply inbox, sizes

    private final JetStream js;
    private final Duration timeout;
    private final long maxPayload;
    private final Semaphore writes = new Semaphore(IN_FLIGHT);

    /** @param maxPayload the server's {@code max_payload}: headers and body of a record must fit in it. */
    Quarantine(final JetStream js, final Duration timeout, final long maxPayload)
    {
        this.js = js;
        this.timeout = timeout;
        this.maxPayload = maxPayload;
    }

    /**
     * A message refused before any handler saw it: logged to the audit log, then quarantined with its reason.
     *
     * @param stored run once the record is stored (and the original terminated).
     */
    void refuse(final Message original, final String consumer, final io.agentflow.codec.error.MessageError e,
        final String reason, final Runnable stored)
    {
        AuditLog.refused(e, original.getSubject());
        final Object id = e.details().get("id");
        quarantine(original, consumer, reason, id instanceof String ? (String)id : "-", e.getMessage(), stored);
    }

    /**
     * Hands the record to the broker and returns; once it is stored, terminates the original and runs
     * {@code stored}. When it cannot be written, or {@value #IN_FLIGHT} are already being written, the original is
     * left for redelivery.
     */
    void quarantine(final Message original, final String consumer, final String reason, final String id,
        final String detail, final Runnable stored)
    {
        final String stream = original.metaData().getStream();
        final long sequence = original.metaData().streamSequence();
        final String subject = Subjects.quarantine(reason, consumer);
        final Headers headers = new Headers()
            .add(REASON, reason)
            .add(DETAIL, headerSafe(detail))
            .add(ORIGINAL_SUBJECT, original.getSubject())
            .add(ORIGINAL_STREAM, stream)
            .add(ORIGINAL_SEQUENCE, Long.toString(sequence))
            .add(CONSUMER, consumer);
        byte[] body = original.getData();
        if ((long)body.length + headers.serializedLength() + subject.length() + PROTOCOL_SLACK > maxPayload)
        {
            headers.add(BODY, "summary");
            body = summary(body);
        }
        if (!writes.tryAcquire())
        {
            LOG.warn("quarantine busy ({} records being written): message_id={} stream_sequence={} reason={} comes "
                + "again in {}", IN_FLIGHT, LogText.safe(id), sequence, reason, timeout);
            original.nakWithDelay(timeout);
            return;
        }
        final CompletableFuture<PublishAck> written;
        try
        {
            written = js.publishAsync(subject, headers, body, PublishOptions.builder()
                .messageId("q-" + stream + "-" + sequence)
                .expectedStream(Streams.QUARANTINE)
                .build());
        }
        catch (final RuntimeException ex)
        {
            writes.release();
            failed(original, id, sequence, reason, ex);
            return;
        }
        written.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ack, ex) ->
        {
            writes.release();
            if (null != ex)
            {
                failed(original, id, sequence, reason, ex);
                return;
            }
            original.term();
            try (MessageLog.Scope ignored = MessageLog.openUnreadable(id))
            {
                LOG.warn("quarantined message_id={} subject={} stream_sequence={} reason={} detail={}",
                    LogText.safe(id), LogText.safe(original.getSubject()), sequence, reason, headerSafe(detail));
            }
            stored.run();
        });
    }

    private void failed(final Message original, final String id, final long sequence, final String reason,
        final Throwable ex)
    {
        LOG.error("could not quarantine message_id={} subject={} stream_sequence={} reason={}; left for "
            + "redelivery", LogText.safe(id), LogText.safe(original.getSubject()), sequence, reason, ex);
        original.nakWithDelay(timeout);
    }

    /** @return what is kept of a body too large to keep whole: its length, SHA-256 and first KiB (base64). */
    static byte[] summary(final byte[] body)
    {
        final String json = "{\"original_bytes\":" + body.length + ",\"sha256\":\""
            + java.util.HexFormat.of().formatHex(sha256(body)) + "\",\"head_base64\":\""
            + java.util.Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(body, Math.min(SUMMARY_HEAD,
                body.length))) + "\"}";
        return json.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    private static byte[] sha256(final byte[] body)
    {
        try
        {
            return java.security.MessageDigest.getInstance("SHA-256").digest(body);
        }
        catch (final java.security.NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("every JDK has SHA-256", ex);
        }
    }

    /** Header values are one line of visible ASCII, bounded. */
    static String headerSafe(final String text)
    {
        final StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_DETAIL));
        for (int i = 0; i < text.length() && sb.length() < MAX_DETAIL; i++)
        {
            final char c = text.charAt(i);
            sb.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return sb.toString();
    }
}
