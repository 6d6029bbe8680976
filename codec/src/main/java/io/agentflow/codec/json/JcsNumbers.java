package io.agentflow.codec.json;

import java.math.BigInteger;

/**
 * Numbers as RFC 8785 wants them: the ECMAScript {@code Number.prototype.toString} form of an IEEE 754 double, with
 * the shortest digits that round-trip. JDK 17's {@code Double.toString} is not always shortest (JDK-4511638), so
 * the digits come from our own implementation of Giulietti's Schubfach algorithm ("The Schubfach way to render
 * doubles", 2021), which JDK 19+ also uses. The table of 126-bit powers of ten is computed once at class load.
 * <p>
 * Writing never allocates: callers reserve {@link #MAX_CHARS} bytes and the digits go straight into their array.
 * All methods are static and thread-safe. Reading a number back is {@link JsonNumberParser}'s.
 */
public final class JcsNumbers
{
    /** The longest rendering: {@code -0.0000012345678901234567} is 25 bytes; exponent forms are shorter. */
    public static final int MAX_CHARS = 26;

    /** Integers up to 2^53 are exact doubles; larger ones are rejected rather than silently rounded. */
    public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    private static final int P = 53;
    private static final int Q_MIN = -1074;
    private static final long C_MIN = 1L << P - 1;
    private static final int BQ_MASK = 0x7FF;
    private static final long T_MASK = (1L << P - 1) - 1;
    private static final long C_TINY = 3;
    private static final long MASK_63 = 0x7FFF_FFFF_FFFF_FFFFL;

    private static final int K_MIN = -324;
    private static final int K_MAX = 292;
    private static final long[] G = powersOfTen();

    private static final byte[] MIN_VALUE_CHARS = {'5', 'e', '-', '3', '2', '4'};
    private static final long[] POW10 = new long[19];

    static
    {
        long p = 1;
        for (int i = 0; i < POW10.length; i++)
        {
            POW10[i] = p;
            p *= 10;
        }
    }

    private JcsNumbers()
    {
    }

    /**
     * Writes the JCS form of {@code v} at {@code pos}; {@code dst} must have {@link #MAX_CHARS} bytes free there.
     *
     * @return the position after the last byte written.
     * @throws IllegalArgumentException for NaN and the infinities, which JSON cannot carry.
     */
    public static int write(final double v, final byte[] dst, final int pos)
    {
        final long bits = Double.doubleToRawLongBits(v);
        final long t = bits & T_MASK;
        final int bq = (int)(bits >>> P - 1) & BQ_MASK;
        if (bq == BQ_MASK)
        {
            throw new IllegalArgumentException("not a finite number: " + v);
        }
        int p = pos;
        if (bits < 0 && (bits & MASK_63) != 0)   // -0 renders as "0"
        {
            dst[p++] = '-';
        }
        if (bq != 0)
        {
            final int mq = -Q_MIN + 1 - bq;
            final long c = C_MIN | t;
            if (0 < mq && mq < P)
            {
                final long f = c >> mq;
                if (f << mq == c)   // an integer below 2^53: its digits are exact
                {
                    return layout(f, 0, dst, p);
                }
            }
            return toDecimal(-mq, c, 0, dst, p);
        }
        if (1 == t)
        {
            // Double.MIN_VALUE: Schubfach's C_TINY step yields two digits (Java's "4.9E-324"); ECMAScript wants one
            System.arraycopy(MIN_VALUE_CHARS, 0, dst, p, MIN_VALUE_CHARS.length);
            return p + MIN_VALUE_CHARS.length;
        }
        if (t != 0)
        {
            return t < C_TINY ? toDecimal(Q_MIN, 10 * t, -1, dst, p) : toDecimal(Q_MIN, t, 0, dst, p);
        }
        dst[p] = '0';
        return p + 1;
    }

    /** Writes a long in JCS form (plain decimal digits); callers keep it within {@link #MAX_SAFE_INTEGER}. */
    public static int write(final long v, final byte[] dst, final int pos)
    {
        if (0 == v)
        {
            dst[pos] = '0';
            return pos + 1;
        }
        int p = pos;
        long u = v;
        if (u < 0)
        {
            dst[p++] = '-';
            u = -u;
        }
        final int digits = digitCount(u);
        writeDigits(u, digits, dst, p);
        return p + digits;
    }

    private static int toDecimal(final int q, final long c, final int dk, final byte[] dst, final int pos)
    {
        final int out = (int)c & 0x1;
        final long cb = c << 2;
        final long cbr = cb + 2;
        final long cbl;
        final int k;
        if (c != C_MIN || q == Q_MIN)
        {
            cbl = cb - 2;
            k = flog10pow2(q);
        }
        else
        {
            cbl = cb - 1;
            k = flog10threeQuartersPow2(q);
        }
        final int h = q + flog2pow10(-k) + 2;
        final long g1 = G[k - K_MIN << 1];
        final long g0 = G[k - K_MIN << 1 | 1];

        final long vb = rop(g1, g0, cb << h);
        final long vbl = rop(g1, g0, cbl << h);
        final long vbr = rop(g1, g0, cbr << h);

        final long s = vb >> 2;
        if (s >= 100)
        {
            // s' = floor(s / 10); try the shorter candidates sp10 and tp10 first
            final long sp10 = 10 * Math.multiplyHigh(s, 115_292_150_460_684_698L << 4);
            final long tp10 = sp10 + 10;
            final boolean upin = vbl + out <= sp10 << 2;
            final boolean wpin = (tp10 << 2) + out <= vbr;
            if (upin != wpin)
            {
                return layout(upin ? sp10 : tp10, k, dst, pos);
            }
        }
        final long t = s + 1;
        final boolean uin = vbl + out <= s << 2;
        final boolean win = (t << 2) + out <= vbr;
        if (uin != win)
        {
            return layout(uin ? s : t, k + dk, dst, pos);
        }
        final long cmp = vb - (s + t << 1);   // both in range: take the closer, ties to even
        return layout(cmp < 0 || 0 == cmp && (s & 0x1) == 0 ? s : t, k + dk, dst, pos);
    }

