package io.agentflow.bus.runtime;

import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The handler threads of one subscription: single-threaded executors chosen by a message's ordering key, so one
 * key's messages are handled in order and different keys' in parallel. The key is the id token of the subject
 * ({@code agents.<id>.*}, {@code workflows.<id>.*}), else the sender; it is hashed with xxHash3
 * (zero-allocation-hashing). Shared by both transports.
 * <p>
 * With one handler thread there are no shard threads: the caller (jnats' dispatcher, the in-process reader) runs
 * the handler itself, as the envelope path does. One thread keeps every key's order anyway, and a hand-off to a
 * second thread cost about 10 us a message on 2 cores (a wake-up per message, perf-reports/loadgen.md). The price:
 * a handler that blocks holds back the subscription's deliveries, as a single shard thread would too.
 */
public final class HandlerShards
{
    private static final Logger LOG = LoggerFactory.getLogger(HandlerShards.class);

    private final String name;
    private final ExecutorService[] shards;

    public HandlerShards(final String name, final int count)
    {
        this.name = name;
        this.shards = new ExecutorService[1 == count ? 0 : count];
        for (int i = 0; i < shards.length; i++)
        {
            final String thread = name + "-" + i;
            shards[i] = Executors.newSingleThreadExecutor(r -> daemon(r, thread));
        }
    }

    /** @return whether the caller runs each handler itself ({@link #execute} must not be called then). */
    public boolean inline()
    {
        return 0 == shards.length;
    }

    public void execute(final String subject, final Message message, final Runnable task)
    {
        final int start = Subjects.idTokenStart(subject);
        final long hash = start < 0 ? ShardHash.chars(message.from())
            : ShardHash.chars(subject, start, subject.indexOf('.', start) - start);   // in place, no substring
        shards[(int)Math.floorMod(hash, (long)shards.length)].execute(task);
    }

    /**
     * Lets tasks already queued finish, waiting up to {@code timeout} for each shard.
     *
     * @return whether they all did (false: a handler is still running, or the wait was interrupted).
     */
    public boolean close(final Duration timeout)
    {
        for (final ExecutorService shard : shards)
        {
            shard.shutdown();
        }
        boolean finished = true;
        for (final ExecutorService shard : shards)
        {
            try
            {
                if (!shard.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS))
                {
                    LOG.warn("a handler of {} is still running after {}", name, timeout);
                    finished = false;
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return finished;
    }

    public static Thread daemon(final Runnable r, final String name)
    {
        final Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
