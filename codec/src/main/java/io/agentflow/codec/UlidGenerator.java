package io.agentflow.codec;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * Makes ULIDs (https://github.com/ulid/spec): 48 bits of milliseconds then 80 random bits, as 26 characters of
 * Crockford base32. Ids from one generator are strictly increasing: within a millisecond the random part is
 * incremented, and if it would overflow, or the clock steps back, the time part advances by one millisecond
 * instead, so the generator never fails and never repeats.
 * <p>
 * Ids must be unpredictable, not only unique: JetStream de-duplicates by id, so whoever can guess another agent's
 * next id can store it first and have the genuine message dropped as a duplicate (docs/security.md). The random
 * part is therefore cryptographically random ({@link SecureBytes}: ChaCha20 keyed from {@code SecureRandom}), and
 * the increment within a millisecond is itself random (1 to 2^40) rather than +1. Bytes are drawn {@value #POOL} at
 * a time and used once each: 10 per new millisecond, 5 per further id in it, without allocating.
 * <p>
 * Thread-safe. {@link #next(byte[], int)} writes an id without allocating; {@link #next()} returns a String.
 */
public final class UlidGenerator
{
    /** Length of a ULID in characters. */
    public static final int LENGTH = 26;

    private static final byte[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".getBytes(StandardCharsets.US_ASCII);
    private static final long MAX_TIME = (1L << 48) - 1;
    private static final long RANDOM_HI_MASK = 0xFFFFL;   // 16 bits above the low 64 random bits
    private static final int POOL = 1024;   // secure random bytes drawn at once
    private static final UlidGenerator DEFAULT = new UlidGenerator();

    private final LongSupplier clockMs;
    private final SecureBytes random = new SecureBytes();
    private final byte[] pool = new byte[POOL];
    private int poolAt = POOL;
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
                randomHi = randomBits(2);
                randomLo = randomBits(8);
            }
            else
            {
                final long step = randomBits(5) + 1;   // 1..2^40: the next id in a millisecond is not the last + 1
                final boolean carry = Long.compareUnsigned(randomLo + step, randomLo) < 0;
                randomLo += step;
                if (carry && 0 == (randomHi = (randomHi + 1) & RANDOM_HI_MASK))
                {
                    // the 80 bits overflowed (some 2^40 ids in one millisecond, or a clock that went back for
                    // long): move time on and start afresh, staying monotonic
                    lastTimeMs++;
                    randomHi = randomBits(2);
                    randomLo = randomBits(8);
                }
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

    /** @return the next {@code bytes} (at most 8) unused secure random bytes as an unsigned number; under the lock. */
    private long randomBits(final int bytes)
    {
        if (poolAt + bytes > POOL)
        {
            random.fill(pool);
            poolAt = 0;
        }
        long v = 0;
        for (int i = 0; i < bytes; i++)
        {
            v = v << 8 | (pool[poolAt++] & 0xFF);
        }
        return v;
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
