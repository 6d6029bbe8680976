package io.agentflow.codec;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Makes ULIDs (https://github.com/ulid/spec): 48 bits of milliseconds then 80 random bits, as 26 characters of
 * Crockford base32. Ids from one generator are strictly increasing: within a millisecond the random part is
 * incremented, and if it would overflow, or the clock steps back, the time part advances by one millisecond
 * instead, so the generator never fails and never repeats.
 * <p>
 * Thread-safe. {@link #next(byte[], int)} writes an id without allocating; {@link #next()} returns a String.
 * The random part comes from a {@link SplittableRandom} seeded by {@link SecureRandom}: ids must be unique, not
 * secret, and a SecureRandom call per id would cost more than the rest of the envelope.
 */
public final class UlidGenerator
{
    /** Length of a ULID in characters. */
    public static final int LENGTH = 26;

    private static final byte[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".getBytes(StandardCharsets.US_ASCII);
    private static final long MAX_TIME = (1L << 48) - 1;
    private static final long RANDOM_HI_MASK = 0xFFFFL;   // 16 bits above the low 64 random bits
    private static final UlidGenerator DEFAULT = new UlidGenerator();

    private final LongSupplier clockMs;
    private final SplittableRandom random;
    private long lastTimeMs = -1;
    private long randomHi;   // upper 16 bits of the 80-bit random part
    private long randomLo;   // lower 64 bits

    public UlidGenerator()
    {
        this(System::currentTimeMillis);
    }

    /** A generator reading time from {@code clockMs} (milliseconds since the epoch); for tests. */
    public UlidGenerator(final LongSupplier clockMs)
    {
        this.clockMs = clockMs;
        this.random = new SplittableRandom(new SecureRandom().nextLong());
    }

    /** @return the process-wide generator. */
    public static UlidGenerator shared()
    {
        return DEFAULT;
    }

    public String next()
    {
        final byte[] b = new byte[LENGTH];
        next(b, 0);
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** Writes the next id as 26 ASCII bytes at {@code dst[offset]}. */
    public void next(final byte[] dst, final int offset)
    {
        next(dst, offset, clockMs.getAsLong());
    }

    /**
     * Writes the next id as 26 ASCII bytes at {@code dst[offset]}, for a caller that has just read the clock
     * ({@code nowMs}, milliseconds since the epoch) for its own use: one clock read per message, not two.
     */
    public void next(final byte[] dst, final int offset, final long nowMs)
    {
        final long time;
        final long hi;
        final long lo;
        synchronized (this)
        {
            if (nowMs > lastTimeMs)
            {
                lastTimeMs = nowMs;
                randomHi = random.nextLong() & RANDOM_HI_MASK;
                randomLo = random.nextLong();
            }
            else if (++randomLo == 0 && (randomHi = (randomHi + 1) & RANDOM_HI_MASK) == 0)
            {
                lastTimeMs++;   // 2^80 ids in one millisecond, or the clock went back: move time on, stay monotonic
            }
            if (lastTimeMs > MAX_TIME)
            {
                throw MessageError.of(ErrorCode.VALIDATION_ERROR, "ULID time overflow: ms=" + lastTimeMs);
            }
            time = lastTimeMs;
            hi = randomHi;
            lo = randomLo;
        }
        encode(time, hi, lo, dst, offset);
    }

    /** @return whether {@code s} is a ULID in canonical form: 26 uppercase Crockford characters, first 0-7. */
    public static boolean isValid(final CharSequence s)
    {
        if (s.length() != LENGTH || s.charAt(0) < '0' || s.charAt(0) > '7')
        {
            return false;
        }
        for (int i = 1; i < LENGTH; i++)
        {
            final char c = s.charAt(i);
            final boolean digit = c >= '0' && c <= '9';
            final boolean letter = c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U';
            if (!digit && !letter)
            {
                return false;
            }
        }
        return true;
    }

    /** @return the millisecond timestamp encoded in a valid ULID. */
    public static long timeMs(final CharSequence ulid)
    {
        long t = 0;
        for (int i = 0; i < 10; i++)
        {
            t = t << 5 | decode(ulid.charAt(i));
        }
        return t;
    }

    private static int decode(final char c)
    {
        for (int i = 0; i < ALPHABET.length; i++)
        {
            if (ALPHABET[i] == c)
            {
                return i;
            }
        }
        throw MessageError.of(ErrorCode.VALIDATION_ERROR, "not a Crockford base32 character: " + c);
    }

    private static void encode(final long time, final long hi, final long lo, final byte[] dst, final int offset)
    {
        // 10 chars of time (50 bits, top 2 zero), then 16 chars of the 80 random bits
        for (int i = 9; i >= 0; i--)
        {
            dst[offset + i] = ALPHABET[(int)(time >>> (5 * (9 - i))) & 0x1F];
        }
        // random bits r79..r0 = hi(16) : lo(64); char j (0..15) holds bits [75 - 5j, 79 - 5j]
        for (int j = 0; j < 16; j++)
        {
            final int shift = 75 - 5 * j;   // position of the lowest bit of this char within the 80 bits
            final long v;
            if (shift >= 64)
            {
                v = hi >>> (shift - 64);
            }
            else if (shift > 59)
            {
                v = (hi << (64 - shift)) | (lo >>> shift);
            }
            else
            {
                v = lo >>> shift;
            }
            dst[offset + 10 + j] = ALPHABET[(int)v & 0x1F];
        }
    }
}
