package io.agentflow.bus.jetstream;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What went wrong on one connection, as jnats reports it to its error listener: the last exception (a TLS
 * handshake failure, say, which jnats' own connect error does not name), and what the server refused for lack of
 * permission. NATS answers a denied publish or subscription
 * with an asynchronous {@code -ERR 'Permissions Violation for Publish to "subject"'} and nothing else: a
 * JetStream publish or API request to a denied subject would simply time out. This listener remembers each
 * refusal, so that the bus can turn that time-out into a clear, non-retryable {@code transport_error}, and fail
 * later publishes to the same subject at once for {@link #MEMORY_NANOS} (permissions can be reloaded on the server,
 * hence not for ever).
 */
final class ConnectionErrors implements ErrorListener
{
    static final long MEMORY_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionErrors.class);
    private static final Pattern VIOLATION = Pattern.compile(
        "Permissions Violation for (Publish|Subscription) to \"?([^\"' ]+)\"?", Pattern.CASE_INSENSITIVE);

    /** Denied subject (with its operation) to the time it was reported. */
    private final Map<String, Long> denied = new ConcurrentHashMap<>();
    /** The last few exceptions jnats reported (a connect attempt's root cause is often not the last one). */
    private final java.util.Deque<Exception> recent = new java.util.concurrent.ConcurrentLinkedDeque<>();

    @Override
    public void errorOccurred(final Connection conn, final String error)
    {
        final Matcher m = VIOLATION.matcher(error);
        if (m.find())
        {
            denied.put(key(m.group(1), m.group(2)), System.nanoTime());
        }
        LOG.warn("nats server error: {}", error);
    }

    @Override
    public void exceptionOccurred(final Connection conn, final Exception exp)
    {
        recent.addLast(exp);
        while (recent.size() > 4)
        {
            recent.pollFirst();
        }
        LOG.debug("nats connection exception: {}", exp.toString());
    }

    /**
     * @return the root causes of the exceptions jnats reported lately, for a connect error (which jnats words as
     * "Unable to connect"); empty if none. Bare time-outs are left out: they follow the cause, they are not it.
     */
    String lastFailure()
    {
        final java.util.Set<String> causes = new java.util.LinkedHashSet<>();
        for (final Exception e : recent)
        {
            Throwable t = e;
            while (null != t.getCause() && t.getCause() != t)
            {
                t = t.getCause();
            }
            if (!(t instanceof java.util.concurrent.TimeoutException && null == t.getMessage()))
            {
                causes.add(t.getClass().getSimpleName() + ": " + t.getMessage());
            }
        }
        return String.join("; ", causes);
    }

    /** @return a permission error when publishing to {@code subject} was refused lately, else {@code null}. */
    MessageError publishDenied(final String subject)
    {
        if (denied.isEmpty())   // the common case: one read, no allocation
        {
            return null;
        }
        final Long at = denied.get(key("publish", subject));
        if (null == at || System.nanoTime() - at > MEMORY_NANOS)
        {
            return null;
        }
        return error("publish to \"" + subject + "\"", null);
    }

    /**
     * @return {@code failure} explained as a permission error when the server refused anything on this connection
     * since {@code sinceNanos} (the operation's start), else {@code failure} itself.
     */
    MessageError explain(final MessageError failure, final long sinceNanos)
    {
        if (denied.isEmpty())
        {
            return failure;
        }
        final StringBuilder what = new StringBuilder();
        denied.forEach((k, at) ->
        {
            if (at - sinceNanos >= 0)
            {
                what.append(what.length() > 0 ? ", " : "").append(k);
            }
        });
        return what.length() > 0 ? error(what.toString(), failure.getMessage()) : failure;
    }

    private static MessageError error(final String what, final String during)
    {
        return new MessageError(ErrorCode.TRANSPORT_ERROR, false, "permission denied: the server refused this "
            + "connection's user " + what + "; check its NATS permissions" + (null != during ? " (the operation "
            + "ended with: " + during + ")" : ""), Map.of("permission", "denied"), null);
    }

    private static String key(final String operation, final String subject)
    {
        return operation.toLowerCase(java.util.Locale.ROOT) + " to \"" + subject + "\"";
    }
}
