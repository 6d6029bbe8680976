package io.agentflow.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UlidGeneratorTest
{
    private static final long FIXED_MS = 1_795_720_010_123L;

    @Test
    void shouldBeStrictlyIncreasingWithinOneMillisecond()
    {
        final UlidGenerator generator = new UlidGenerator(() -> FIXED_MS);
        String previous = generator.next();
        for (int i = 0; i < 10_000; i++)
        {
            final String next = generator.next();
            assertTrue(next.compareTo(previous) > 0, previous + " then " + next);
            assertEquals(FIXED_MS, UlidGenerator.timeMs(next));
            previous = next;
        }
    }

    @Test
    void shouldStayMonotonicWhenTheClockStepsBack()
    {
        final AtomicLong clock = new AtomicLong(FIXED_MS);
        final UlidGenerator generator = new UlidGenerator(clock::get);
        final String before = generator.next();
        clock.set(FIXED_MS - 5_000);
        assertTrue(generator.next().compareTo(before) > 0);
    }

    @Test
    void shouldEncodeTimeInTheFirstTenCharacters()
    {
        final String id = new UlidGenerator(() -> 0x0123_4567_89ABL).next();
        assertEquals(0x0123_4567_89ABL, UlidGenerator.timeMs(id));
        assertTrue(UlidGenerator.isValid(id));
    }

    @Test
    @Timeout(30)
    void shouldBeUniqueAcrossThreads() throws InterruptedException
    {
        final UlidGenerator generator = new UlidGenerator();
        final List<String>[] perThread = new List[4];
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < perThread.length; t++)
        {
            final List<String> ids = new ArrayList<>();
            perThread[t] = ids;
            threads.add(new Thread(() ->
            {
                for (int i = 0; i < 20_000; i++)
                {
                    ids.add(generator.next());
                }
            }));
        }
        threads.forEach(Thread::start);
        for (final Thread thread : threads)
        {
            thread.join();
        }
        final Set<String> all = new HashSet<>();
        for (final List<String> ids : perThread)
        {
            all.addAll(ids);
            for (int i = 1; i < ids.size(); i++)
            {
                assertTrue(ids.get(i).compareTo(ids.get(i - 1)) > 0, "monotonic as seen by one thread");
            }
        }
        assertEquals(80_000, all.size());
    }

    @Test
    void shouldWriteIntoACallerBuffer()
    {
        final byte[] b = new byte[30];
        new UlidGenerator().next(b, 2);
        assertTrue(UlidGenerator.isValid(new String(b, 2, 26, StandardCharsets.US_ASCII)));
    }

    @Test
    void shouldRejectNonCanonicalSpellings()
    {
        assertTrue(UlidGenerator.isValid("01ARZ3NDEKTSV4RRFFQ69G5FAV"));
        assertFalse(UlidGenerator.isValid("01arz3ndektsv4rrffq69g5fav"), "lowercase");
        assertFalse(UlidGenerator.isValid("81ARZ3NDEKTSV4RRFFQ69G5FAV"), "first char above 7 overflows 128 bits");
        assertFalse(UlidGenerator.isValid("01ARZ3NDEKTSV4RRFFQ69G5FAI"), "I is not Crockford");
        assertFalse(UlidGenerator.isValid("01ARZ3NDEKTSV4RRFFQ69G5FA"), "25 chars");
    }

    @Test
    void shouldNotAllocatePerIdOnceWarm()
    {
        final UlidGenerator generator = new UlidGenerator();
        final byte[] id = new byte[UlidGenerator.LENGTH];
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 300_000; i++)
        {
            generator.next(id, 0);
        }
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000_000; i++)   // ~5 MB of keystream: some 5,000 refills
        {
            generator.next(id, 0);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes for a million ids");
    }

    /**
     * Issue 17, finding 1: the random part came from a SplittableRandom, whose state one output gives away (its
     * output function is invertible and its step is a public constant). An attacker who sees one id could compute
     * the next one and store it first, so that the genuine message is dropped as a duplicate. This plays that
     * attacker, for the next millisecond and for the next id in the same millisecond.
     */
    @Test
    void shouldNotLetOneObservedIdPredictTheNext()
    {
        // the attacker's model is right: it reproduces a SplittableRandom and inverts its output
        final long seed = 0x5eed_0f_a77ac4e5L;
        assertEquals(new java.util.SplittableRandom(seed).nextLong(),
            UlidPredictor.SplitMix.mix(seed + UlidPredictor.SplitMix.GAMMA));
        assertEquals(seed, UlidPredictor.SplitMix.unmix(UlidPredictor.SplitMix.mix(seed)));

        final AtomicLong clock = new AtomicLong(FIXED_MS);
        final UlidGenerator generator = new UlidGenerator(clock::get);
        int predicted = 0;
        for (int i = 0; i < 200; i++)
        {
            final String seen = generator.next();
            final List<String> guesses = UlidPredictor.guesses(seen, 1);   // same millisecond, and the next
            final String sameMs = generator.next();
            clock.incrementAndGet();
            final String nextMs = generator.next();
            clock.incrementAndGet();
            predicted += (guesses.contains(sameMs) ? 1 : 0) + (guesses.contains(nextMs) ? 1 : 0);
        }
        assertEquals(0, predicted, "ids guessed from the one before");
    }
}
