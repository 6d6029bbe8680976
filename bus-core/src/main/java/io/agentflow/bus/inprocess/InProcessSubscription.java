package io.agentflow.bus.inprocess;

import io.agentflow.bus.Delivery;
import io.agentflow.bus.MessageHandler;
import io.agentflow.bus.SubscriptionSpec;
import io.agentflow.bus.runtime.SubscriptionBase;
import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.Message;
import io.agentflow.codec.error.MessageError;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A durable subscription of the in-process transport. A reader thread follows the stream from the durable's
 * cursor, verifies each message (unless verification is off), and hands it to the shard of its ordering key, as
 * the JetStream subscription does. At most {@code 2 * fetchBatch} messages are in flight, which bounds memory
 * when handlers are slow. Messages not yet handled when the subscription closes (in a handler, or waiting for a
 * redelivery) move the cursor back, so the next subscriber gets them again: at-least-once. The cursor's gate stays
 * at the oldest of them, whose stored bytes a quarantine after the last delivery still reads. With one handler
 * thread the reader runs the handler itself, and a redelivery comes back to the reader when it is due, so the
 * handler is never called from two threads.
 */
final class InProcessSubscription extends SubscriptionBase
{
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long DUE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final InProcessBus bus;
    private final InProcessFeed feed;
    private final ConcurrentSkipListSet<Long> unhandled = new ConcurrentSkipListSet<>();
    private final ConcurrentLinkedQueue<Runnable> due = new ConcurrentLinkedQueue<>();   // inline redeliveries
    private final AtomicInteger awaitingRedelivery = new AtomicInteger();   // inline: scheduled, not yet due

    InProcessSubscription(final InProcessBus bus, final InProcessStream stream, final StreamCursor cursor,
        final SubscriptionSpec spec, final MessageHandler handler)
    {
        super(bus.config(), spec, handler, "af-inproc-");
        this.bus = bus;
        this.feed = new InProcessFeed(stream, cursor, spec, this::read);
    }

    void start()
    {
        feed.start(metrics);
    }

    private void read()
    {
        final EnvelopeDecoder decoder = new EnvelopeDecoder(config.receiveLimits());
        final boolean verify = config.embeddedVerify();
        while (running.get())
        {
            try
            {
                final Long oldest = unhandled.ceiling(Long.MIN_VALUE);   // everything the reader took and not done
                feed.release(null == oldest ? Long.MAX_VALUE : oldest);
                Runnable redelivery;
                while (null != (redelivery = due.poll()))
                {
                    redelivery.run();
                }
                inFlight.acquire();
                final StoredMessage s =
                    feed.next(0 == awaitingRedelivery.get() ? POLL_NANOS : DUE_POLL_NANOS);
                if (null == s)
                {
                    inFlight.release();
                    continue;
                }
                final Message message;
                try
                {
                    message = verify || null == s.message() ? decoder.decode(s.buffer(), s.offset(), s.length())
                        : s.message();
                }
                catch (final MessageError e)
                {
                    bus.refuse(e, s);
                    countQuarantined(e.code().wireName());
                    inFlight.release();
                    continue;
                }
                if (verify || null == s.message())
                {
                    metrics.verified();
                }
                unhandled.add(s.sequence());
                dispatch(s, message, 1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void dispatch(final StoredMessage s, final Message message, final long deliveryCount)
    {
        if (shards.inline())
        {
            handle(s, message, deliveryCount);
        }
        else
        {
            shards.execute(s.subject(), message, () -> handle(s, message, deliveryCount));
        }
    }

    /** A redelivery after its delay: on the handler's shard, or back on the reader when it runs the handler. */
    private void redeliver(final StoredMessage s, final Message message, final long deliveryCount)
    {
        if (!shards.inline())
        {
            dispatch(s, message, deliveryCount);
            return;
        }
        due.add(() ->
        {
            awaitingRedelivery.decrementAndGet();
            handle(s, message, deliveryCount);
        });
    }

    private void handle(final StoredMessage s, final Message message, final long deliveryCount)
    {
        if (alreadyHandled(message.id()))
        {
            done(s);
            return;
        }
        if (!breaker.await(running))
        {
            inFlight.release();   // closing: it stays in 'unhandled', which close() rewinds to
            return;
        }
        try
        {
            metrics.delivered(message.type(), s.subject(), message.tsMicros());
            bus.tracing().process(s.subject(), spec.durableName(), s.length(), message, null,
                () -> handler.onMessage(message,
                new Delivery(s.subject(), s.sequence(), deliveryCount)));
            breaker.succeeded();
            handled.add(message.id());
            delivered.increment();
            done(s);
        }
        catch (final Exception ex)
        {
            handlerFailed(deliveryCount, message.id(), message.type(), s.subject(), ex, (why, stored) ->
            {
                bus.quarantineAfterMaxDeliveries(s, message.id(), why);
                stored.run();
                done(s);
            }, delay ->
            {
                if (running.get())   // closing: it stays in 'unhandled', which close() rewinds to
                {
                    if (shards.inline())
                    {
                        awaitingRedelivery.incrementAndGet();
                    }
                    feed.redeliveries.schedule(() -> redeliver(s, message, deliveryCount + 1), delay.toMillis(),
                        TimeUnit.MILLISECONDS);
                }
            });
        }
    }

    private void done(final StoredMessage s)
    {
        unhandled.remove(s.sequence());
        inFlight.release();
    }

    @Override
    public void close()
    {
        if (!beginClose())
        {
            return;
        }
        // pending redeliveries stay in 'unhandled', come again below
        final boolean readerRunning = feed.stop(config.publishTimeout().toMillis());
        final boolean handlersFinished = shards.close(config.publishTimeout());
        final Long first = unhandled.isEmpty() ? null : unhandled.first();
        if (null != first)
        {
            feed.rewindTo(first);
        }
        feed.unfollow(readerRunning || !handlersFinished);
        bus.removed(this);
    }
}
