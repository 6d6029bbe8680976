package io.agentflow.bus;

import io.nats.client.JetStream;
import io.nats.client.Message;
import io.nats.client.PublishOptions;
import io.nats.client.impl.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Keeps messages the bus refused to deliver, durably and queryably, in stream {@code AF_QUARANTINE} under
 * {@code quarantine.<reason>} (e.g. {@code quarantine.hash_mismatch}, {@code quarantine.max_deliveries}).
 * <p>
 * The body is the original bytes, untouched, so the evidence can be re-verified later; headers say why and where
 * from. A separate stream keeps refused messages away from every consumer of the message subjects, gives them
 * their own (longer) retention, and lets an operator read one reason with a subject filter. The record's
 * {@code Nats-Msg-Id} is derived from the original stream position, so quarantining the same message twice (after
 * a crash between the two steps) stores it once. The original is terminated only after the record is
 * acknowledged: if the quarantine cannot be written, the message stays in its stream and comes again.
 */
final class Quarantine
{
    static final String REASON = "AF-Quarantine-Reason";
    static final String DETAIL = "AF-Quarantine-Detail";
    static final String ORIGINAL_SUBJECT = "AF-Original-Subject";
    static final String ORIGINAL_STREAM = "AF-Original-Stream";
    static final String ORIGINAL_SEQUENCE = "AF-Original-Sequence";
    static final String CONSUMER = "AF-Consumer";
    static final String MAX_DELIVERIES = "max_deliveries";

    private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);
    private static final Logger AUDIT = LoggerFactory.getLogger("io.agentflow.audit");
    private static final int MAX_DETAIL = 1024;

    private final JetStream js;
    private final Duration timeout;

    Quarantine(final JetStream js, final Duration timeout)
    {
        this.js = js;
        this.timeout = timeout;
    }

    /**
     * A message refused before any handler saw it: logged to the audit log, then quarantined with its reason.
     *
     * @return whether the record was stored.
     */
    boolean refuse(final Message original, final String consumer, final io.agentflow.codec.MessageError e,
        final String reason)
    {
        audit(e, original.getSubject());
        final Object id = e.details().get("id");
        return quarantine(original, consumer, reason, id instanceof String ? (String)id : "-", e.getMessage());
    }

    /**
     * Writes the record, then terminates the original.
     *
     * @return whether the record was stored; when not, the original was left for redelivery.
     */
    boolean quarantine(final Message original, final String consumer, final String reason, final String id,
        final String detail)
    {
        final String stream = original.metaData().getStream();
        final long sequence = original.metaData().streamSequence();
        final Headers headers = new Headers()
            .add(REASON, reason)
            .add(DETAIL, headerSafe(detail))
            .add(ORIGINAL_SUBJECT, original.getSubject())
            .add(ORIGINAL_STREAM, stream)
            .add(ORIGINAL_SEQUENCE, Long.toString(sequence))
            .add(CONSUMER, consumer);
        try
        {
            js.publish(Subjects.quarantine(reason), headers, original.getData(), PublishOptions.builder()
                .messageId("q-" + stream + "-" + sequence)
                .expectedStream(StreamProvisioner.QUARANTINE)
                .streamTimeout(timeout)
                .build());
            original.term();
            try (MessageLog.Scope ignored = MessageLog.openUnreadable(id))
            {
                LOG.warn("quarantined message_id={} subject={} stream_sequence={} reason={} detail={}",
                    LogText.safe(id), LogText.safe(original.getSubject()), sequence, reason, headerSafe(detail));
            }
            return true;
        }
        catch (final Exception ex)
        {
            LOG.error("could not quarantine message_id={} subject={} stream_sequence={} reason={}; left for "
                + "redelivery", LogText.safe(id), LogText.safe(original.getSubject()), sequence, reason, ex);
            original.nakWithDelay(timeout);
            return false;
        }
    }

    /**
     * Audit-logs a refused message on logger {@code io.agentflow.audit}: for a hash mismatch with the message id,
     * subject, expected and actual hash as MDC fields ({@code expected_hash}, {@code actual_hash}) and in the text.
     */
    static void audit(final io.agentflow.codec.MessageError e, final String subject)
    {
        final String id = e.details().get("id") instanceof String ? LogText.safe((String)e.details().get("id")) : null;
        final String where = LogText.safe(subject);
        try (MessageLog.Scope ignored = MessageLog.openUnreadable(id))
        {
            if (io.agentflow.codec.ErrorCode.HASH_MISMATCH == e.code())
            {
                final String expected = LogText.safe(String.valueOf(e.details().get("expected")));
                final String actual = LogText.safe(String.valueOf(e.details().get("actual")));
                org.slf4j.MDC.put("expected_hash", expected);
                org.slf4j.MDC.put("actual_hash", actual);
                try
                {
                    AUDIT.warn("hash_mismatch message_id={} subject={} expected={} actual={}", id, where, expected,
                        actual);
                }
                finally
                {
                    org.slf4j.MDC.remove("expected_hash");
                    org.slf4j.MDC.remove("actual_hash");
                }
            }
            else
            {
                AUDIT.warn("{} message_id={} subject={} detail={}", e.code().wireName(), null == id ? "-" : id,
                    where, headerSafe(e.getMessage()));
            }
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
