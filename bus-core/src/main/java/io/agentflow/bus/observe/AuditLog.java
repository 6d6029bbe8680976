package io.agentflow.bus.observe;

import io.agentflow.bus.security.LogText;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The audit log, logger {@code io.agentflow.audit}: one WARN line per message the bus refused, on either transport.
 * Everything in it that a sender chose is escaped and bounded ({@link LogText}).
 */
public final class AuditLog
{
    private static final Logger AUDIT = LoggerFactory.getLogger("io.agentflow.audit");

    private AuditLog()
    {
    }

    /**
     * Logs a refused message: for a hash mismatch with the message id, subject, expected and actual hash as MDC
     * fields ({@code expected_hash}, {@code actual_hash}) and in the text; else its code and detail.
     */
    public static void refused(final MessageError e, final String subject)
    {
        final String id = e.details().get("id") instanceof String ? LogText.safe((String)e.details().get("id")) : null;
        final String where = LogText.safe(subject);
        try (MessageLog.Scope ignored = MessageLog.openUnreadable(id))
        {
            if (ErrorCode.HASH_MISMATCH == e.code())
            {
                final String expected = LogText.safe(String.valueOf(e.details().get("expected")));
                final String actual = LogText.safe(String.valueOf(e.details().get("actual")));
                MDC.put("expected_hash", expected);
                MDC.put("actual_hash", actual);
                try
                {
                    AUDIT.warn("hash_mismatch message_id={} subject={} expected={} actual={}", id, where, expected,
                        actual);
                }
                finally
                {
                    MDC.remove("expected_hash");
                    MDC.remove("actual_hash");
                }
            }
            else
            {
                AUDIT.warn("{} message_id={} subject={} detail={}", e.code().wireName(), null == id ? "-" : id,
                    where, LogText.safe(e.getMessage()));
            }
        }
    }
}
