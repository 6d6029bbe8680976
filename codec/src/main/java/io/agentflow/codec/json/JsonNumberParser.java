package io.agentflow.codec.json;

/**
 * Number literals back to doubles, for the reader, the canonical scanner and the envelope decoder: exact and without
 * allocation when Clinger's fast path applies (as for nearly every number an envelope carries), else through the
 * JDK's correctly rounded {@link Double#parseDouble}. Static and thread-safe.
 */
public final class JsonNumberParser
{
    /** Digits accumulated into a long without overflow: 10^18 - 1 < 2^63 - 1, but 19 nines are not. */
    private static final int MAX_EXACT_DIGITS = 18;
    private static final double[] EXACT_POW10 = new double[23];

    static
    {
        double d = 1;
        for (int i = 0; i < EXACT_POW10.length; i++)
        {
            EXACT_POW10[i] = d;
            d *= 10;
        }
    }

    private JsonNumberParser()
    {
    }

    /**
     * Parses an RFC 8259 number literal already checked for syntax. Literals of up to 18 significant digits whose
     * value is exactly computable take a path that allocates nothing; the rest go through {@link Double#parseDouble}.
     *
     * @return the nearest double; infinite when the literal is beyond double range.
     */
    public static double parse(final byte[] b, final int start, final int end)
    {
        int i = start;
        final boolean negative = '-' == b[i];
        if (negative)
        {
            i++;
        }
        long mantissa = 0;
        int significant = 0;
        int exponent10 = 0;
        boolean exact = true;
        for (; i < end && b[i] >= '0' && b[i] <= '9'; i++)
        {
            if (significant < MAX_EXACT_DIGITS)
            {
                mantissa = mantissa * 10 + (b[i] - '0');
                if (mantissa != 0)
                {
                    significant++;
                }
            }
            else
            {
                exact = false;
                break;
            }
        }
        if (exact && i < end && '.' == b[i])
        {
            for (i++; i < end && b[i] >= '0' && b[i] <= '9'; i++)
            {
                if (significant < MAX_EXACT_DIGITS)
                {
                    mantissa = mantissa * 10 + (b[i] - '0');
                    exponent10--;
                    if (mantissa != 0)
                    {
                        significant++;
                    }
                }
                else
                {
                    exact = false;
                    break;
                }
            }
        }
        if (exact && i < end && ('e' == b[i] || 'E' == b[i]))
        {
            i++;
            boolean negativeExponent = false;
            if ('-' == b[i] || '+' == b[i])
            {
                negativeExponent = '-' == b[i];
                i++;
            }
            int e = 0;
            for (; i < end; i++)
            {
                if (e < 100_000)   // beyond this the value is 0 or infinite anyway; keep it from overflowing
                {
                    e = e * 10 + (b[i] - '0');
                }
            }
            exponent10 += negativeExponent ? -e : e;
        }
        if (exact && mantissa <= (1L << 53) && exponent10 >= -22 && exponent10 <= 22)
        {
            // Clinger's fast path: both operands are exact doubles, so one IEEE operation rounds correctly.
            final double m = (double)mantissa;
            final double value = exponent10 < 0 ? m / EXACT_POW10[-exponent10] : m * EXACT_POW10[exponent10];
            return negative ? -value : value;
        }
        return Double.parseDouble(new String(b, start, end - start, java.nio.charset.StandardCharsets.US_ASCII));
    }
}
