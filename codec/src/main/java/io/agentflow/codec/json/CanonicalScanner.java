package io.agentflow.codec.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
    private static final int UNDECIDED = Integer.MIN_VALUE;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101_0101_0101_0101L;
    private static final long HIGHS = 0x8080_8080_8080_8080L;

    private final JsonLimits limits;
    private final int[] spans = new int[MAX_MEMBERS * 4];
    private final byte[] numberScratch = new byte[JcsNumbers.MAX_CHARS];
    private char[] unitsA = new char[64];
    private char[] unitsB = new char[64];
    private int members;
    private boolean[] containerIsObject = new boolean[0];
    private int[] previousNameStart = new int[0];
    private int[] previousNameEnd = new int[0];
    private boolean[] previousNameSpecial = new boolean[0];
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
            return scan(offset) == end;
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

    /** @return whether the name of member {@code i} equals the given quoted ASCII name. */
    public boolean nameEquals(final byte[] bytes, final int i, final byte[] quotedAsciiName)
    {
        final int s = nameStart(i);
        final int n = quotedAsciiName.length;
        if (nameEnd(i) - s != n)
        {
            return false;
        }
        for (int k = 0; k < n; k++)
        {
            if (bytes[s + k] != quotedAsciiName[k])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * One value, iteratively over an explicit stack of open containers: the outer loop reads a value, the inner
     * one what follows it (a comma and maybe a name, or closing brackets). Depth never touches the thread's stack.
     *
     * @return the end of the value at {@code start}, or -1 when it is not canonical.
     */
    private int scan(final int start)
    {
        final byte[] a = b;
        final int limit = end;
        final int maxDepth = limits.maxDepth();
        ensureStack(maxDepth);
        final boolean[] isObject = containerIsObject;
        int depth = 0;
        int i = start;
        readValue:
        while (true)
        {
            if (i >= limit)
            {
                return -1;
            }
            final byte c = a[i];
            if ('"' == c)
            {
                i = scanString(i);
            }
            else if ('{' == c || '[' == c)
            {
                if (++depth > maxDepth)
                {
                    return -1;
                }
                final boolean object = '{' == c;
                isObject[depth] = object;
                previousNameStart[depth] = -1;
                i++;
                if (i < limit && (object ? '}' : ']') == a[i])
                {
                    i++;
                    depth--;
                }
                else
                {
                    if (object && (i = scanName(i, depth)) < 0)
                    {
                        return -1;
                    }
                    continue;
                }
            }
            else if ('t' == c)
            {
                i = literal(i, 't', 'r', 'u', 'e');
            }
            else if ('f' == c)
            {
                i = literal(i + 1, 'a', 'l', 's', 'e');
            }
            else if ('n' == c)
            {
                i = literal(i, 'n', 'u', 'l', 'l');
            }
            else
            {
                i = scanNumber(i);
            }
            if (i < 0)
            {
                return -1;
            }
            while (true)   // a value just ended at this depth
            {
                if (1 == depth)
                {
                    spans[(members++ << 2) + 3] = i;
                }
                if (0 == depth)
                {
                    return i;
                }
                if (i >= limit)
                {
                    return -1;
                }
                final byte d = a[i];
                if (',' == d)
                {
                    i++;
                    if (isObject[depth] && (i = scanName(i, depth)) < 0)
                    {
                        return -1;
                    }
                    continue readValue;
                }
                if ((isObject[depth] ? '}' : ']') != d)
                {
                    return -1;
                }
                i++;
                depth--;
            }
        }
    }

    /**
     * Reads a member name and its colon, checking that it sorts after the previous name at this depth.
     *
     * @return the position after the colon, or -1.
     */
    private int scanName(final int start, final int depth)
    {
        if (start >= end || '"' != b[start])
        {
            return -1;
        }
        final int i = scanString(start);
        if (i < 0 || i >= end || ':' != b[i])
        {
            return -1;
        }
        final int previous = previousNameStart[depth];
        if (previous >= 0 && compareNames(previous, previousNameEnd[depth], previousNameSpecial[depth], start, i,
            nameSpecial) >= 0)
        {
            return -1;   // out of order, or a duplicate
        }
        previousNameStart[depth] = start;
        previousNameEnd[depth] = i;
        previousNameSpecial[depth] = nameSpecial;
        if (1 == depth)
        {
            if (members == MAX_MEMBERS)
            {
                return -1;
            }
            final int base = members << 2;
            spans[base] = start;
            spans[base + 1] = i;
            spans[base + 2] = i + 1;
        }
        return i + 1;
    }

    private void ensureStack(final int maxDepth)
    {
        if (containerIsObject.length < maxDepth + 2)
        {
            containerIsObject = new boolean[maxDepth + 2];
            previousNameStart = new int[maxDepth + 2];
            previousNameEnd = new int[maxDepth + 2];
            previousNameSpecial = new boolean[maxDepth + 2];
        }
    }

    /** Scans a string starting at its opening quote; sets {@link #nameSpecial}. @return the end, or -1. */
    private int scanString(final int open)
    {
        final byte[] a = b;
        final int limit = end;
        boolean special = false;
        int i = open + 1;
        while (true)
        {
            // skip plain bytes (printable ASCII but quote and backslash) 8 at a time, landing on the first other
            if (i + 8 <= limit)
            {
                final long mask = specialBytes((long)LONGS.get(a, i));
                if (0 == mask)
                {
                    i += 8;
                    continue;
                }
                i += Long.numberOfTrailingZeros(mask) >>> 3;
            }
            else
            {
                while (i < limit && a[i] >= 0x20 && a[i] != '"' && a[i] != '\\')
                {
                    i++;
                }
                if (i >= limit)
                {
                    return -1;
                }
            }
            final int c = a[i];
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
    }

    /**
     * SWAR over 8 bytes read little-endian: the high bit of each byte that is >= 0x80, < 0x20, '"' or '\\'.
     * Borrows can flag a byte above a true match, never below one, so the lowest flag is always a real one.
     */
    private static long specialBytes(final long v)
    {
        final long control = (v - 0x20 * ONES) & ~v;
        final long quote = v ^ ('"' * ONES);
        final long backslash = v ^ ('\\' * ONES);
        return (control | ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash) | v) & HIGHS;
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

    /** @return the end of the number at {@code start} when it is written canonically, else -1. */
    private int scanNumber(final int start)
    {
        final int plainEnd = plainNumberEnd(start);
        if (UNDECIDED != plainEnd)
        {
            return plainEnd;
        }
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

    /**
     * Judges most literals by their spelling, in one pass. A decimal of at most 15 significant digits survives the
     * trip through the nearest (normal) double and back, so the shortest form of that double is the literal
     * itself: such a literal without exponent, below 10^21 and at least 10^-6, is canonical iff it has no leading
     * zero, no trailing fractional zero, and is not a negative zero.
     *
     * @return the end of a canonical literal, -1 for one that is not canonical (or not a number), or
     * {@link #UNDECIDED} (exponents, more digits, tiny values): parse and rewrite it to judge.
     */
    private int plainNumberEnd(final int start)
    {
        final byte[] a = b;
        final int limit = end;
        int i = start;
        final boolean negative = '-' == a[i];
        if (negative)
        {
            i++;
        }
        if (i >= limit)
        {
            return -1;
        }
        int significant;
        int trailingZeros = 0;
        int intDigits;
        if ('0' == a[i])
        {
            i++;
            intDigits = 1;
            significant = 0;
        }
        else if (a[i] >= '1' && a[i] <= '9')
        {
            final int intStart = i;
            while (i < limit && a[i] >= '0' && a[i] <= '9')
            {
                trailingZeros = '0' == a[i] ? trailingZeros + 1 : 0;
                i++;
            }
            intDigits = i - intStart;
            significant = intDigits;
        }
        else
        {
            return -1;
        }
        if (i < limit && '.' == a[i])
        {
            final int fracStart = ++i;
            int leadingZeros = 0;
            if (0 == significant)
            {
                while (i < limit && '0' == a[i])
                {
                    i++;
                }
                leadingZeros = i - fracStart;
            }
            while (i < limit && a[i] >= '0' && a[i] <= '9')
            {
                i++;
            }
            if (i == fracStart || '0' == a[i - 1])
            {
                return -1;   // "1." is not JSON; a trailing fractional zero is not canonical
            }
            if (leadingZeros > 5)
            {
                return UNDECIDED;   // below 10^-6: exponent form in canonical JSON
            }
            significant += i - fracStart - leadingZeros;
            trailingZeros = 0;
        }
        else if (negative && 0 == significant)
        {
            return -1;   // "-0"
        }
        if (i < limit && ('e' == a[i] || 'E' == a[i]))
        {
            return UNDECIDED;
        }
        return significant - trailingZeros <= 15 && intDigits <= 21 ? i : UNDECIDED;
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
            // no escapes, no chars above U+E000: byte order is UTF-16 order. Names are short, so a plain loop
            // beats the vectorized mismatch's set-up cost.
            final byte[] a = b;
            final int aLength = aEnd - aStart;
            final int bLength = bEnd - bStart;
            final int n = Math.min(aLength, bLength) - 1;   // the closing quotes differ from any content byte
            for (int k = 1; k < n; k++)
            {
                final int diff = (a[aStart + k] & 0xFF) - (a[bStart + k] & 0xFF);
                if (0 != diff)
                {
                    return diff;
                }
            }
            return aLength - bLength;
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
