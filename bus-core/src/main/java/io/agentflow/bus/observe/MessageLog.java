package io.agentflow.bus.observe;

import io.agentflow.bus.security.LogText;
import io.agentflow.codec.Message;
import org.slf4j.MDC;

/**
 * Correlated logging over SLF4J: while a scope is open, every line logged on this thread (the bus's and the
 * application's) carries the message's ids in the MDC: {@code trace_id}, {@code span_id}, {@code message_id},
 * {@code workflow_id} and {@code agent_id}; the log encoder adds {@code timestamp}. The bus opens one around every
 * handler call, with the CONSUMER span's ids; a publisher opens its own:
 * <pre>{@code
 * try (MessageLog.Scope ignored = MessageLog.open(message, message.from()))
 * {
 *     log.info("sending the plan");
 * }
 * }</pre>
 * Values an agent chose ({@code to}, {@code workflow_id}) are escaped and bounded by {@link LogText} first. Closing
 * restores what the MDC held before, so scopes nest. Not shared between threads: MDC is per thread.
 */
public final class MessageLog
{
    public static final String TRACE_ID = "trace_id";
    public static final String SPAN_ID = "span_id";
    public static final String MESSAGE_ID = "message_id";
    public static final String WORKFLOW_ID = "workflow_id";
    public static final String AGENT_ID = "agent_id";
    private static final String[] KEYS = {TRACE_ID, SPAN_ID, MESSAGE_ID, WORKFLOW_ID, AGENT_ID};

    private MessageLog()
    {
    }

    /** An open scope; closing it restores the previous MDC values. */
    public static final class Scope implements AutoCloseable
    {
        private final String[] previous = new String[KEYS.length];

        private Scope(final String... values)
        {
            for (int i = 0; i < KEYS.length; i++)
            {
                previous[i] = MDC.get(KEYS[i]);
                put(KEYS[i], values[i]);
            }
        }

        @Override
        public void close()
        {
            for (int i = 0; i < KEYS.length; i++)
            {
                put(KEYS[i], previous[i]);
            }
        }

        private static void put(final String key, final String value)
        {
            if (null == value || value.isEmpty())
            {
                MDC.remove(key);
            }
            else
            {
                MDC.put(key, LogText.safe(value));   // agent-chosen text (to, workflow_id) must not forge lines
            }
        }
    }

    /** Opens a scope with the message's own trace ids. */
    public static Scope open(final Message message, final String agentId)
    {
        return open(message, agentId, message.traceId(), message.spanId());
    }

    /** Opens a scope with the given trace ids (the current span's, when one is open). */
    public static Scope open(final Message message, final String agentId, final String traceId, final String spanId)
    {
        return new Scope(traceId, spanId, message.id(), message.workflowId(), agentId);
    }

    /** Opens a scope for a message that could not be read: only its id, when known. */
    public static Scope openUnreadable(final String messageId)
    {
        return new Scope(null, null, messageId, null, null);
    }
}
