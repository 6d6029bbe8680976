package io.agentflow.bus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stream's lock-free reading: a reader racing the writer through index growth and retention trims. */
class InProcessStreamTest
{
    private static final SubjectPattern ALL = new SubjectPattern("agents.*.in");
    private static final int MESSAGES = 200_000;

    private static byte[] body(final long sequence)
    {
        return ("message-" + sequence).getBytes(StandardCharsets.US_ASCII);
    }

    /** Appends messages 1..MESSAGES on a thread of its own, as fast as it can. */
    private static Thread startWriter(final InProcessStream stream)
    {
        final Thread writer = new Thread(() ->
        {
            for (long i = 1; i <= MESSAGES; i++)
            {
                final byte[] b = body(i);
                stream.append("agents.a.in", b, 0, b.length, null, true);
            }
        });
        writer.start();
        return writer;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aReaderRacingTheWriterSeesEveryMessageOnceInOrderWhileTheIndexGrows(final boolean readersSpin)
        throws Exception
    {
        final InProcessStream stream = new InProcessStream("t", List.of("agents.*.*"), Duration.ofHours(1),
            Long.MAX_VALUE, readersSpin);
        final Thread writer = startWriter(stream);
        final InProcessStream.Cursor cursor = new InProcessStream.Cursor(1);
        for (long expected = 1; expected <= MESSAGES; expected++)
        {
            final InProcessStream.Stored s = stream.next(cursor, ALL, TimeUnit.SECONDS.toNanos(5));
            assertEquals(expected, s.sequence());
            assertEquals(expected + 1, cursor.next);
            assertArrayEquals(body(expected), s.bytes());
        }
        writer.join();
        assertNull(stream.next(cursor, ALL, TimeUnit.MILLISECONDS.toNanos(20)), "nothing after the last");
    }

    @Test
    void aReaderBehindRetentionSkipsWhatWasTrimmedAndNeverSeesAnotherMessagesBytes() throws Exception
    {
        // about 20 messages fit: the writer laps a slow reader again and again
        final InProcessStream stream = new InProcessStream("t", List.of("agents.*.*"), Duration.ofHours(1), 300,
            false);
        final Thread writer = startWriter(stream);
        final InProcessStream.Cursor cursor = new InProcessStream.Cursor(1);
        long last = 0;
        long read = 0;
        while (last < MESSAGES)
        {
            final InProcessStream.Stored s = stream.next(cursor, ALL, TimeUnit.SECONDS.toNanos(5));
            assertTrue(s.sequence() > last, s.sequence() + " after " + last);
            assertEquals(s.sequence() + 1, cursor.next, "the cursor stands right after what it returned");
            assertArrayEquals(body(s.sequence()), s.bytes());
            last = s.sequence();
            read++;
            if (read % 64 == 0)
            {
                Thread.onSpinWait();
            }
        }
        writer.join();
        assertEquals(MESSAGES, last);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aWaitingReaderReturnsAtItsDeadlineAndStopsWhenInterrupted(final boolean readersSpin) throws Exception
    {
        final InProcessStream stream = new InProcessStream("t", List.of("agents.*.*"), Duration.ofHours(1),
            Long.MAX_VALUE, readersSpin);
        final InProcessStream.Cursor cursor = new InProcessStream.Cursor(1);
        final long start = System.nanoTime();
        assertNull(stream.next(cursor, ALL, TimeUnit.MILLISECONDS.toNanos(50)));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(50));

        final AtomicReference<Throwable> outcome = new AtomicReference<>();
        final Thread reader = new Thread(() ->
        {
            try
            {
                stream.next(cursor, ALL, TimeUnit.SECONDS.toNanos(30));
            }
            catch (final Throwable t)
            {
                outcome.set(t);
            }
        });
        reader.start();
        Thread.sleep(50);
        reader.interrupt();
        reader.join(5_000);
        assertTrue(outcome.get() instanceof InterruptedException, String.valueOf(outcome.get()));

        final byte[] b = body(1);
        stream.append("agents.a.in", b, 0, b.length, null, true);
        assertEquals(1, stream.next(cursor, ALL, 0).sequence());
    }
}
