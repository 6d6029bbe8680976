package io.agentflow.bus.inprocess;

import java.util.ArrayDeque;

/**
 * The byte segments of one {@link InProcessStream}: the one being filled, and the filled ones oldest first with the
 * last sequence each holds, so that a segment is rewritten once retention has trimmed it and every reader's gate is
 * past it, as a Disruptor ring's slots are reused once its gating sequences are past them. Used under the stream's
 * lock only.
 */
final class Segments
{
    /** A filled segment and the last sequence stored in it. */
    private record Filled(byte[] bytes, long last)
    {
    }

    /**
     * The largest segment: at 8 MiB it is a humongous object for G1 (at any region size up to 16 MiB), allocated
     * outside the young generation and never copied by a young collection. A stream's segments are an eighth of its
     * byte limit within 64 KiB..8 MiB, so that a small stream does not hold more than its limit in spare segments.
     */
    private static final int MAX_SEGMENT_BYTES = 8 << 20;
    private static final int FIRST_SEGMENT_BYTES = 64 << 10;
    /** Trimmed segments kept for reuse beyond the one taken: more would be memory the limits no longer pay for. */
    private static final int SPARE_SEGMENTS = 2;

    private final int segmentBytes;
    private final ArrayDeque<Filled> filled = new ArrayDeque<>();   // oldest first
    /** The segment being filled, and how much of it is. */
    byte[] current;
    int used;
    private volatile long allocated;   // written under the stream's lock

    Segments(final long maxBytes)
    {
        this.segmentBytes = (int)Math.max(FIRST_SEGMENT_BYTES, Math.min(MAX_SEGMENT_BYTES, maxBytes / 8));
    }

    /** @return whether {@code length} more bytes fit in the current segment. */
    boolean fits(final int length)
    {
        return null != current && used + length <= current.length;
    }

    /**
     * Moves to a new segment with room for {@code length} bytes: a trimmed one nobody reads, or a new one.
     *
     * @param lastStored the last sequence stored, all of it in the current segment or before.
     * @param first      the oldest sequence retention kept.
     * @param lowestGate the lowest sequence a reader may still read.
     */
    void next(final int length, final long lastStored, final long first, final long lowestGate)
    {
        if (null != current)
        {
            filled.addLast(new Filled(current, lastStored));
        }
        // the first segments of a stream grow from 64 KiB, so that a stream used for little costs little
        final int size = null == current ? Math.min(FIRST_SEGMENT_BYTES, segmentBytes)
            : Math.min(segmentBytes, 2 * current.length);
        byte[] next = null;
        while (!filled.isEmpty() && filled.peekFirst().last() < first && filled.peekFirst().bytes().length != size)
        {
            filled.pollFirst();   // trimmed, and of a size no longer used (the growing first ones, an oversized one)
        }
        if (length <= size && !filled.isEmpty() && filled.peekFirst().last() < Math.min(first, lowestGate))
        {
            next = filled.pollFirst().bytes();
        }
        int trimmed = 0;
        for (final Filled s : filled)
        {
            if (s.last() >= first)
            {
                break;
            }
            trimmed++;
        }
        for (; trimmed > SPARE_SEGMENTS; trimmed--)
        {
            filled.pollFirst();   // a reader may still hold records there: the collector frees it after them
        }
        if (null == next)
        {
            next = new byte[Math.max(size, length)];
            allocated++;
        }
        current = next;
        used = 0;
    }

    /** @return how many segments were allocated: flat in steady state. */
    long allocated()
    {
        return allocated;
    }
}
