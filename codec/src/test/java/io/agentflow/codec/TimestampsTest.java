package io.agentflow.codec;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimestampsTest
{
    private static final DateTimeFormatter REFERENCE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
        .withZone(java.time.ZoneOffset.UTC);

    @Test
    void nowFollowsTheWallClockAndTheMonotonicClockBetweenSamples() throws InterruptedException
    {
        for (int i = 0; i < 20; i++)
        {
            final long before = Timestamps.toMicros(Instant.now());
            final long now = Timestamps.nowMicros();
            final long after = Timestamps.toMicros(Instant.now());
            // the offset is sampled at most a second ago: allow that second's drift between the two clocks, and a
            // step of the wall clock in between (2.5 ms seen on this VM under load, 2026-12-05); an offset wrong by
            // a whole sample period or more still fails
            assertTrue(now >= before - 10_000 && now <= after + 10_000, before + " <= " + now + " <= " + after);
            Thread.sleep(60);   // crosses a resample within the loop
        }
        final long nanos = System.nanoTime();
        assertEquals(1_000, Timestamps.microsAt(nanos + 1_000_000) - Timestamps.microsAt(nanos));
    }

    @Test
    void shouldFormatLikeTheJdkOverTheWholeRange()
    {
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++)
        {
            final long micros = random.nextLong(253_402_300_800_000_000L);
            final String ours = Timestamps.format(micros);
            assertEquals(REFERENCE.format(Timestamps.toInstant(micros)), ours);
            assertEquals(micros, Timestamps.parse(ours, "$.ts"));
        }
    }

    @Test
    void shouldRoundTripAnInstantToTheMicrosecond()
    {
        final Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        assertEquals(now, Timestamps.toInstant(Timestamps.toMicros(now)));
        assertEquals("2026-11-26T20:06:50.123456Z", Timestamps.format(Timestamps.parse("2026-11-26T20:06:50.123456Z",
            "$.ts")));
    }

    /** On receipt any RFC 3339 date-time (issue 22): offsets, 0 to 9 fractional digits, lower-case t and z. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "2026-11-26T20:06:50.123456Z, 2026-11-26T20:06:50.123456Z",
        "2026-11-26T20:06:50.12345Z, 2026-11-26T20:06:50.123450Z",
        "2026-11-26T20:06:50Z, 2026-11-26T20:06:50.000000Z",
        "2026-11-26T20:06:50.123456+00:00, 2026-11-26T20:06:50.123456Z",
        "2026-11-26t20:06:50.123456z, 2026-11-26T20:06:50.123456Z",
        "2026-11-26T21:06:50.123456789+01:00, 2026-11-26T20:06:50.123456Z",
        "2026-11-26T12:06:50-08:00, 2026-11-26T20:06:50.000000Z",
        "2026-11-27T01:36:50.1+05:30, 2026-11-26T20:06:50.100000Z",
        "1970-01-01T01:00:00+01:00, 1970-01-01T00:00:00.000000Z"})
    void shouldReadAnyRfc3339SpellingAsTheSameInstant(final String received, final String ours)
    {
        assertEquals(ours, Timestamps.format(Timestamps.parse(received, "$.ts")));
        assertEquals(received.equals(ours), Timestamps.isContractForm(received));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-26 20:06:50.123456Z", "2026-02-30T00:00:00.000000Z", "2026-11-26T24:00:00.000000Z",
        "2026-11-26T23:59:60.000000Z", "1969-12-31T23:59:59.999999Z", "1970-01-01T00:30:00+01:00",
        "2026-1a-26T20:06:50.123456Z", "2026-11-26T20:06:50", "2026-11-26T20:06:50.Z",
        "2026-11-26T20:06:50.1234567890Z", "2026-11-26T20:06:50+0100", "2026-11-26T20:06:50+24:00",
        "2026-11-26T20:06:50.123456ZZ"})
    void shouldRejectWhatIsNotRfc3339(final String ts)
    {
        final MessageError e = assertThrows(MessageError.class, () -> Timestamps.parse(ts, "$.ts"));
        assertEquals(ErrorCode.VALIDATION_ERROR, e.code());
        assertEquals("$.ts", e.path());
    }
}
