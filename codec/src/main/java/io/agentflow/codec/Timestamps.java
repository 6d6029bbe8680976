package io.agentflow.codec;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import java.time.Instant;

/**
 * The contract's timestamp: written as RFC 3339 in UTC with exactly six fractional digits and {@code Z}, for example
 * {@code 2026-11-26T20:06:50.123456Z}; read as any RFC 3339 date-time ({@link #parse}). Held as microseconds since
 * the epoch; formatted without garbage.
 */
public final class Timestamps
{
    /** Length of the formatted form, {@code yyyy-MM-ddTHH:mm:ss.SSSSSSZ}. */
    public static final int LENGTH = 27;

    private static final long MICROS_PER_DAY = 86_400_000_000L;
    private static final long MIN_MICROS = 0;                                      // 1970-01-01
    private static final long MAX_MICROS = 253_402_300_799_999_999L;              // 9999-12-31T23:59:59.999999

    private static final long RESAMPLE_NANOS = 1_000_000_000L;
    private static volatile WallOffset wallOffset = WallOffset.sample();

    private Timestamps()
    {
    }

    /**
     * @return the wall-clock time in microseconds since the epoch. Read as {@link System#nanoTime()} plus an offset
     * to the wall clock that is sampled again every second (as Agrona's {@code OffsetEpochNanoClock} does):
     * {@code Instant.now()} goes through a JNI call and costs several times a {@code nanoTime()}, and the hot path
     * reads the time once per message. Between samples the value follows the monotonic clock, so a wall-clock step
     * or slew shows within a second; the error until then is the clocks' drift over that second.
     */
    public static long nowMicros()
    {
        return microsAt(System.nanoTime());
    }

    /** @return the wall-clock time in microseconds since the epoch when {@code nanoTime()} read {@code nanoTime}. */
    public static long microsAt(final long nanoTime)
    {
        WallOffset offset = wallOffset;
        if (nanoTime - offset.nanoTime > RESAMPLE_NANOS)
        {
            offset = WallOffset.sample();
            wallOffset = offset;   // racing samplers each store a valid sample: the last one wins
        }
        return offset.micros + (nanoTime - offset.nanoTime) / 1_000;
    }

    /** A wall-clock reading and the monotonic reading beside it. */
    private static final class WallOffset
    {
        final long nanoTime;
        final long micros;

        private WallOffset(final long nanoTime, final long micros)
        {
            this.nanoTime = nanoTime;
            this.micros = micros;
        }

        static WallOffset sample()
        {
            final long before = System.nanoTime();
            final Instant now = Instant.now();
            final long after = System.nanoTime();
            return new WallOffset(before + (after - before) / 2, toMicros(now));
        }
    }

