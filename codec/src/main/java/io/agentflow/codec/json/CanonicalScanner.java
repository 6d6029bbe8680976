package io.agentflow.codec.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

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
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101_0101_0101_0101L;
    private static final long HIGHS = 0x8080_8080_8080_8080L;

    private final JsonLimits limits;
    private final int[] spans = new int[MAX_MEMBERS * 4];
    private final CanonicalNumbers numbers = new CanonicalNumbers();
    private final NameOrder names = new NameOrder();
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
                i = numbers.end(a, i, limit);
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
        if (previous >= 0 && names.compare(b, previous, previousNameEnd[depth], previousNameSpecial[depth], start, i,
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

    private int literal(final int i, final char c0, final char c1, final char c2, final char c3)
    {
        return i + 4 <= end && c0 == b[i] && c1 == b[i + 1] && c2 == b[i + 2] && c3 == b[i + 3] ? i + 4 : -1;
    }

    /** @return the value of a lowercase hex digit, or a large negative number for anything else. */
    static int lowerHex(final int c)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1000;
    }
}
