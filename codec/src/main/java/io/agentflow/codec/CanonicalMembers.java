package io.agentflow.codec;

import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.JsonNumberParser;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The contract's rules checked on member values where they lie in canonical bytes, without copying them: the
 * receive path's {@link EnvelopeDecoder#verifyInPlace} asks these after the scanner has found the members' spans
 * ({@code [start, end)}, quotes or braces included). Each answers only yes or no: on a no the decoder's full path
 * names the failure. Not thread-safe (two reusable views); one per decoder.
 */
final class CanonicalMembers
{
    private static final byte[] DOLLARS_PREFIX = "{\"dollars\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TOKENS_INFIX = ",\"tokens\":".getBytes(StandardCharsets.US_ASCII);

    private static final MessageType[] TYPES = MessageType.values();   // values() copies its array on every call

    private final AsciiSequence chars = new AsciiSequence();
    private final AsciiSequence spanChars = new AsciiSequence();

    /** A JSON string of plain printable ASCII, no escapes: {@code "..."} spans {@code [start, end)}. */
    static boolean isPlainString(final byte[] bytes, final int start, final int end)
    {
        if (end - start < 2 || '"' != bytes[start] || '"' != bytes[end - 1])
        {
            return false;
        }
        for (int k = start + 1; k < end - 1; k++)
        {
            if ('\\' == bytes[k] || bytes[k] < 0x20)   // negative: a non-ASCII byte
            {
                return false;
            }
        }
        return true;
    }

    /** Any string but {@code ""}: the scanner has checked its escapes and its UTF-8. */
    static boolean isNonEmptyString(final byte[] bytes, final int start, final int end)
    {
        return end - start > 2 && '"' == bytes[start];
    }

    /** @return the body of a plain-ASCII string member in place, or null when it is not one. */
    private AsciiSequence plain(final AsciiSequence into, final byte[] bytes, final int start, final int end)
    {
        return isPlainString(bytes, start, end) ? into.wrap(bytes, start + 1, end - start - 2) : null;
    }

    boolean isUlid(final byte[] bytes, final int start, final int end)
    {
        final AsciiSequence id = plain(chars, bytes, start, end);
        return null != id && UlidGenerator.isValid(id);
    }

    boolean isType(final byte[] bytes, final int start, final int end)
    {
        final AsciiSequence word = plain(chars, bytes, start, end);
        if (null != word)
        {
            for (final MessageType t : TYPES)
            {
                if (t.wireName().contentEquals(word))
                {
                    return true;
                }
            }
        }
        return false;
    }

    boolean isTrace(final byte[] bytes, final int traceStart, final int traceEnd, final int spanStart,
        final int spanEnd)
    {
        final AsciiSequence trace = plain(chars, bytes, traceStart, traceEnd);
        final AsciiSequence span = null == trace ? null : plain(spanChars, bytes, spanStart, spanEnd);
        return null != span && ContractRules.isTrace(trace, span);
    }

    boolean isHash(final byte[] bytes, final int start, final int end)
    {
        final AsciiSequence hash = plain(chars, bytes, start, end);
        return null != hash && Hex.isLowerHex(hash, 64);
    }

    /** Exactly {@code {"dollars":D,"tokens":T}} with values the contract allows. */
    static boolean isCost(final byte[] bytes, final int start, final int end)
    {
        final int comma = costComma(bytes, start, end);
        return comma >= 0 && ContractRules.isCost(dollars(bytes, start, comma), tokens(bytes, comma, end));
    }

    /** @return the dollars of a cost member at {@code start} whose comma {@link #costComma} found. */
    static double dollars(final byte[] bytes, final int start, final int comma)
    {
        return JsonNumberParser.parse(bytes, start + DOLLARS_PREFIX.length, comma);
    }

    /** @return the tokens of a cost member ending at {@code end} whose comma {@link #costComma} found. */
    static double tokens(final byte[] bytes, final int comma, final int end)
    {
        return JsonNumberParser.parse(bytes, comma + TOKENS_INFIX.length, end - 1);
    }

    /**
     * @return where the comma between the two numbers of a canonical cost {@code {"dollars":D,"tokens":T}} in
     * {@code [start, end)} stands, or -1 when the member does not have that shape.
     */
    static int costComma(final byte[] bytes, final int start, final int end)
    {
        final int dollarsStart = start + DOLLARS_PREFIX.length;
        if (end - start <= DOLLARS_PREFIX.length + TOKENS_INFIX.length + 2
            || !Arrays.equals(bytes, start, dollarsStart, DOLLARS_PREFIX, 0, DOLLARS_PREFIX.length)
            || '}' != bytes[end - 1])
        {
            return -1;
        }
        int comma = dollarsStart;
        while (comma < end && ',' != bytes[comma] && '"' != bytes[comma])
        {
            comma++;
        }
        final int tokensStart = comma + TOKENS_INFIX.length;
        return tokensStart < end - 1 && Arrays.equals(bytes, comma, tokensStart, TOKENS_INFIX, 0, TOKENS_INFIX.length)
            && isNumberStart(bytes[dollarsStart]) && isNumberStart(bytes[tokensStart]) ? comma : -1;
    }

    boolean isTimestamp(final byte[] bytes, final int start, final int end)
    {
        if (!isPlainString(bytes, start, end))
        {
            return false;
        }
        try
        {
            Timestamps.parse(chars.wrap(bytes, start + 1, end - start - 2), "$.ts");   // any RFC 3339, in range
            return true;
        }
        catch (final MessageError ex)
        {
            return false;   // decode names it
        }
    }

    private static boolean isNumberStart(final byte c)
    {
        return '-' == c || (c >= '0' && c <= '9');
    }
}
