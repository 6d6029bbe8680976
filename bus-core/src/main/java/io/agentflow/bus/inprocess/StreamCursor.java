package io.agentflow.bus.inprocess;

/** A reader's position: the next sequence it has not looked at. Owned by one reader thread. */
public final class StreamCursor
{
    long next;
    String lastMatch;   // the last subject the filter matched: publishers usually reuse one String per subject
    ReaderGate gate;   // of the reader now following with this cursor ({@link InProcessStream#follow}); none when no one does

    StreamCursor(final long next)
    {
        this.next = next;
    }

    /**
     * Records that the reader's subscription holds nothing below {@code lowestHeld} any more (from the reader's
     * thread, which takes every record), and moves its gate to that or to {@link #next}, whichever is lower. A
     * lower figure than the truth (an envelope shard's stale slot) only holds the writer back; never a higher.
     */
    public void release(final long lowestHeld)
    {
        if (null != gate)
        {
            gate.held = lowestHeld;
            publishGate();
        }
    }

    /** What the reader skipped or released is no longer its to read: the gate follows (its thread only). */
    public void publishGate()
    {
        final ReaderGate g = gate;
        if (null != g)
        {
            g.moveTo(Math.min(g.held, next));
        }
    }
}
