package io.agentflow.bus;

import io.agentflow.codec.Message;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One stream of the in-process transport: an append-only log in memory, trimmed from the head by age and by bytes
 * like a JetStream stream with {@code discard: old}. Sequences are contiguous, so a record lives at
 * {@code index[sequence & mask]}. One writer at a time (under a monitor) fills the slot, then publishes the new end
 * with a volatile write; readers follow without taking the monitor, as Disruptor consumers follow a ring's cursor,
 * and check each record's sequence to tell a trimmed or moved slot from their own. Thread-safe.
 */
final class InProcessStream
{
    /**
     * One stored message: its wire bytes (what was hashed) at {@code buffer[offset, offset + length)}, the immutable
     * Message they encode when kept, and whether this process's encoder wrote them (then they are canonical and
     * follow the contract by construction, and a receiver's SHA-256 check of them is a full verification; bytes
     * from elsewhere get the full decode). The buffer is a shared segment that is never written again at that
     * range: readers may keep looking at it for as long as they hold the record.
     */
    record Stored(long sequence, String subject, byte[] buffer, int offset, int length, Message message,
        boolean encodedHere, long storedAtNanos, long storedAtEpochMicros)
    {
        /** @return a copy of the wire bytes. */
        byte[] bytes()
        {
            return java.util.Arrays.copyOfRange(buffer, offset, offset + length);
        }
    }

    /** A reader's position: the next sequence it has not looked at. Owned by one reader thread. */
    static final class Cursor
    {
        long next;
        String lastMatch;   // the last subject the filter matched: publishers usually reuse one String per subject

        Cursor(final long next)
        {
            this.next = next;
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InProcessStream.class);
    private static final int SPINS = 100;
    private static final int YIELDS = 10;
    private static final long CHECK_CLOCK_EVERY = 1_024;   // a spinning reader's loops between clock reads
    /**
     * Stored bytes go into segments of this size, appended to and never rewritten; a segment is garbage once its
     * last message is trimmed. At 8 MiB a segment is a humongous object for G1 (at any region size up to 16 MiB), so
     * it is allocated outside the young generation and never copied by a young collection: retention no longer
     * costs pause time per retained byte. A store is one copy; what it allocates is its share of a segment.
     */
    static final int SEGMENT_BYTES = 8 << 20;

    private final String name;
    private final List<SubjectPattern> subjects;
    private final long maxAgeNanos;
    private final long maxBytes;
    private final boolean readersSpin;
    // a monitor, not a ReentrantLock: a reader that waits for appends then allocates no AQS node each time
    private final Object lock = new Object();
    private volatile Stored[] index = new Stored[1024];   // replaced (never modified after) when it grows
    private volatile long first = 1;       // the oldest sequence retained
    private volatile long published = 1;   // the next sequence to be stored: what readers may read is below it
    private long nextSequence = 1;
    private int waiting;                   // readers in lock.wait (under the lock)
    private long bytes;
    private byte[] segment;
    private int segmentUsed;
    private final java.util.LinkedHashMap<String, long[]> recentIds = new java.util.LinkedHashMap<>();

    /**
     * @param readersSpin whether a reader with nothing to read keeps spinning and yielding until its wait is over
     * (the {@code yielding} and {@code busy-spin} wait strategies: no wake-up to pay, a core busy) instead of
     * waiting on the monitor after a short spin.
     */
    InProcessStream(final String name, final List<String> subjects, final Duration maxAge, final long maxBytes,
        final boolean readersSpin)
    {
        this.name = name;
        this.subjects = subjects.stream().map(SubjectPattern::new).toList();
        this.maxAgeNanos = maxAge.toNanos();
        this.maxBytes = maxBytes;
        this.readersSpin = readersSpin;
    }

    String name()
    {
        return name;
    }

