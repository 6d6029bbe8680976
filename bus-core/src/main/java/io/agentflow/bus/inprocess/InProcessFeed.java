package io.agentflow.bus.inprocess;

import io.agentflow.bus.SubscriptionSpec;
import io.agentflow.bus.observe.BusMetrics;
import io.agentflow.bus.runtime.HandlerShards;
import io.agentflow.bus.wire.SubjectPattern;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What both in-process subscriptions ({@link InProcessSubscription}, {@link EnvelopeSubscription}) share, whatever
 * their handler: the stream they follow from the durable's cursor, the reader thread that follows it, the scheduler
 * of delayed redeliveries, the lag they report, and moving the cursor back at close.
 */
final class InProcessFeed
{
    final ScheduledExecutorService redeliveries;
    private final InProcessStream stream;
    private final StreamCursor cursor;
    private final SubjectPattern filter;
    private final String durable;
    private final Thread reader;
    private volatile boolean following;   // whether start() registered the cursor (a subscription refused never starts)

    InProcessFeed(final InProcessStream stream, final StreamCursor cursor, final SubscriptionSpec spec,
        final Runnable read)
    {
        this.stream = stream;
        this.cursor = cursor;
        this.filter = new SubjectPattern(spec.filterSubject());
        this.durable = spec.durableName();
        this.redeliveries = Executors.newSingleThreadScheduledExecutor(
            r -> HandlerShards.daemon(r, "af-inproc-redeliver-" + durable));
        this.reader = HandlerShards.daemon(read, "af-inproc-reader-" + durable);
    }

    void start(final BusMetrics metrics)
    {
        metrics.lag(durable, () -> Math.max(0, stream.nextSequence() - cursor.next));
        stream.follow(cursor);
        following = true;
        reader.start();
    }

    /** The reader holds no record below {@code lowestHeld} any more; see {@link InProcessStream.Gate}. */
    void release(final long lowestHeld)
    {
        cursor.release(lowestHeld);
    }

    /**
     * Stops holding the stream's segments, after close; unless a handler is still running, which may read its
     * record's segment: then the gate stays where it is (the stream allocates instead of rewriting).
     */
    void unfollow(final boolean handlerRunning)
    {
        // the cursor is the durable's: one refused as a second subscriber must not unregister the active one's
        if (following && !handlerRunning)
        {
            stream.unfollow(cursor);
            following = false;
        }
    }

    /** The reader's next message; see {@link InProcessStream#next}. */
    StoredMessage next(final long waitNanos) throws InterruptedException
    {
        return stream.next(cursor, filter, waitNanos);
    }

    /**
     * Interrupts the reader and waits for it up to {@code timeoutMillis}, then drops pending redeliveries (their
     * messages come again through {@link #rewindTo}).
     *
     * @return whether the reader is still running (a handler it runs did not return in time).
     */
    boolean stop(final long timeoutMillis)
    {
        reader.interrupt();
        try
        {
            reader.join(timeoutMillis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        redeliveries.shutdownNow();
        return reader.isAlive();
    }

    /** Moves the durable's cursor back to {@code first}, so that the next subscriber gets it again. */
    void rewindTo(final long first)
    {
        cursor.next = Math.min(cursor.next, first);
    }
}
