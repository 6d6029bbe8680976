package io.agentflow.codec.json;

import java.util.Arrays;

/**
 * The scanner's judge of number literals: canonical exactly when {@link JcsNumbers} would write the same bytes.
 * Most literals are judged by their spelling alone; the rest are parsed and written again into a scratch buffer.
 * Allocates nothing. Not thread-safe: one per scanner.
 */
final class CanonicalNumbers
{
    private static final int UNDECIDED = Integer.MIN_VALUE;

    private final byte[] numberScratch = new byte[JcsNumbers.MAX_CHARS];

    /** @return the end of the number at {@code start} when it is written canonically, else -1. */
    int end(final byte[] b, final int start, final int end)
    {
        final int plainEnd = plainEnd(b, start, end);
        if (UNDECIDED != plainEnd)
        {
            return plainEnd;
        }
        final int numberEnd = NumberSyntax.scan(b, start, end);
        if (numberEnd < 0)
        {
            return -1;
        }
        final double value = JsonNumberParser.parse(b, start, numberEnd);
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
    private static int plainEnd(final byte[] a, final int start, final int limit)
    {
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
}
