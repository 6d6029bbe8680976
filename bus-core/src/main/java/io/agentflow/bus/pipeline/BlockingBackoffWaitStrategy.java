package io.agentflow.bus.pipeline;

import com.lmax.disruptor.AlertException;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SequenceBarrier;
import com.lmax.disruptor.WaitStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * The default wait strategy ({@code AF_BUS_WAIT_STRATEGY=blocking}) of the Disruptor rings that still have consumer
 * threads (the in-process envelope path's handler shards): a consumer waiting for its producer spins briefly,
 * yields a few times, then blocks on a monitor, as the Disruptor's {@code BlockingWaitStrategy} does, so an idle ring
 * costs no CPU after a few microseconds. A consumer waiting for a consumer before it backs off: a short spin, a few
 * yields, then parks. The Disruptor's own strategy busy-spins there, since consumers do not signal their progress;
 * on a 2-core machine that spin took a core from the stage it was waiting for (a JFR profile of the publish
 * pipeline when it still had two stage threads had a third of all samples in it).
 */
public final class BlockingBackoffWaitStrategy implements WaitStrategy
{
    private static final int SPINS = 100;
    private static final int YIELDS = 10;
    private static final long PARK_NANOS = 10_000;

    private final Object mutex = new Object();

    @Override
    public long waitFor(final long sequence, final Sequence cursor, final Sequence dependentSequence,
        final SequenceBarrier barrier) throws AlertException, InterruptedException
    {
        // a short spin and a few yields first: under load the next event is microseconds away, and a monitor wait
        // costs a wake-up (a system call on each side) per batch
        for (int tries = 0; cursor.get() < sequence && tries < SPINS + YIELDS; tries++)
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
        if (cursor.get() < sequence)
        {
            synchronized (mutex)
            {
                while (cursor.get() < sequence)
                {
                    barrier.checkAlert();
                    mutex.wait();
                }
            }
        }
        long available;
        int tries = 0;
        while ((available = dependentSequence.get()) < sequence)
        {
            barrier.checkAlert();
            if (tries < SPINS)
            {
                Thread.onSpinWait();
            }
            else if (tries < SPINS + YIELDS)
            {
                Thread.yield();
            }
            else
            {
                LockSupport.parkNanos(PARK_NANOS);
            }
            tries++;
        }
        return available;
    }

    @Override
    public void signalAllWhenBlocking()
    {
        synchronized (mutex)
        {
            mutex.notifyAll();
        }
    }
}