    public static Instant toInstant(final long micros)
    {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    public static long toMicros(final Instant instant)
    {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    /** Writes the 27 ASCII bytes of {@code micros} at {@code pos}. */
    public static void write(final long micros, final byte[] dst, final int pos)
    {
        checkRange(micros);
        final long days = micros / MICROS_PER_DAY;
        long rest = micros - days * MICROS_PER_DAY;
        // civil-from-days (Howard Hinnant's algorithm), valid for the whole range above
        final long z = days + 719_468;
        final long era = z / 146_097;
        final long doe = z - era * 146_097;
        final long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        final long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        final long mp = (5 * doy + 2) / 153;
        final int day = (int)(doy - (153 * mp + 2) / 5 + 1);
        final int month = (int)(mp < 10 ? mp + 3 : mp - 9);
        final int year = (int)(yoe + era * 400 + (month <= 2 ? 1 : 0));
        final int hour = (int)(rest / 3_600_000_000L);
        rest -= hour * 3_600_000_000L;
        final int minute = (int)(rest / 60_000_000L);
        rest -= minute * 60_000_000L;
        final int second = (int)(rest / 1_000_000L);
        final int fraction = (int)(rest - second * 1_000_000L);

        digits(year, 4, dst, pos);
        dst[pos + 4] = '-';
        digits(month, 2, dst, pos + 5);
        dst[pos + 7] = '-';
        digits(day, 2, dst, pos + 8);
        dst[pos + 10] = 'T';
        digits(hour, 2, dst, pos + 11);
        dst[pos + 13] = ':';
        digits(minute, 2, dst, pos + 14);
        dst[pos + 16] = ':';
        digits(second, 2, dst, pos + 17);
        dst[pos + 19] = '.';
        digits(fraction, 6, dst, pos + 20);
        dst[pos + 26] = 'Z';
    }

    /** @throws MessageError when {@code micros} lies outside 1970-01-01 .. 9999-12-31T23:59:59.999999Z. */
    public static void checkRange(final long micros)
    {
        if (micros < MIN_MICROS || micros > MAX_MICROS)
        {
            throw MessageError.atPath(
                ErrorCode.VALIDATION_ERROR, "$.ts", "timestamp out of range 1970..9999: micros=" + micros);
        }
    }

    public static String format(final long micros)
    {
        final byte[] b = new byte[LENGTH];
        write(micros, b, 0);
        return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * Parses any RFC 3339 date-time, as a receiver must accept (a Go sender writes nanoseconds and offsets):
     * {@code yyyy-MM-dd'T'HH:mm:ss}, then 0 to 9 fractional digits, then {@code Z} or {@code +HH:MM}/{@code -HH:MM}
     * ({@code t} and {@code z} in lower case too). Digits past the sixth are dropped (the value is held in
     * microseconds; the text, which the hash covers, is kept by the message). Leap seconds ({@code :60}) are
     * refused: no clock we interoperate with writes them, and they have no microsecond of their own.
     *
     * @return microseconds since the epoch, UTC.
     */
    public static long parse(final CharSequence s, final String path)
    {
        final int n = s.length();
        if (n < 20 || n > 35 || s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) != 'T' && s.charAt(10) != 't')
            || s.charAt(13) != ':' || s.charAt(16) != ':')
        {
            throw notRfc3339(s, path);
        }
        final int year = number(s, 0, 4, path);
        final int month = number(s, 5, 2, path);
        final int day = number(s, 8, 2, path);
        final int hour = number(s, 11, 2, path);
        final int minute = number(s, 14, 2, path);
        final int second = number(s, 17, 2, path);
        int i = 19;
        long micros = 0;
        if (i < n && '.' == s.charAt(i))
        {
            final int digitsStart = ++i;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9')
            {
                if (i - digitsStart < 6)
                {
                    micros = micros * 10 + (s.charAt(i) - '0');
                }
                i++;
            }
            final int count = i - digitsStart;
            if (count < 1 || count > 9)
            {
                throw notRfc3339(s, path);
            }
            for (int k = count; k < 6; k++)
            {
                micros *= 10;
            }
        }
        final long offsetMicros = offset(s, i, path);
        if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, path, "not a valid date-time: \"" + s + "\"");
        }
        final long local = epochDay(year, month, day) * MICROS_PER_DAY
            + ((hour * 60L + minute) * 60L + second) * 1_000_000L + micros;
        final long utc = local - offsetMicros;
        checkRange(utc);
        return utc;
    }

    /** @return whether {@code s} is in the form this library writes: UTC, six fractional digits, {@code Z}. */
    public static boolean isContractForm(final CharSequence s)
    {
        return s.length() == LENGTH && s.charAt(10) == 'T' && s.charAt(19) == '.' && s.charAt(26) == 'Z';
    }

    /** @return the offset at {@code s[i..]} ({@code Z}, or {@code +HH:MM}/{@code -HH:MM}, last) in microseconds. */
    private static long offset(final CharSequence s, final int i, final String path)
    {
        final int n = s.length();
        if (i == n - 1 && ('Z' == s.charAt(i) || 'z' == s.charAt(i)))
        {
            return 0;
        }
        if (i != n - 6 || ('+' != s.charAt(i) && '-' != s.charAt(i)) || ':' != s.charAt(i + 3))
        {
            throw notRfc3339(s, path);
        }
        final int hours = number(s, i + 1, 2, path);
        final int minutes = number(s, i + 4, 2, path);
        if (hours > 23 || minutes > 59)
        {
            throw notRfc3339(s, path);
        }
        final long micros = (hours * 60L + minutes) * 60_000_000L;
        return '-' == s.charAt(i) ? -micros : micros;
    }

    private static MessageError notRfc3339(final CharSequence s, final String path)
    {
        return MessageError.atPath(ErrorCode.VALIDATION_ERROR, path, "expected an RFC 3339 date-time, e.g. "
            + "2026-11-26T20:06:50.123456Z or 2026-11-26T21:06:50.123456789+01:00, got \"" + s + "\"");
    }

    private static int daysInMonth(final int year, final int month)
    {
        if (2 == month)
        {
            return (0 == year % 4 && 0 != year % 100) || 0 == year % 400 ? 29 : 28;
        }
        return 4 == month || 6 == month || 9 == month || 11 == month ? 30 : 31;
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date, by arithmetic (no LocalDate per parse). */
    static long epochDay(final int year, final int month, final int day)
    {
        final long y = month <= 2 ? year - 1 : year;   // years start in March, so the leap day is the last
        final long era = Math.floorDiv(y, 400);
        final long yearOfEra = y - era * 400;
        final long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        final long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }

    private static int number(final CharSequence s, final int start, final int count, final String path)
    {
        int v = 0;
        for (int i = start; i < start + count; i++)
        {
            final char c = s.charAt(i);
            if (c < '0' || c > '9')
            {
                throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, path, "not a digit in timestamp: \"" + s + "\"");
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static void digits(final int value, final int count, final byte[] dst, final int pos)
    {
        int v = value;
        for (int i = pos + count - 1; i >= pos; i--)
        {
            dst[i] = (byte)('0' + v % 10);
            v /= 10;
        }
    }
}
