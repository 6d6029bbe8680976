package io.agentflow.bus.pipeline;

import io.agentflow.codec.json.GrowableBytes;

/**
 * A slot's copies of its encoded envelope as arrays of exactly their length, which jnats needs: a few are kept and
 * one whose length matches is reused, so a load whose ids come in a few lengths allocates none in steady state
 * (an array per publish was 1,140 B a message, perf-reports/loadgen.md). Used by the slot's publisher only.
 */
final class ExactLengthArrays
{
    private static final int KEPT = 4;

    private final byte[][] arrays = new byte[KEPT][];
    private int last;

    /** @return {@code wire}'s bytes in a kept array of exactly their length (a new one for a length not seen lately). */
    byte[] copyOf(final GrowableBytes wire)
    {
        final int length = wire.length();
        int k = 0;
        while (k < KEPT && (null == arrays[k] || arrays[k].length != length))
        {
            k++;
        }
        if (k == KEPT)
        {
            k = (last + 1) % KEPT;
            arrays[k] = new byte[length];
        }
        System.arraycopy(wire.array(), 0, arrays[k], 0, length);
        last = k;
        return arrays[k];
    }

    /** Forgets the array last handed out: whoever holds it may keep it. */
    void abandonLast()
    {
        arrays[last] = null;
    }
}
