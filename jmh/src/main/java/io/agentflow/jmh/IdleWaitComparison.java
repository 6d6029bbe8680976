package io.agentflow.jmh;

import org.agrona.concurrent.BackoffIdleStrategy;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * How a reader with nothing to read waits (issue 19: Agrona's idle strategies against ours), measured where the two
 * differ: the CPU an idle reader burns and how late it sees work that comes after an idle spell. A reader waits for
 * a flag; the writer sets it after {@value #IDLE_MS} ms of nothing, {@value #ROUNDS} times.
 * <ul>
 *   <li>{@code ours}: the in-process reader's wait ({@code InProcessStream}): 100 spins, 10 yields, then a monitor
 *   wait the writer notifies; the blocking wait strategy's first half does the same;</li>
 *   <li>{@code agrona-backoff}: Agrona's {@link BackoffIdleStrategy} with the same spins and yields, then parks
 *   doubling from 1 us to its default 1 ms: a duty-cycle strategy, which never blocks.</li>
 * </ul>
 * Not a JMH benchmark: JMH measures busy operations, and the point here is an idle thread. Run:
 * {@code java -cp jmh/target/benchmarks.jar io.agentflow.jmh.IdleWaitComparison}.
 */
public final class IdleWaitComparison
{
    private static final int ROUNDS = 100;
    private static final long IDLE_MS = 20;
    private static final int SPINS = 100;
    private static final int YIELDS = 10;

    private final Object lock = new Object();
    private volatile boolean ready;
    private volatile long seenAt;

    public static void main(final String[] args) throws Exception
    {
        for (final String strategy : new String[]{"ours", "agrona-backoff", "ours", "agrona-backoff"})
        {
            new IdleWaitComparison().run(strategy);
        }
    }

    private void run(final String strategy) throws InterruptedException
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final long[] wakeNanos = new long[ROUNDS];
        final long[] cpu = new long[1];
        final Thread reader = new Thread(() ->
        {
            final BackoffIdleStrategy idle = new BackoffIdleStrategy(SPINS, YIELDS, 1_000, 1_000_000);
            for (int round = 0; round < ROUNDS; round++)
            {
                if ("ours".equals(strategy))
                {
                    awaitOurs();
                }
                else
                {
                    idle.reset();
                    while (!ready)
                    {
                        idle.idle();
                    }
                }
                seenAt = System.nanoTime();
                synchronized (lock)
                {
                    ready = false;
                    lock.notifyAll();   // tells the writer the round is over
                }
            }
            cpu[0] = threads.getCurrentThreadCpuTime();
        }, "reader-" + strategy);
        reader.start();
        final long start = System.nanoTime();
        for (int round = 0; round < ROUNDS; round++)
        {
            Thread.sleep(IDLE_MS);
            final long setAt;
            synchronized (lock)
            {
                setAt = System.nanoTime();
                ready = true;
                lock.notifyAll();
                while (ready)
                {
                    lock.wait();
                }
            }
            wakeNanos[round] = seenAt - setAt;
        }
        reader.join();
        final double seconds = (System.nanoTime() - start) / 1e9;
        Arrays.sort(wakeNanos);
        System.out.printf("%-15s wake-up after %d ms idle: p50 %.1f us, p90 %.1f us, max %.1f us; reader CPU %.2f ms"
                + " per second of wall clock%n", strategy, IDLE_MS, wakeNanos[ROUNDS / 2] / 1e3,
            wakeNanos[ROUNDS * 9 / 10] / 1e3, wakeNanos[ROUNDS - 1] / 1e3, cpu[0] / 1e6 / seconds);
    }

    private void awaitOurs()
    {
        for (int tries = 0; !ready && tries < SPINS + YIELDS; tries++)
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
            while (!ready)
            {
                try
                {
                    lock.wait();
                }
                catch (final InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            }
        }
    }
}
