package io.agentflow.bus;

import io.agentflow.codec.Message;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One stream of the in-process transport: an append-only log in memory, trimmed from the head by age and by bytes
 * like a JetStream stream with {@code discard: old}. Sequences are contiguous, so a reader finds its position by
 * arithmetic in a circular array rather than by scanning. Thread-safe.
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
    // a monitor, not a ReentrantLock: a reader that waits for appends then allocates no AQS node each time
    private final Object lock = new Object();
    private Stored[] ring = new Stored[1024];
    private int head;
    private int count;
    private long nextSequence = 1;
    private volatile long published = 1;   // nextSequence, readable without the lock: readers spin on it briefly
    private long bytes;
    private byte[] segment;
    private int segmentUsed;
    private final java.util.LinkedHashMap<String, long[]> recentIds = new java.util.LinkedHashMap<>();

    InProcessStream(final String name, final List<String> subjects, final Duration maxAge, final long maxBytes)
    {
        this.name = name;
        this.subjects = subjects.stream().map(SubjectPattern::new).toList();
        this.maxAgeNanos = maxAge.toNanos();
        this.maxBytes = maxBytes;
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
            if (count == ring.length)
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
            final Stored stored = new Stored(nextSequence++, subject, segment, segmentUsed, length, message,
                encodedHere, now, io.agentflow.codec.Timestamps.nowMicros());
            segmentUsed += length;
            ring[(head + count) % ring.length] = stored;
            count++;
            bytes += length;
            trim(now);
            published = nextSequence;
            lock.notifyAll();
            return stored.sequence();
        }
    }

    /**
     * @return the first stored message at or after {@code cursor.next} whose subject matches (moving the cursor
     * past everything it looked at), waiting up to {@code waitNanos} for one; {@code null} when none came.
     */
    Stored next(final Cursor cursor, final SubjectPattern filter, final long waitNanos) throws InterruptedException
    {
        // under load the next append is microseconds away: spin and yield briefly before a monitor wait, which
        // costs a wake-up (a system call on each side)
        for (int tries = 0; cursor.next >= published && tries < SPINS + YIELDS; tries++)
        {
            if (tries < SPINS)
            {
                Thread.onSpinWait();
            }
            else
            {
                Thread.yield();
            }
        }
        synchronized (lock)
        {
            long remaining = waitNanos;
            while (true)
            {
                final long first = nextSequence - count;
                if (cursor.next < first)
                {
                    // trimmed away before this reader got to it: retention decides, as in JetStream with discard old
                    LOG.warn("stream {}: a reader fell {} messages behind its retention limits (max_bytes {}, "
                        + "max_age {} s); they were removed before it read them", name, first - cursor.next, maxBytes,
                        maxAgeNanos / 1_000_000_000L);
                    cursor.next = first;
                }
                while (cursor.next < nextSequence)
                {
                    final Stored s = ring[(int)((head + (cursor.next - first)) % ring.length)];
                    cursor.next++;
                    if (s.subject() == cursor.lastMatch || filter.matches(s.subject()))
                    {
                        cursor.lastMatch = s.subject();
                        return s;
                    }
                }
                if (remaining <= 0)
                {
                    return null;
                }
                final long waitStart = System.nanoTime();
                lock.wait(remaining / 1_000_000, (int)(remaining % 1_000_000));
                remaining -= System.nanoTime() - waitStart;
            }
        }
    }

    /** @return the stored messages from {@code sequence} on that match, in order, copied out of the lock. */
    List<Stored> snapshotFrom(final long sequence, final SubjectPattern filter)
    {
        synchronized (lock)
        {
            final List<Stored> out = new ArrayList<>();
            for (int i = 0; i < count; i++)
            {
                final Stored s = ring[(head + i) % ring.length];
                if (s.sequence() >= sequence && filter.matches(s.subject()))
                {
                    out.add(s);
                }
            }
            return out;
        }
    }

    long nextSequence()
    {
        synchronized (lock)
        {
            return nextSequence;
        }
    }

    private void grow()
    {
        final Stored[] bigger = new Stored[ring.length * 2];
        for (int i = 0; i < count; i++)
        {
            bigger[i] = ring[(head + i) % ring.length];
        }
        ring = bigger;
        head = 0;
    }

    private void trim(final long now)
    {
        while (count > 0)
        {
            final Stored oldest = ring[head];
            if (bytes <= maxBytes && now - oldest.storedAtNanos() <= maxAgeNanos)
            {
                return;
            }
            ring[head] = null;
            head = (head + 1) % ring.length;
            count--;
            bytes -= oldest.length();
        }
    }
}
