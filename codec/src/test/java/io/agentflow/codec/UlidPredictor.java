package io.agentflow.codec;

import java.util.ArrayList;
import java.util.List;

/**
 * The attacker of issue 17, finding 1: predicts a generator's next ULIDs from one it has seen, as the generator did
 * before the fix (a {@link java.util.SplittableRandom}, +1 within a millisecond). Used by {@code UlidGeneratorTest}
 * and, against JetStream's de-duplication, by bus-core's {@code IdSquattingTest}.
 */
public final class UlidPredictor
{
    private static final String ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    private UlidPredictor()
    {
    }

    /**
     * @return the ids the old generator would make after {@code seen}: the next in the same millisecond, then the
     * first of each of the next {@code windowMs} milliseconds.
     */
    public static List<String> guesses(final String seen, final int windowMs)
    {
        final long time = UlidGenerator.timeMs(seen);
        final long state = SplitMix.unmix(randomLo(seen));
        final List<String> out = new ArrayList<>();
        out.add(ulid(time, randomHi(seen), randomLo(seen) + 1));
        for (int ms = 1; ms <= windowMs; ms++)
        {
            out.add(ulid(time + ms, SplitMix.mix(state + SplitMix.GAMMA) & 0xFFFF,
                SplitMix.mix(state + 2 * SplitMix.GAMMA)));
        }
        return out;
    }

    private static String ulid(final long time, final long hi, final long lo)
    {
        final StringBuilder sb = new StringBuilder(UlidGenerator.LENGTH);
        for (int i = 9; i >= 0; i--)
        {
            sb.append(ALPHABET.charAt((int)(time >>> (5 * i)) & 0x1F));
        }
        for (int j = 0; j < 16; j++)
        {
            final int shift = 75 - 5 * j;
            final long v = shift >= 64 ? hi >>> (shift - 64) : shift > 59 ? (hi << (64 - shift)) | (lo >>> shift)
                : lo >>> shift;
            sb.append(ALPHABET.charAt((int)v & 0x1F));
        }
        return sb.toString();
    }

    /** @return the high 16 of a ULID's 80 random bits. */
    public static long randomHi(final String ulid)
    {
        return random80(ulid)[0];
    }

    /** @return the low 64 of a ULID's 80 random bits. */
    public static long randomLo(final String ulid)
    {
        return random80(ulid)[1];
    }

    private static long[] random80(final String ulid)
    {
        long hi = 0;
        long lo = 0;
        for (int i = 10; i < UlidGenerator.LENGTH; i++)
        {
            hi = (hi << 5 | lo >>> 59) & 0xFFFF;
            lo = lo << 5 | "0123456789ABCDEFGHJKMNPQRSTVWXYZ".indexOf(ulid.charAt(i));
        }
        return new long[] {hi, lo};
    }

    /** java.util.SplittableRandom's output function (JDK 17), and its inverse. */
    public static final class SplitMix
    {
        public static final long GAMMA = 0x9e3779b97f4a7c15L;
        private static final long M1 = 0xbf58476d1ce4e5b9L;
        private static final long M2 = 0x94d049bb133111ebL;

        public static long mix(final long seed)
        {
            long z = (seed ^ (seed >>> 30)) * M1;
            z = (z ^ (z >>> 27)) * M2;
            return z ^ (z >>> 31);
        }

        public static long unmix(final long out)
        {
            long z = unshift(out, 31);
            z = unshift(z * inverse(M2), 27);
            return unshift(z * inverse(M1), 30);
        }

        private static long unshift(final long x, final int shift)
        {
            long z = x;
            for (int s = shift; s < 64; s += shift)
            {
                z = x ^ (z >>> shift);
            }
            return z;
        }

        /** @return a^-1 mod 2^64 for odd a (Newton's iteration doubles the good bits each step). */
        private static long inverse(final long a)
        {
            long x = a;
            for (int i = 0; i < 6; i++)
            {
                x *= 2 - a * x;
            }
            return x;
        }
    }
}
