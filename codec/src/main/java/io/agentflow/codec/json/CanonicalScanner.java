package io.agentflow.codec.json;

import java.util.Arrays;

/**
 * Decides in one pass, without allocating, whether bytes are exactly the RFC 8785 canonical form of a JSON object,
 * and records where each top-level member's name and value lie. This is the fast path of verification: when the
 * bytes are canonical, hashing them (minus the hash member) gives the same result as parsing and re-canonicalizing.
 * <p>
 * Canonical means: no whitespace; member names strictly increasing in UTF-16 code unit order at every level (which
 * also rules out duplicates); strings in well-formed UTF-8 with only the escapes JCS writes; numbers exactly as
 * {@link JcsNumbers} writes them; within the size and depth limits. Anything else, including invalid JSON, gets
 * {@code false}: the caller then takes the full path through {@link JsonReader}, which reports precise errors.
 * Not thread-safe: one per thread, reusable.
 *
 * <pre>
 *   {"cost":{...},"envelope_hash":"ab12...","from":"a",...}
 *    ^    ^ ^    ^
 *    |    | |    valueEnd(0)
 *    |    | valueStart(0)
 *    |    nameEnd(0) (after the closing quote)
 *    nameStart(0) (at the opening quote)
 * </pre>
 */
public final class CanonicalScanner
{
    private static final int MAX_MEMBERS = 32;

    private final JsonLimits limits;
    private final int[] spans = new int[MAX_MEMBERS * 4];
    private final byte[] numberScratch = new byte[JcsNumbers.MAX_CHARS];
    private char[] unitsA = new char[64];
    private char[] unitsB = new char[64];
    private int members;
    private boolean nameSpecial;   // set by scanString: the string has escapes or chars where UTF-8 order != UTF-16
    private byte[] b;
    private int end;

    public CanonicalScanner()
    {
        this(JsonLimits.DEFAULT);
    }

    public CanonicalScanner(final JsonLimits limits)
    {
        this.limits = limits;
    }

    /**
     * @return whether {@code bytes[offset, offset + length)} is exactly one canonical JSON object within the limits
     * with at most 32 members.
     */
    public boolean scanObject(final byte[] bytes, final int offset, final int length)
    {
        members = 0;
        if (length > limits.maxBytes() || length < 2 || '{' != bytes[offset])
        {
            return false;
        }
        b = bytes;
        end = offset + length;
        try
        {
            return scanValue(offset, 0) == end;
        }
        finally
        {
            b = null;
        }
    }

    /** @return the number of top-level members recorded by the last successful {@link #scanObject}. */
    public int members()
    {
        return members;
    }

    public int nameStart(final int i)
    {
        return spans[i << 2];
    }

    public int nameEnd(final int i)
    {
        return spans[(i << 2) + 1];
    }

    public int valueStart(final int i)
    {
        return spans[(i << 2) + 2];
    }

    public int valueEnd(final int i)
    {
        return spans[(i << 2) + 3];
    }

    /** @return whether the name of member {@code i} equals the given ASCII name (no escapes). */
    public boolean nameEquals(final byte[] bytes, final int i, final byte[] quotedAsciiName)
    {
        final int s = nameStart(i);
        return Arrays.equals(bytes, s, nameEnd(i), quotedAsciiName, 0, quotedAsciiName.length);
    }

    /** @return the end of the value at {@code i}, or -1 when it is not canonical. */
    private int scanValue(final int i, final int depth)
    {
        if (i >= end)
        {
            return -1;
        }
        switch (b[i])
        {
            case '{': return scanObjectAt(i, depth + 1);
            case '[': return scanArray(i, depth + 1);
            case '"': return scanString(i);
            case 't': return literal(i, 't', 'r', 'u', 'e');
            case 'f': return literal(i + 1, 'a', 'l', 's', 'e');
            case 'n': return literal(i, 'n', 'u', 'l', 'l');
            default: return scanNumber(i);
        }
    }

    private int scanObjectAt(final int open, final int depth)
    {
        if (depth > limits.maxDepth())
        {
            return -1;
        }
        int i = open + 1;
        if (i < end && '}' == b[i])
        {
            return i + 1;
        }
        int previousStart = -1;
        int previousEnd = -1;
        boolean previousSpecial = false;
        while (true)
        {
            if (i >= end || '"' != b[i])
            {
                return -1;
            }
            final int nameStart = i;
            i = scanString(i);
            if (i < 0 || i >= end || ':' != b[i])
            {
                return -1;
            }
            final boolean special = nameSpecial;
            if (previousStart >= 0
                && compareNames(previousStart, previousEnd, previousSpecial, nameStart, i, special) >= 0)
            {
                return -1;   // out of order or duplicate
            }
            final int valueStart = i + 1;
            i = scanValue(valueStart, depth);
            if (i < 0)
            {
                return -1;
            }
            if (1 == depth)
            {
                if (members == MAX_MEMBERS)
                {
                    return -1;
                }
                final int base = members++ << 2;
                spans[base] = nameStart;
                spans[base + 1] = valueStart - 1;
                spans[base + 2] = valueStart;
                spans[base + 3] = i;
            }
            previousStart = nameStart;
            previousEnd = valueStart - 1;
            previousSpecial = special;
            if (i < end && ',' == b[i])
            {
                i++;
                continue;
            }
            return i < end && '}' == b[i] ? i + 1 : -1;
        }
    }

