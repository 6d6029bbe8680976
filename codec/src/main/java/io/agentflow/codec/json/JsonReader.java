package io.agentflow.codec.json;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader of I-JSON (RFC 7493) from UTF-8 bytes into a tree: {@code LinkedHashMap<String, Object>},
 * {@code ArrayList<Object>}, {@code String}, {@code Long} (integer literals within +-(2^53-1)), {@code Double},
 * {@code Boolean} and {@code null}.
 * <p>
 * It rejects, with a {@link MessageError} of code {@code serialization_error} naming the byte offset: syntax errors,
 * duplicate member names, lone surrogates (raw or escaped), invalid or overlong UTF-8, numbers beyond double range,
 * input larger than {@link JsonLimits#maxBytes()}, nesting deeper than {@link JsonLimits#maxDepth()} and more
 * values than {@link JsonLimits#maxValues()}. Depth is checked before recursing, so no input can overflow the stack,
 * and values are counted as they are read, so no input can make a tree much larger than itself. Not thread-safe: one per thread, reusable.
 */
public final class JsonReader
{
    private final JsonLimits limits;
    private final StringBuilder chars = new StringBuilder(64);
    private byte[] b;
    private int pos;
    private int end;
    private int start;
    private int values;

    public JsonReader()
    {
        this(JsonLimits.DEFAULT);
    }

    public JsonReader(final JsonLimits limits)
    {
        this.limits = limits;
    }

    /** Reads exactly one JSON document from {@code bytes}, allowing whitespace around it. */
    public Object read(final byte[] bytes)
    {
        return read(bytes, 0, bytes.length);
    }

    /** Reads exactly one JSON document from {@code bytes[offset, offset + length)}. */
    public Object read(final byte[] bytes, final int offset, final int length)
    {
        if (length > limits.maxBytes())
        {
            throw new MessageError(
                ErrorCode.SERIALIZATION_ERROR,
                "input too large: length=" + length + ", maxBytes=" + limits.maxBytes(),
                Map.of("length", length, "max_bytes", limits.maxBytes()),
                null);
        }
        b = bytes;
        start = offset;
        pos = offset;
        end = offset + length;
        values = 0;
        try
        {
            skipWhitespace();
            final Object value = readValue(0);
            skipWhitespace();
            if (pos != end)
            {
                throw error("unexpected data after the JSON value");
            }
            return value;
        }
        finally
        {
            b = null;
        }
    }

    private Object readValue(final int depth)
    {
        if (pos >= end)
        {
            throw error("unexpected end of input");
        }
        if (++values > limits.maxValues())
        {
            throw new MessageError(ErrorCode.SERIALIZATION_ERROR,
                "too many values: more than " + limits.maxValues() + " at offset " + (pos - start),
                Map.of("offset", pos - start, "max_values", limits.maxValues()), null);
        }
        final byte c = b[pos];
        switch (c)
        {
            case '{':
                return readObject(depth + 1);
            case '[':
                return readArray(depth + 1);
            case '"':
                return readString();
            case 't':
                expectLiteral("true");
                return Boolean.TRUE;
            case 'f':
                expectLiteral("false");
                return Boolean.FALSE;
            case 'n':
                expectLiteral("null");
                return null;
            default:
                if ('-' == c || (c >= '0' && c <= '9'))
                {
                    return readNumber();
                }
                throw error("unexpected character '" + JsonEscapes.printable(c) + "'");
        }
    }

    private Map<String, Object> readObject(final int depth)
    {
        checkDepth(depth);
        pos++;
        final Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (pos < end && '}' == b[pos])
        {
            pos++;
            return map;
        }
        while (true)
        {
            skipWhitespace();
            if (pos >= end || '"' != b[pos])
            {
                throw error("expected a member name");
            }
            final int nameOffset = pos;
            final String name = readString();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            final Object value = readValue(depth);
            if (map.containsKey(name))
            {
                throw new MessageError(
                    ErrorCode.SERIALIZATION_ERROR,
                    "duplicate member name \"" + name + "\" at offset " + (nameOffset - start),
                    Map.of("offset", nameOffset - start, "name", name),
                    null);
            }
            map.put(name, value);
            skipWhitespace();
            if (pos < end && ',' == b[pos])
            {
                pos++;
                continue;
            }
            expect('}');
            return map;
        }
    }

    private List<Object> readArray(final int depth)
    {
        checkDepth(depth);
        pos++;
        final List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (pos < end && ']' == b[pos])
        {
            pos++;
            return list;
        }
        while (true)
        {
            skipWhitespace();
            list.add(readValue(depth));
            skipWhitespace();
            if (pos < end && ',' == b[pos])
            {
                pos++;
                continue;
            }
            expect(']');
            return list;
        }
    }

    private String readString()
    {
        pos++;   // opening quote
        final int contentStart = pos;
        // fast scan: plain ASCII with no escapes becomes a String in one copy
        while (pos < end)
        {
            final int c = b[pos];
            if ('"' == c)
            {
                final String s = new String(b, contentStart, pos - contentStart, StandardCharsets.ISO_8859_1);
                pos++;
                return s;
            }
            if ('\\' == c || c < 0x20)   // negative bytes (non-ASCII) are below 0x20 too
            {
                break;
            }
            pos++;
        }
        final StringBuilder sb = chars;
        sb.setLength(0);
        for (int i = contentStart; i < pos; i++)
        {
            sb.append((char)b[i]);
        }
        while (true)
        {
            if (pos >= end)
            {
                throw error("unterminated string");
            }
            final int c = b[pos] & 0xFF;
            if ('"' == c)
            {
                pos++;
                return sb.toString();
            }
            if ('\\' == c)
            {
                pos = JsonEscapes.append(b, pos, end, start, sb);
            }
            else if (c < 0x20)
            {
                throw error("control character U+00" + JsonEscapes.hex2(c) + " must be escaped in a string");
            }
            else if (c < 0x80)
            {
                sb.append((char)c);
                pos++;
            }
            else
            {
                final int length = Utf8.sequenceLength(b, pos, end, c);
                if (length < 0)
                {
                    throw error("invalid UTF-8 byte 0x" + JsonEscapes.hex2(c));
                }
                sb.appendCodePoint(Utf8.codePoint(b, pos, length));
                pos += length;
            }
        }
    }

    private Object readNumber()
    {
        final int numberStart = pos;
        final int numberEnd = NumberSyntax.scan(b, pos, end);
        if (numberEnd < 0)
        {
            pos = -numberEnd;
            throw error("invalid number");
        }
        pos = numberEnd;
        final double value = JsonNumberParser.parse(b, numberStart, numberEnd);
        if (Double.isInfinite(value))
        {
            throw new MessageError(
                ErrorCode.SERIALIZATION_ERROR,
                "number outside double range at offset " + (numberStart - start),
                Map.of("offset", numberStart - start),
                null);
        }
        if (NumberSyntax.isIntegerLiteral(b, numberStart, numberEnd) && Math.abs(value) <= JcsNumbers.MAX_SAFE_INTEGER)
        {
            return (long)value;
        }
        return value;
    }

    private void expectLiteral(final String literal)
    {
        final int n = literal.length();
        if (pos + n > end)
        {
            throw error("unexpected end of input");
        }
        for (int i = 0; i < n; i++)
        {
            if (b[pos + i] != literal.charAt(i))
            {
                pos += i;
                throw error("invalid literal, expected " + literal);
            }
        }
        pos += n;
    }

    private void expect(final char c)
    {
        if (pos >= end)
        {
            throw error("unexpected end of input, expected '" + c + "'");
        }
        if (b[pos] != c)
        {
            throw error("expected '" + c + "' but found '" + JsonEscapes.printable(b[pos]) + "'");
        }
        pos++;
    }

    private void skipWhitespace()
    {
        while (pos < end)
        {
            final byte c = b[pos];
            if (' ' != c && '\n' != c && '\r' != c && '\t' != c)
            {
                return;
            }
            pos++;
        }
    }

    private void checkDepth(final int depth)
    {
        if (depth > limits.maxDepth())
        {
            throw new MessageError(
                ErrorCode.SERIALIZATION_ERROR,
                "nesting too deep at offset " + (pos - start) + ": maxDepth=" + limits.maxDepth(),
                Map.of("offset", pos - start, "max_depth", limits.maxDepth()),
                null);
        }
    }

    private MessageError error(final String message)
    {
        return MessageError.atOffset(ErrorCode.SERIALIZATION_ERROR, pos - start, message);
    }
}