    boolean stores(final String subject)
    {
        for (final SubjectPattern p : subjects)
        {
            if (p.matches(subject))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Appends unless a message with the same id was stored within the duplicate window, as JetStream does with
     * {@code Nats-Msg-Id}.
     *
     * @return the new sequence, or minus the sequence of the earlier copy.
     */
    long appendUnlessDuplicate(final String subject, final byte[] wire, final int offset, final int length,
        final Message message, final String id, final boolean encodedHere)
    {
        synchronized (lock)
        {
            final long now = System.nanoTime();
            while (!recentIds.isEmpty()
                && now - recentIds.values().iterator().next()[1] > StreamProvisioner.DUPLICATE_WINDOW.toNanos())
            {
                recentIds.remove(recentIds.keySet().iterator().next());
            }
            final long[] earlier = null == id ? null : recentIds.get(id);
            if (null != earlier)
            {
                return -earlier[0];
            }
            final long sequence = append(subject, wire, offset, length, message, encodedHere);
            if (null != id)
            {
                recentIds.put(id, new long[]{sequence, now});
            }
            return sequence;
        }
    }

    /** Stores a copy of {@code wire[offset, offset + length)}; @return its sequence. */
    long append(final String subject, final byte[] wire, final int offset, final int length, final Message message,
        final boolean encodedHere)
    {
        synchronized (lock)
        {
            final long now = System.nanoTime();
            if (nextSequence - first == index.length)
            {
                grow();
            }
            if (null == segment || segmentUsed + length > segment.length)
            {
                // the first segments of a stream grow from 64 KiB, so that a stream used for little costs little
                final int size = null == segment ? 64 << 10 : Math.min(SEGMENT_BYTES, 2 * segment.length);
                segment = new byte[Math.max(size, length)];
                segmentUsed = 0;
            }
            System.arraycopy(wire, offset, segment, segmentUsed, length);
            final long sequence = nextSequence++;
            final Stored stored = new Stored(sequence, subject, segment, segmentUsed, length, message, encodedHere, now,
                io.agentflow.codec.Timestamps.microsAt(now));
            segmentUsed += length;
            final Stored[] slots = index;
            slots[(int)sequence & (slots.length - 1)] = stored;
            bytes += length;
            trim(now);
            published = nextSequence;   // the record is visible to readers from here on
            if (waiting > 0)
            {
                lock.notifyAll();
            }
            return sequence;
        }
    }

    /**
     * @return the first stored message at or after {@code cursor.next} whose subject matches (moving the cursor
     * past everything it looked at), waiting up to {@code waitNanos} for one; {@code null} when none came.
     */
    Stored next(final Cursor cursor, final SubjectPattern filter, final long waitNanos) throws InterruptedException
    {
        final long deadline = System.nanoTime() + waitNanos;
        for (long tries = 0; ; tries++)
        {
            while (cursor.next < published)
            {
                final Stored s = at(cursor);
                if (null == s)
                {
                    continue;   // all trimmed: look at published again
                }
                cursor.next++;
                if (s.subject() == cursor.lastMatch || filter.matches(s.subject()))
                {
                    cursor.lastMatch = s.subject();
                    return s;
                }
            }
            if (Thread.interrupted())
            {
                throw new InterruptedException();
            }
            // under load the next append is microseconds away: spin and yield before a monitor wait, which costs a
            // wake-up (a system call on each side); the spinning wait strategies never wait on the monitor
            if (tries < SPINS)
            {
                Thread.onSpinWait();
            }
            else if (tries < SPINS + YIELDS || readersSpin)
            {
                Thread.yield();
                if (readersSpin && tries % CHECK_CLOCK_EVERY == 0 && System.nanoTime() - deadline > 0)
                {
                    return null;
                }
            }
            else if (!awaitAppend(cursor, deadline))
            {
                return null;
            }
        }
    }

    /**
     * @return the record at {@code cursor.next}, which was below {@code published}, after moving the cursor past
     * what retention trimmed; {@code null} if that was everything.
     */
    private Stored at(final Cursor cursor)
    {
        final Stored[] slots = index;   // read after published: at least as new as the record
        final Stored s = slots[(int)cursor.next & (slots.length - 1)];
        if (null != s && s.sequence() == cursor.next)
        {
            return s;
        }
        synchronized (lock)   // trimmed under the reader, or the index grew in between: settle it under the lock
        {
            if (cursor.next < first)
            {
                // trimmed away before this reader got to it: retention decides, as in JetStream with discard old
                LOG.warn("stream {}: a reader fell {} messages behind its retention limits (max_bytes {}, "
                    + "max_age {} s); they were removed before it read them", name, first - cursor.next, maxBytes,
                    maxAgeNanos / 1_000_000_000L);
                cursor.next = first;
            }
            return cursor.next < nextSequence ? index[(int)cursor.next & (index.length - 1)] : null;
        }
    }

    /** Waits on the monitor until a record past the cursor is published or the deadline passes. */
    private boolean awaitAppend(final Cursor cursor, final long deadline) throws InterruptedException
    {
        synchronized (lock)
        {
            waiting++;
            try
            {
                long remaining;
                while (cursor.next >= nextSequence && (remaining = deadline - System.nanoTime()) > 0)
                {
                    lock.wait(remaining / 1_000_000, (int)(remaining % 1_000_000));
                }
                return cursor.next < nextSequence;
            }
            finally
            {
                waiting--;
            }
        }
    }

    /** @return the stored messages from {@code sequence} on that match, in order, copied out of the lock. */
    List<Stored> snapshotFrom(final long sequence, final SubjectPattern filter)
    {
        synchronized (lock)
        {
            final List<Stored> out = new ArrayList<>();
            for (long seq = Math.max(sequence, first); seq < nextSequence; seq++)
            {
                final Stored s = index[(int)seq & (index.length - 1)];
                if (filter.matches(s.subject()))
                {
                    out.add(s);
                }
            }
            return out;
        }
    }

    long nextSequence()
    {
        return published;
    }

    /** Doubles the index; records keep their sequence, so each moves to its slot under the new mask. */
    private void grow()
    {
        final Stored[] bigger = new Stored[index.length * 2];
        for (long seq = first; seq < nextSequence; seq++)
        {
            bigger[(int)seq & (bigger.length - 1)] = index[(int)seq & (index.length - 1)];
        }
        index = bigger;
    }

    private void trim(final long now)
    {
        final Stored[] slots = index;
        long oldest = first;
        while (oldest < nextSequence)
        {
            final int slot = (int)oldest & (slots.length - 1);
            final Stored s = slots[slot];
            if (bytes <= maxBytes && now - s.storedAtNanos() <= maxAgeNanos)
            {
                break;
            }
            slots[slot] = null;
            bytes -= s.length();
            oldest++;
        }
        if (oldest != first)
        {
            first = oldest;
        }
    }
}