    private int scanArray(final int open, final int depth)
    {
        if (depth > limits.maxDepth())
        {
            return -1;
        }
        int i = open + 1;
        if (i < end && ']' == b[i])
        {
            return i + 1;
        }
        while (true)
        {
            i = scanValue(i, depth);
            if (i < 0 || i >= end)
            {
                return -1;
            }
            if (',' == b[i])
            {
                i++;
                continue;
            }
            return ']' == b[i] ? i + 1 : -1;
        }
    }

    /** Scans a string starting at its opening quote; sets {@link #nameSpecial}. @return the end, or -1. */
    private int scanString(final int open)
    {
        final byte[] a = b;
        final int limit = end;
        boolean special = false;
        int i = open + 1;
        while (i < limit)
        {
            final int c = a[i];
            if (c >= 0x20 && c != '"' && c != '\\')   // printable ASCII, the common case
            {
                i++;
                continue;
            }
            if ('"' == c)
            {
                nameSpecial = special;
                return i + 1;
            }
            if ('\\' == c)
            {
                special = true;
                final int next = escapeEnd(i);
                if (next < 0)
                {
                    return -1;
                }
                i = next;
                continue;
            }
            if (c >= 0)
            {
                return -1;   // raw control character
            }
            final int lead = c & 0xFF;
            final int length = Utf8.sequenceLength(a, i, limit, lead);
            if (length < 0)
            {
                return -1;
            }
            special |= lead >= 0xEE;   // U+E000..U+10FFFF: where UTF-8 byte order and UTF-16 order differ
            i += length;
        }
        return -1;
    }

    /** @return the end of the escape at {@code i} when it is one JCS writes, else -1. */
    private int escapeEnd(final int i)
    {
        if (i + 1 >= end)
        {
            return -1;
        }
        switch (b[i + 1])
        {
            case '"': case '\\': case 'b': case 'f': case 'n': case 'r': case 't':
                return i + 2;
            case 'u':
                if (i + 5 >= end || '0' != b[i + 2] || '0' != b[i + 3])
                {
                    return -1;
                }
                final int hi = b[i + 4];
                final int lo = b[i + 5];
                final int v = ('1' == hi ? 16 : '0' == hi ? 0 : -1000) + lowerHex(lo);
                if (v < 0 || 0x08 == v || 0x09 == v || 0x0A == v || 0x0C == v || 0x0D == v)
                {
                    return -1;   // not a control, or one with a short escape
                }
                return i + 6;
            default:
                return -1;
        }
    }

    private int scanNumber(final int start)
    {
        final int numberEnd = NumberSyntax.scan(b, start, end);
        if (numberEnd < 0)
        {
            return -1;
        }
        final double value = JcsNumbers.parse(b, start, numberEnd);
        if (!Double.isFinite(value))
        {
            return -1;
        }
        final int length = JcsNumbers.write(value, numberScratch, 0);
        return Arrays.equals(b, start, numberEnd, numberScratch, 0, length) ? numberEnd : -1;
    }

    private int literal(final int i, final char c0, final char c1, final char c2, final char c3)
    {
        return i + 4 <= end && c0 == b[i] && c1 == b[i + 1] && c2 == b[i + 2] && c3 == b[i + 3] ? i + 4 : -1;
    }

    private int compareNames(
        final int aStart, final int aEnd, final boolean aSpecial, final int bStart, final int bEnd, final boolean bSpecial)
    {
        if (!aSpecial && !bSpecial)
        {
            // no escapes, no chars above U+E000: byte order is UTF-16 order; compare inside the quotes
            return Arrays.compareUnsigned(b, aStart + 1, aEnd - 1, b, bStart + 1, bEnd - 1);
        }
        final int na = decodeUnits(aStart + 1, aEnd - 1, true);
        final int nb = decodeUnits(bStart + 1, bEnd - 1, false);
        return Arrays.compare(unitsA, 0, na, unitsB, 0, nb);
    }

    /** Decodes an already scanned canonical string body into UTF-16 code units. */
    private int decodeUnits(final int start, final int stop, final boolean intoA)
    {
        char[] units = intoA ? unitsA : unitsB;
        if (units.length < stop - start)
        {
            units = new char[Math.max(stop - start, units.length * 2)];
            if (intoA)
            {
                unitsA = units;
            }
            else
            {
                unitsB = units;
            }
        }
        int n = 0;
        int i = start;
        while (i < stop)
        {
            final int c = b[i] & 0xFF;
            if ('\\' == c)
            {
                final byte e = b[i + 1];
                switch (e)
                {
                    case 'b': units[n++] = '\b'; i += 2; break;
                    case 'f': units[n++] = '\f'; i += 2; break;
                    case 'n': units[n++] = '\n'; i += 2; break;
                    case 'r': units[n++] = '\r'; i += 2; break;
                    case 't': units[n++] = '\t'; i += 2; break;
                    case 'u': units[n++] = (char)((b[i + 4] - '0') * 16 + lowerHex(b[i + 5])); i += 6; break;
                    default: units[n++] = (char)e; i += 2; break;
                }
            }
            else if (c < 0x80)
            {
                units[n++] = (char)c;
                i++;
            }
            else
            {
                final int length = Utf8.sequenceLength(b, i, stop, c);
                final int cp = Utf8.codePoint(b, i, length);
                if (cp >= 0x10000)
                {
                    units[n++] = Character.highSurrogate(cp);
                    units[n++] = Character.lowSurrogate(cp);
                }
                else
                {
                    units[n++] = (char)cp;
                }
                i += length;
            }
        }
        return n;
    }

    private static int lowerHex(final int c)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1000;
    }
}
