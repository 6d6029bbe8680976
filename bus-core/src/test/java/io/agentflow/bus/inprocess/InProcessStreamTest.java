package io.agentflow.bus.inprocess;

import io.agentflow.bus.wire.SubjectPattern;
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

/**
 * The stream's lock-free reading (a reader racing the writer through index growth and retention trims) and its
 * segments, rewritten only past every registered reader's gate.
 */
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
        final StreamCursor cursor = new StreamCursor(1);
        for (long expected = 1; expected <= MESSAGES; expected++)
        {
            final StoredMessage s = stream.next(cursor, ALL, TimeUnit.SECONDS.toNanos(5));
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
        final StreamCursor cursor = new StreamCursor(1);
        stream.follow(cursor);
        final Thread writer = startWriter(stream);
        long last = 0;
        long read = 0;
        while (last < MESSAGES)
        {
            final StoredMessage s = stream.next(cursor, ALL, TimeUnit.SECONDS.toNanos(5));
            assertTrue(s.sequence() > last, s.sequence() + " after " + last);
            assertEquals(s.sequence() + 1, cursor.next, "the cursor stands right after what it returned");
            assertArrayEquals(body(s.sequence()), s.bytes());
            cursor.release(Long.MAX_VALUE);   // done with it: the writer may rewrite its segment from here on
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

    @Test
    void aSegmentIsRewrittenOnlyOnceEveryReadersGateIsPastIt() throws Exception
    {
        // 1 MiB kept, in 128 KiB segments; 1 KiB messages
        final InProcessStream stream = new InProcessStream("t", List.of("agents.*.*"), Duration.ofHours(1),
            1 << 20, false);
        final StreamCursor holder = new StreamCursor(1);
        final StreamCursor follower = new StreamCursor(1);
        stream.follow(holder);
        stream.follow(follower);
        appendKiBFollowed(stream, 1, 300, follower, holder);   // past the first segments, which grow from 64 KiB
        appendKiB(stream, 301, 1);
        final StoredMessage held = stream.next(holder, ALL, 0);   // message 301: the holder keeps it
        final byte[] original = held.bytes();

        // 8 MiB through 1 MiB of retention, the follower keeping up: message 301 was trimmed long ago
        appendKiBFollowed(stream, 302, 8_000, follower);
        assertEquals(301, held.sequence(), "a record a reader holds is not reused");
        assertArrayEquals(original, held.bytes(), "a record a reader holds keeps its bytes");
        final long whileHeld = stream.segmentsAllocated();
        final long recordsWhileHeld = stream.recordsAllocated();
        assertTrue(whileHeld >= 60, "nothing below the holder's gate is rewritten: " + whileHeld + " segments");

        // the holder lets go and keeps up too (it skips what was trimmed): a rotation or two go by before the
        // trimmed segments are past both gates, then no segment is allocated any more
        appendKiBFollowed(stream, 8_302, 16_000, follower, holder);
        assertTrue(stream.segmentsAllocated() - whileHeld <= 3,
            "steady state rewrites segments: " + (stream.segmentsAllocated() - whileHeld) + " more allocated");
        // records: one segment's worth (128) may go by before the first look at the gates past the holder
        assertTrue(stream.recordsAllocated() - recordsWhileHeld <= 256,
            "steady state reuses records: " + (stream.recordsAllocated() - recordsWhileHeld) + " more allocated");
    }

    @Test
    void aReaderThatJoinsLateHoldsWhatItReadsAtOnce() throws Exception
    {
        final InProcessStream stream = new InProcessStream("t", List.of("agents.*.*"), Duration.ofHours(1),
            1 << 20, false);
        final StreamCursor early = new StreamCursor(1);
        stream.follow(early);
        appendKiBFollowed(stream, 1, 2_000, early);   // steady state: each append reuses the record trimmed before
        final StreamCursor late = new StreamCursor(1);   // from the oldest message kept
        stream.follow(late);
        final StoredMessage oldest = stream.next(late, ALL, 0);
        final long sequence = oldest.sequence();
        appendKiB(stream, 2_001, 2);   // trims the oldest, then takes a trimmed record for the next message
        assertEquals(sequence, oldest.sequence(), "the record a reader that joined late holds is not reused");
    }

    @Test
    void aReaderThatLeftHoldsNothingBack()
    {
        final InProcessStream stream = new InProcessStream("t", List.of("agents.*.*"), Duration.ofHours(1),
            1 << 20, false);
        final StreamCursor gone = new StreamCursor(1);
        stream.follow(gone);
        stream.unfollow(gone);
        appendKiB(stream, 1, 8_000);
        final long before = stream.segmentsAllocated();
        appendKiB(stream, 8_001, 8_000);
        assertTrue(stream.segmentsAllocated() - before <= 1, "an unregistered cursor gates nothing");
    }

    /** Appends messages {@code from..from + count - 1} of 1 KiB each, each starting with its {@link #body}. */
    private static void appendKiB(final InProcessStream stream, final long from, final int count)
    {
        final byte[] b = new byte[1024];
        for (long i = from; i < from + count; i++)
        {
            final byte[] head = body(i);
            java.util.Arrays.fill(b, (byte)' ');
            System.arraycopy(head, 0, b, 0, head.length);
            stream.append("agents.a.in", b, 0, b.length, null, true);
        }
    }

    /** {@link #appendKiB} in steps of 32 messages, each followed by the readers reading what there is. */
    private static void appendKiBFollowed(final InProcessStream stream, final long from, final int count,
        final StreamCursor... readers) throws InterruptedException
    {
        for (int done = 0; done < count; done += 32)
        {
            appendKiB(stream, from + done, Math.min(32, count - done));
            for (final StreamCursor reader : readers)
            {
                drain(stream, reader);
            }
        }
    }

    /** Reads everything there is, checking each message's bytes, and lets go of it. */
    private static void drain(final InProcessStream stream, final StreamCursor cursor)
        throws InterruptedException
    {
        StoredMessage s;
        while (null != (s = stream.next(cursor, ALL, 0)))
        {
            final byte[] head = body(s.sequence());
            assertArrayEquals(head, java.util.Arrays.copyOfRange(s.buffer(), s.offset(), s.offset() + head.length));
            cursor.release(Long.MAX_VALUE);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aWaitingReaderReturnsAtItsDeadlineAndStopsWhenInterrupted(final boolean readersSpin) throws Exception
    {
        final InProcessStream stream = new InProcessStream("t", List.of("agents.*.*"), Duration.ofHours(1),
            Long.MAX_VALUE, readersSpin);
        final StreamCursor cursor = new StreamCursor(1);
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
