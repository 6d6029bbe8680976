package io.agentflow.codec.json;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

/**
 * The reader's escapes: a backslash before one of {@code " \ / b f n r t}, or before {@code u} and four hex digits,
 * where a surrogate must come as a high and low pair (I-JSON); and how a byte is shown in an error. Static and
 * thread-safe.
 */
final class JsonEscapes
{
    private JsonEscapes()
    {
    }

    /**
     * Appends the character(s) of the escape whose backslash is at {@code at} to {@code sb}.
     *
     * @param origin where the document starts, so errors name offsets within it.
     * @return the position after the escape.
     * @throws MessageError {@code serialization_error} at the offending offset.
     */
    static int append(final byte[] b, final int at, final int end, final int origin, final StringBuilder sb)
    {
        if (at + 1 >= end)
        {
            throw error(at, origin, "unterminated escape");
        }
        final byte e = b[at + 1];
        int pos = at + 2;
        switch (e)
        {
            case '"': sb.append('"'); return pos;
            case '\\': sb.append('\\'); return pos;
            case '/': sb.append('/'); return pos;
            case 'b': sb.append('\b'); return pos;
            case 'f': sb.append('\f'); return pos;
            case 'n': sb.append('\n'); return pos;
            case 'r': sb.append('\r'); return pos;
            case 't': sb.append('\t'); return pos;
            case 'u':
                final char unit = hex4(b, pos, end, origin);
                pos += 4;
                if (Character.isHighSurrogate(unit))
                {
                    if (pos + 1 < end && '\\' == b[pos] && 'u' == b[pos + 1])
                    {
                        pos += 2;
                        final char low = hex4(b, pos, end, origin);
                        pos += 4;
                        if (Character.isLowSurrogate(low))
                        {
                            sb.append(unit).append(low);
                            return pos;
                        }
                    }
                    throw error(pos, origin, "lone surrogate \\u" + Integer.toHexString(unit));
                }
                if (Character.isLowSurrogate(unit))
                {
                    throw error(pos, origin, "lone surrogate \\u" + Integer.toHexString(unit));
                }
                sb.append(unit);
                return pos;
            default:
                throw error(at + 1, origin, "invalid escape '\\" + printable(e) + "'");
        }
    }

    /** @return a byte as itself when printable ASCII, else as {@code 0xNN}. */
    static String printable(final byte c)
    {
        return c >= 0x20 && c < 0x7F ? String.valueOf((char)c) : "0x" + hex2(c & 0xFF);
    }

    static String hex2(final int c)
    {
        return (c < 0x10 ? "0" : "") + Integer.toHexString(c);
    }

    private static char hex4(final byte[] b, final int pos, final int end, final int origin)
    {
        if (pos + 4 > end)
        {
            throw error(pos, origin, "truncated \\u escape");
        }
        int v = 0;
        for (int i = 0; i < 4; i++)
        {
            final int d = Character.digit(b[pos + i], 16);
            if (d < 0)
            {
                throw error(pos, origin, "invalid hex digit in \\u escape");
            }
            v = v << 4 | d;
        }
        return (char)v;
    }

    private static MessageError error(final int pos, final int origin, final String message)
    {
        return MessageError.atOffset(ErrorCode.SERIALIZATION_ERROR, pos - origin, message);
    }
}
