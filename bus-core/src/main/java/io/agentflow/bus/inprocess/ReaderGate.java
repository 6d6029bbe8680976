package io.agentflow.bus.inprocess;

/**
 * One registered reader's hold on the stream: the lowest sequence whose bytes it may still read, whether it holds
 * the record or has not read it yet; never past its cursor. The writer rewrites no segment and reuses no record
 * at or above it. One per subscription that followed (not per durable cursor): a subscription whose handler
 * outlived its close leaves its gate registered where it stood, and the durable's next subscriber gets a new one.
 */
final class ReaderGate
{
    long held = Long.MAX_VALUE;   // the lowest sequence the reader's subscription still holds (its thread)
    volatile long value;

    ReaderGate(final long value)
    {
        this.value = value;
    }

    void moveTo(final long sequence)
    {
        if (sequence != value)
        {
            value = sequence;
        }
    }
}
