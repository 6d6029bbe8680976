package io.agentflow.bus.inprocess;

import io.agentflow.bus.wire.Streams;
import io.agentflow.bus.wire.SubjectPattern;
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
 * <p>
 * The bytes go into segments that are rewritten once nothing can read them any more, and the records into objects
 * reused the same way, so a stream in steady state allocates nothing per message: a segment or record is reused
 * when retention has trimmed it and every registered reader's {@link ReaderGate} is past it, as a Disruptor
 * ring's slots are reused once its gating sequences are past them. A reader whose gate stays behind costs fresh
 * allocations, never a wait, and what it may still hold is left to the garbage collector, not rewritten.
 */
public final class InProcessStream
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InProcessStream.class);
    private static final int SPINS = 100;
    private static final int YIELDS = 10;
    private static final long CHECK_CLOCK_EVERY = 1_024;   // a spinning reader's loops between clock reads
    /** Trimmed records kept for reuse; beyond that the oldest go to the collector (a reader lags behind them). */
    private static final int SPARE_RECORDS = 4_096;

    private final String name;
    private final List<SubjectPattern> subjects;
    private final long maxAgeNanos;
    private final long maxBytes;
    private final boolean readersSpin;
    // a monitor, not a ReentrantLock: a reader that waits for appends then allocates no AQS node each time
    private final Object lock = new Object();
    private volatile StoredMessage[] index = new StoredMessage[1024];   // replaced (never modified after) when it grows
    volatile long first = 1;               // the oldest sequence retained (read by the bus's workflow index)
    private volatile long published = 1;   // the next sequence to be stored: what readers may read is below it
    private long nextSequence = 1;
    private int waiting;                   // readers in lock.wait (under the lock)
    private long bytes;
    private final Segments segments;   // under the lock
    private ReaderGate[] readers = new ReaderGate[0];   // copied on change, under the lock
    private long gatesSeen;   // the lowest reader gate when last looked at (at each new segment): trails the truth
    private final java.util.ArrayDeque<StoredMessage> trimmedRecords = new java.util.ArrayDeque<>();   // oldest first
    private volatile long recordsAllocated;   // written under the lock
    private final StoredIdWindow storedIds = new StoredIdWindow(Streams.DUPLICATE_WINDOW);   // under the lock

    /**
     * @param readersSpin whether a reader with nothing to read keeps spinning and yielding until its wait is over
     * (the {@code yielding} and {@code busy-spin} wait strategies: no wake-up to pay, a core busy) instead of
     * waiting on the monitor after a short spin.
     */
    public InProcessStream(final String name, final List<String> subjects, final Duration maxAge, final long maxBytes,
        final boolean readersSpin)
    {
        this.name = name;
        this.subjects = subjects.stream().map(SubjectPattern::new).toList();
        this.maxAgeNanos = maxAge.toNanos();
        this.maxBytes = maxBytes;
        this.readersSpin = readersSpin;
        this.segments = new Segments(maxBytes);
    }

    /**
     * Registers a reader, before its thread starts: from here on nothing it may read is rewritten (see
     * {@link ReaderGate}).
     */
    public void follow(final StreamCursor cursor)
    {
        synchronized (lock)   // the writer rewrites under the lock: it sees the gate before the reader reads
        {
            cursor.gate = new ReaderGate(cursor.next);
            readers = java.util.Arrays.copyOf(readers, readers.length + 1);
            readers[readers.length - 1] = cursor.gate;
            gatesSeen = Math.min(gatesSeen, cursor.next);   // records are reused against it until the next look
        }
    }

    /** Unregisters the reader following with {@code cursor}, which reads no more and holds no record. */
    public void unfollow(final StreamCursor cursor)
    {
        synchronized (lock)
        {
            final ReaderGate gone = cursor.gate;
            readers = java.util.Arrays.stream(readers).filter(g -> g != gone).toArray(ReaderGate[]::new);
            cursor.gate = null;
        }
    }

    /** @return how many segments this stream has allocated: flat in steady state. */
    public long segmentsAllocated()
    {
        return segments.allocated();
    }

    /** @return how many records this stream has allocated: flat in steady state. */
    public long recordsAllocated()
    {
        return recordsAllocated;
    }

    private StoredMessage newRecord(final long sequence, final String subject, final byte[] buffer, final int offset,
        final int length, final Message message, final boolean encodedHere, final long storedAtNanos,
        final long storedAtEpochMicros)
    {
        recordsAllocated++;
        return new StoredMessage(sequence, subject, buffer, offset, length, message, encodedHere, storedAtNanos,
            storedAtEpochMicros);
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
            final long earlier = null == id ? 0 : storedIds.earlier(id, now);
            if (earlier > 0)
            {
                return -earlier;
            }
            final long sequence = append(subject, wire, offset, length, message, encodedHere);
            if (null != id)
            {
                storedIds.stored(id, sequence, now);
            }
            return sequence;
        }
    }

    /** Stores a copy of {@code wire[offset, offset + length)}; @return its sequence. */
    public long append(final String subject, final byte[] wire, final int offset, final int length, final Message message,
        final boolean encodedHere)
    {
        synchronized (lock)
        {
            final long now = System.nanoTime();
            if (nextSequence - first == index.length)
            {
                grow();
            }
            if (!segments.fits(length))
            {
                gatesSeen = lowestGate();
                segments.next(length, nextSequence - 1, first, gatesSeen);
            }
            final byte[] segment = segments.current;
            final int segmentUsed = segments.used;
            System.arraycopy(wire, offset, segment, segmentUsed, length);
            final long sequence = nextSequence++;
            final long epochMicros = io.agentflow.codec.Timestamps.microsAt(now);
            final StoredMessage free = trimmedRecords.peekFirst();
            final StoredMessage stored = null != free && free.sequence() < gatesSeen
                ? trimmedRecords.pollFirst().set(sequence, subject, segment, segmentUsed, length, message, encodedHere,
                    now, epochMicros)
                : newRecord(sequence, subject, segment, segmentUsed, length, message, encodedHere, now, epochMicros);
            segments.used = segmentUsed + length;
            final StoredMessage[] slots = index;
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

    /** @return the lowest sequence a registered reader may still read: the writer rewrites nothing at or above it. */
    public long lowestReaderGate()
    {
        return lowestGate();
    }

    private long lowestGate()
    {
        long lowest = Long.MAX_VALUE;
        for (final ReaderGate g : readers)
        {
            lowest = Math.min(lowest, g.value);
        }
        return lowest;
    }

    /**
     * @return the first stored message at or after {@code cursor.next} whose subject matches (moving the cursor
     * past everything it looked at), waiting up to {@code waitNanos} for one; {@code null} when none came.
     */
    public StoredMessage next(final StreamCursor cursor, final SubjectPattern filter, final long waitNanos)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + waitNanos;
        for (long tries = 0; ; tries++)
        {
            while (cursor.next < published)
            {
                final StoredMessage s = at(cursor);
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
            // a reader whose filter skips most of the stream reads nothing of what it passed: let the writer
            // rewrite it while this one waits (returning a record, the gate stays below it: the caller holds it)
            cursor.publishGate();
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
    private StoredMessage at(final StreamCursor cursor)
    {
        final StoredMessage[] slots = index;   // read after published: at least as new as the record
        final StoredMessage s = slots[(int)cursor.next & (slots.length - 1)];
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
    private boolean awaitAppend(final StreamCursor cursor, final long deadline) throws InterruptedException
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

    /**
     * @return copies (the caller is no registered reader) of the retained messages at {@code sequences} (ascending),
     * or when that is {@code null} of every retained message matching {@code filter}, in order.
     */
    List<StoredMessage> snapshot(final long[] sequences, final SubjectPattern filter)
    {
        synchronized (lock)
        {
            final List<StoredMessage> out = new ArrayList<>();
            final long count = null == sequences ? nextSequence - first : sequences.length;
            for (int i = 0; i < count; i++)
            {
                final long seq = null == sequences ? first + i : sequences[i];
                final StoredMessage s = seq >= first && seq < nextSequence ? index[(int)seq & (index.length - 1)] : null;
                if (null != s && (null == filter || filter.matches(s.subject())))
                {
                    out.add(s.detached());
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
        final StoredMessage[] bigger = new StoredMessage[index.length * 2];
        for (long seq = first; seq < nextSequence; seq++)
        {
            bigger[(int)seq & (bigger.length - 1)] = index[(int)seq & (index.length - 1)];
        }
        index = bigger;
    }

    private void trim(final long now)
    {
        final StoredMessage[] slots = index;
        long oldest = first;
        while (oldest < nextSequence)
        {
            final int slot = (int)oldest & (slots.length - 1);
            final StoredMessage s = slots[slot];
            if (bytes <= maxBytes && now - s.storedAtNanos() <= maxAgeNanos)
            {
                break;
            }
            slots[slot] = null;
            bytes -= s.length();
            oldest++;
            if (trimmedRecords.size() == SPARE_RECORDS)
            {
                trimmedRecords.pollFirst();
            }
            trimmedRecords.addLast(s);
        }
        if (oldest != first)
        {
            first = oldest;
        }
    }
}
