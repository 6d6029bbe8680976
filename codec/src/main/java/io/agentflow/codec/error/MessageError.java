package io.agentflow.codec.error;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one exception type for bad input and failed operations. Callers decide what to do from {@link #code()} and
 * {@link #retryable()} without parsing text; {@link #details()} names the offending field path ({@code path}) or
 * byte offset ({@code offset}) and the values involved.
 */
public final class MessageError extends RuntimeException
{
    private static final long serialVersionUID = 1L;
    /** Longest message text kept; hostile input (a 600 KB member name) must not become a 600 KB log line. */
    public static final int MAX_TEXT = 512;
    /** Longest string detail kept. */
    public static final int MAX_DETAIL = 256;

    private final ErrorCode code;
    private final boolean retryable;
    private final Map<String, Object> details;

    public MessageError(final ErrorCode code, final String message, final Map<String, ?> details, final Throwable cause)
    {
        this(code, code.retryable(), message, details, cause);
    }

    public MessageError(
        final ErrorCode code,
        final boolean retryable,
        final String message,
        final Map<String, ?> details,
        final Throwable cause)
    {
        super(cut(message, MAX_TEXT), cause);
        this.code = code;
        this.retryable = retryable;
        this.details = details.isEmpty() ? Map.of() : Collections.unmodifiableMap(boundedCopy(details));
    }

    private static Map<String, Object> boundedCopy(final Map<String, ?> details)
    {
        final Map<String, Object> copy = new LinkedHashMap<>(details);
        copy.replaceAll((k, v) -> v instanceof String ? cut((String)v, MAX_DETAIL) : v);
        return copy;
    }

    /** @return {@code text} cut to at most {@code max} chars (never inside a surrogate pair), saying how long it was. */
    static String cut(final String text, final int max)
    {
        if (null == text || text.length() <= max)
        {
            return text;
        }
        final int at = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, at) + "... (" + text.length() + " chars)";
    }

    public static MessageError of(final ErrorCode code, final String message)
    {
        return new MessageError(code, message, Map.of(), null);
    }

    /**
     * An error about the member at {@code path} (a JSONPath such as {@code $.cost.tokens}).
     */
    public static MessageError atPath(final ErrorCode code, final String path, final String message)
    {
        return new MessageError(code, path + ": " + message, Map.of("path", path), null);
    }

    /**
     * An error about the input byte at {@code offset}.
     */
    public static MessageError atOffset(final ErrorCode code, final int offset, final String message)
    {
        return new MessageError(code, message + " at offset " + offset, Map.of("offset", offset), null);
    }

    /** @return a copy of this error with one more detail, e.g. the id of the message it concerns. */
    public MessageError withDetail(final String key, final Object value)
    {
        final Map<String, Object> more = new LinkedHashMap<>(details);
        more.put(key, value);
        final MessageError copy = new MessageError(code, retryable, getMessage(), more, getCause());
        copy.setStackTrace(getStackTrace());
        return copy;
    }

    public ErrorCode code()
    {
        return code;
    }

    public boolean retryable()
    {
        return retryable;
    }

    public Map<String, Object> details()
    {
        return details;
    }

    /**
     * @return the field path this error is about, or {@code null} when it is not about one field.
     */
    public String path()
    {
        return (String)details.get("path");
    }
}