    private static long rop(final long g1, final long g0, final long cp)
    {
        final long x1 = Math.multiplyHigh(g0, cp);
        final long y0 = g1 * cp;
        final long y1 = Math.multiplyHigh(g1, cp);
        final long z = (y0 >>> 1) + x1;
        final long vbp = y1 + (z >>> 63);
        return vbp | (z & MASK_63) + MASK_63 >>> 63;
    }

    /**
     * Lays out {@code f * 10^e} as ECMAScript does (ECMA-262, Number::toString): plain digits up to 21 integer
     * digits, "0.000ddd" down to 1e-6, otherwise "d.ddde+x".
     */
    private static int layout(final long digitsIn, final int exponentIn, final byte[] dst, final int pos)
    {
        long f = digitsIn;
        int e = exponentIn;
        while (f % 10 == 0)
        {
            f /= 10;
            e++;
        }
        final int k = digitCount(f);
        final int n = e + k;   // the value is 0.d1d2...dk * 10^n
        int p = pos;
        if (k <= n && n <= 21)
        {
            writeDigits(f, k, dst, p);
            p += k;
            for (int z = k; z < n; z++)
            {
                dst[p++] = '0';
            }
            return p;
        }
        if (0 < n && n <= 21)
        {
            writeDigits(f, k, dst, p + 1);
            System.arraycopy(dst, p + 1, dst, p, n);
            dst[p + n] = '.';
            return p + k + 1;
        }
        if (-6 < n && n <= 0)
        {
            dst[p++] = '0';
            dst[p++] = '.';
            for (int z = n; z < 0; z++)
            {
                dst[p++] = '0';
            }
            writeDigits(f, k, dst, p);
            return p + k;
        }
        writeDigits(f, k, dst, p + 1);
        dst[p] = dst[p + 1];
        if (k > 1)
        {
            dst[p + 1] = '.';
            p += k + 1;
        }
        else
        {
            p += 1;
        }
        dst[p++] = 'e';
        int x = n - 1;
        dst[p++] = (byte)(x < 0 ? '-' : '+');
        x = Math.abs(x);
        final int xDigits = x >= 100 ? 3 : x >= 10 ? 2 : 1;
        writeDigits(x, xDigits, dst, p);
        return p + xDigits;
    }

    private static void writeDigits(final long value, final int count, final byte[] dst, final int pos)
    {
        long v = value;
        for (int i = pos + count - 1; i >= pos; i--)
        {
            final long q = v / 10;
            dst[i] = (byte)('0' + (v - q * 10));
            v = q;
        }
    }

    private static int digitCount(final long v)
    {
        int d = 1;
        while (d < 19 && v >= POW10[d])
        {
            d++;
        }
        return d;
    }

    private static int flog10pow2(final int e)
    {
        return (int)(e * 661_971_961_083L >> 41);
    }

    private static int flog10threeQuartersPow2(final int e)
    {
        return (int)(e * 661_971_961_083L + -274_743_187_321L >> 41);
    }

    private static int flog2pow10(final int e)
    {
        return (int)(e * 913_124_641_741L >> 38);
    }

    /**
     * For each k in [K_MIN, K_MAX]: 10^-k = beta * 2^r with 2^125 <= beta < 2^126; g = floor(beta) + 1, stored as
     * its high 63 bits then its low 63 bits.
     */
    private static long[] powersOfTen()
    {
        final long[] g = new long[(K_MAX - K_MIN + 1) * 2];
        final BigInteger mask63 = BigInteger.ONE.shiftLeft(63).subtract(BigInteger.ONE);
        for (int k = K_MIN; k <= K_MAX; k++)
        {
            final int r = flog2pow10(-k) - 125;
            BigInteger numerator = BigInteger.ONE;
            BigInteger denominator = BigInteger.ONE;
            if (-k >= 0)
            {
                numerator = BigInteger.TEN.pow(-k);
            }
            else
            {
                denominator = BigInteger.TEN.pow(k);
            }
            if (r >= 0)
            {
                denominator = denominator.shiftLeft(r);
            }
            else
            {
                numerator = numerator.shiftLeft(-r);
            }
            final BigInteger value = numerator.divide(denominator).add(BigInteger.ONE);
            g[k - K_MIN << 1] = value.shiftRight(63).longValueExact();
            g[k - K_MIN << 1 | 1] = value.and(mask63).longValue();
        }
        return g;
    }

    /** Test hook: the table entry pair for {@code k}. */
    static long[] tableEntry(final int k)
    {
        return new long[]{G[k - K_MIN << 1], G[k - K_MIN << 1 | 1]};
    }
}
