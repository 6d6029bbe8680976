package io.agentflow.bus.inprocess;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.agentflow.bus.EnvelopeDelivery;
import io.agentflow.bus.EnvelopeHandler;
import io.agentflow.bus.SubscriptionSpec;
import io.agentflow.bus.pipeline.BlockingBackoffWaitStrategy;
import io.agentflow.bus.runtime.HandlerShards;
import io.agentflow.bus.runtime.RecentUlids;
import io.agentflow.bus.runtime.ShardHash;
import io.agentflow.bus.runtime.SubscriptionLifecycle;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.EnvelopeEncoder;
import io.agentflow.codec.EnvelopeView;
import io.agentflow.codec.HashCheck;
import io.agentflow.codec.Message;
import io.agentflow.codec.error.MessageError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The in-process transport's allocation-free consume path: a durable subscription whose handler reads each
 * verified envelope in place ({@link EnvelopeHandler}). A reader thread follows the stream from the durable's
 * cursor and verifies each message; bytes this process encoded get the SHA-256 check (canonical and within the
 * contract by construction, so the hash is what can have changed), bytes from elsewhere the full decode. It then
 * hands the message to the handler shard of its ordering key: a Disruptor ring of pre-allocated slots per shard
 * instead of an executor's queue, so nothing is allocated per delivery in steady state. The rings are the in-flight
 * bound (a full one makes the reader wait). With one handler thread ({@code AF_BUS_HANDLER_THREADS=1}) there is no
 * hand-off at all: the reader runs the handler, and redeliveries come back to it through a queue. The rest follows
 * {@link InProcessSubscription}: redelivery after a handler throws, quarantine after the maximum deliveries,
 * de-duplication by id ({@link RecentUlids}), and at close the cursor moves back to the first message not handled.
 * <p>
 * Handlers read the stream's own segments, so the reader keeps its cursor's gate at the oldest message still in a
 * shard's ring (see {@link InProcessStream}); a message waiting for a redelivery keeps a copy of its bytes instead.
 * <p>
 * Left out on purpose, as on the publish pipeline: no CONSUMER span and no log context per delivery (both
 * allocate); the envelope's trace ids are there for a handler that wants them.
 */
final class EnvelopeSubscription extends SubscriptionLifecycle
{
    private static final Logger LOG = LoggerFactory.getLogger(EnvelopeSubscription.class);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long FULL_RING_PARK_NANOS = 50_000;
    private static final long DUE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final InProcessBus bus;
    private final InProcessFeed feed;
    private final EnvelopeHandler handler;
    private final Disruptor<ShardSlot>[] shards;
    private final RingBuffer<ShardSlot>[] rings;
    private final long[][] dispatched;   // per shard, by ring sequence: the stream sequence the reader put there
    private final ShardHandler inline;   // with one handler thread: the reader runs the handler itself
    private final ShardSlot inlineSlot = new ShardSlot();
    private volatile long inlineHandling = Long.MAX_VALUE;   // the stream sequence the reader is handling inline
    private final ConcurrentLinkedQueue<ShardSlot> due = new ConcurrentLinkedQueue<>();   // inline redeliveries
    private final ConcurrentSkipListSet<Long> awaitingRedelivery = new ConcurrentSkipListSet<>();

    @SuppressWarnings("unchecked")
    EnvelopeSubscription(final InProcessBus bus, final InProcessStream stream, final StreamCursor cursor,
        final SubscriptionSpec spec, final EnvelopeHandler handler)
    {
        super(bus.config(), spec);
        this.bus = bus;
        this.feed = new InProcessFeed(stream, cursor, spec, this::read);
        this.handler = handler;
        // one handler thread: a hand-off to it would buy nothing, since one thread keeps every key's order anyway
        final int count = deliverySettings.inline() ? 0 : deliverySettings.handlerThreads();
        this.inline = 0 == count ? new ShardHandler() : null;
        // the shard rings are the in-flight bound: about 2 * fetchBatch in all, as on the other subscriptions
        final int ringSize = Integer.highestOneBit(
            Math.max(2, 2 * deliverySettings.fetchBatch() / Math.max(1, count)) * 2 - 1);
        this.shards = new Disruptor[count];
        this.rings = new RingBuffer[count];
        this.dispatched = new long[count][ringSize];
        for (int i = 0; i < count; i++)
        {
            final String name = "af-inproc-" + spec.durableName() + "-" + i;
            shards[i] = new Disruptor<>(ShardSlot::new, ringSize, r -> HandlerShards.daemon(r, name),
                ProducerType.MULTI, new BlockingBackoffWaitStrategy());
            shards[i].handleEventsWith(new ShardHandler());
            rings[i] = shards[i].start();
        }
    }

    void start()
    {
        feed.start(metrics);
    }

    private void read()
    {
        final EnvelopeDecoder decoder = new EnvelopeDecoder(config.receiveLimits());
        final EnvelopeView view = new EnvelopeView();
        final boolean verify = config.embeddedVerify();
        final int shardCount = rings.length;
        while (running.get())
        {
            try
            {
                feed.release(lowestInShards());
                ShardSlot redelivery;
                while (null != (redelivery = due.poll()))
                {
                    awaitingRedelivery.remove(redelivery.stored.sequence());
                    inline.onEvent(redelivery, 0, true);
                }
                final StoredMessage s = feed.next(awaitingRedelivery.isEmpty() ? POLL_NANOS : DUE_POLL_NANOS);
                if (null == s)
                {
                    continue;
                }
                final byte[] canonical = verified(s, decoder, verify);
                if (null == canonical)
                {
                    continue;
                }
                if (null != inline)
                {
                    inlineHandling = s.sequence();
                    inline.onEvent(inlineSlot.fill(s, canonical, 1, 0), 0, true);
                    inlineHandling = Long.MAX_VALUE;
                    continue;
                }
                final String subject = s.subject();
                final int start = Subjects.idTokenStart(subject);
                long hash;
                if (start >= 0)
                {
                    hash = ShardHash.chars(subject, start, subject.indexOf('.', start) - start);
                }
                else
                {
                    view.wrap(canonical, ShardSlot.offsetIn(canonical, s), ShardSlot.lengthIn(canonical, s));
                    hash = ShardHash.bytes(canonical, view.fromOffset(), view.fromLength());
                }
                if (!dispatch(s, canonical, 1, (int)Math.floorMod(hash, (long)shardCount), true))
                {
                    awaitingRedelivery.add(s.sequence());   // closing while its shard was full: it comes again
                    return;
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * @return the stream sequence of the oldest message the reader put in a shard's ring that its handler has not
     * finished ({@code Long.MAX_VALUE} when none, and always inline, where the reader has finished each by now).
     * The reader fills each ring in stream order, so the first slot not consumed holds the ring's oldest; a slot a
     * redelivery took holds an older sequence left from an earlier lap (or 0), which only holds the gate lower.
     */
    private long lowestInShards()
    {
        long lowest = Long.MAX_VALUE;
        for (int i = 0; i < rings.length; i++)
        {
            final long consumed = rings[i].getMinimumGatingSequence();
            if (rings[i].getCursor() > consumed)
            {
                lowest = Math.min(lowest, dispatched[i][(int)(consumed + 1) & (dispatched[i].length - 1)]);
            }
        }
        return lowest;
    }

    /**
     * @return the canonical bytes to deliver: the stored record's own buffer (its offset and length), or for
     * foreign bytes a re-encoding (the whole array); {@code null} when the message went to the quarantine.
     */
    private byte[] verified(final StoredMessage s, final EnvelopeDecoder decoder, final boolean verify)
    {
        if (s.encodedHere()
            && (!verify || HashCheck.MATCH == decoder.checkHash(s.buffer(), s.offset(), s.length())))
        {
            if (verify)
            {
                metrics.verified();
            }
            return s.buffer();
        }
        try
        {
            // not ours, or a hash that no longer matches: the full path names the failure (or accepts bytes that
            // are intact but not canonical, delivered re-encoded)
            final Message message = decoder.decode(s.buffer(), s.offset(), s.length());
            metrics.verified();
            return EnvelopeEncoder.threadLocal().wireBytes(message);
        }
        catch (final MessageError e)
        {
            bus.refuse(e, s);
            countQuarantined(e.code().wireName());
            return null;
        }
    }

    /**
     * Hands a message to its shard, waiting while the shard's ring is full (handlers behind: back-pressure on the
     * reader, so memory stays bounded).
     *
     * @param byReader whether the reader dispatches it (from the stream's segment), not a redelivery (a copy).
     * @return false when the subscription closed before there was room.
     */
    private boolean dispatch(final StoredMessage s, final byte[] canonical, final long deliveryCount,
        final int shard, final boolean byReader)
    {
        final RingBuffer<ShardSlot> ring = rings[shard];
        long sequence;
        while (true)
        {
            try
            {
                sequence = ring.tryNext();
                break;
            }
            catch (final InsufficientCapacityException full)
            {
                if (!running.get())
                {
                    return false;
                }
                LockSupport.parkNanos(FULL_RING_PARK_NANOS);
            }
        }
        if (byReader)
        {
            dispatched[shard][(int)sequence & (dispatched[shard].length - 1)] = s.sequence();
        }
        ring.get(sequence).fill(s, canonical, deliveryCount, shard);
        ring.publish(sequence);
        return true;
    }

    /** Runs the handler for the slots of one shard, on that shard's thread. */
    private final class ShardHandler implements EventHandler<ShardSlot>
    {
        private final EnvelopeDelivery delivery = new EnvelopeDelivery();

        @Override
        public void onEvent(final ShardSlot slot, final long sequence, final boolean endOfBatch)
        {
            final StoredMessage s = slot.stored;
            final byte[] canonical = slot.canonical;
            final long deliveryCount = slot.deliveryCount;
            final int shard = slot.shard;
            final EnvelopeView envelope = delivery.set(s.subject(), s.sequence(), deliveryCount, canonical, slot.offset,
                slot.length).envelope();
            try
            {
                // claimed before the handler runs, forgotten if it fails: a copy arriving meanwhile is a duplicate
                final int idAt = envelope.idOffset();
                if (!handled.addIfAbsent(canonical, idAt))
                {
                    countDuplicate();
                    return;
                }
                if (!breaker.await(running))
                {
                    handled.forget(canonical, idAt);
                    awaitingRedelivery.add(s.sequence());   // closing: close() rewinds the cursor to it
                    return;
                }
                metrics.delivered(envelope.type(), s.subject(), envelope.tsMicros());
                try
                {
                    handler.onEnvelope(delivery);
                    breaker.succeeded();
                }
                catch (final Exception ex)
                {
                    handled.forget(canonical, idAt);
                    failed(s, canonical, deliveryCount, shard, envelope, ex);
                    return;
                }
                delivered.increment();
            }
            finally
            {
                slot.stored = null;   // the slot does not keep the message alive until it comes round again
                slot.canonical = null;
            }
        }

        private void failed(final StoredMessage s, final byte[] canonical, final long deliveryCount,
            final int shard, final EnvelopeView envelope, final Exception ex)
        {
            handlerFailed(deliveryCount, envelope.id(), envelope.type(), s.subject(), ex, (why, stored) ->
            {
                bus.quarantineAfterMaxDeliveries(s, envelope.id(), why);
                stored.run();
            }, delay -> redeliverLater(s, canonical, deliveryCount, shard, delay));
        }

        private void redeliverLater(final StoredMessage s, final byte[] canonical, final long deliveryCount,
            final int shard, final java.time.Duration delay)
        {
            awaitingRedelivery.add(s.sequence());   // close() rewinds the cursor to it
            if (running.get())
            {
                // the reader's gate moves on without it: the redelivery reads a copy, not the stream's segment
                final StoredMessage kept = s.detached();
                final byte[] keptCanonical = canonical == s.buffer() ? kept.buffer() : canonical;
                feed.redeliveries.schedule(() ->
                {
                    if (null != inline)
                    {
                        due.add(new ShardSlot().fill(kept, keptCanonical, deliveryCount + 1, 0));   // the reader runs it
                    }
                    else if (dispatch(kept, keptCanonical, deliveryCount + 1, shard, false))
                    {
                        awaitingRedelivery.remove(kept.sequence());
                    }
                }, delay.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    @Override
    public void close()
    {
        if (!beginClose())
        {
            return;
        }
        // pending redeliveries stay in awaitingRedelivery and come again below; an inline handler may still run
        boolean handlerRunning = feed.stop(config.publishTimeout().toMillis());
        long first = handlerRunning ? inlineHandling : Long.MAX_VALUE;
        for (int i = 0; i < shards.length; i++)
        {
            try
            {
                shards[i].shutdown(config.publishTimeout().toMillis(), TimeUnit.MILLISECONDS);   // handlers finish
            }
            catch (final com.lmax.disruptor.TimeoutException ex)
            {
                LOG.warn("a handler of {} is still running after {}", spec.durableName(), config.publishTimeout());
                shards[i].halt();
                handlerRunning = true;
                first = Math.min(first, firstUndrained(rings[i]));
            }
        }
        if (!awaitingRedelivery.isEmpty())
        {
            first = Math.min(first, awaitingRedelivery.first());
        }
        if (Long.MAX_VALUE != first)
        {
            feed.rewindTo(first);
        }
        feed.unfollow(handlerRunning);
        bus.removed(this);
    }

    /** @return the lowest stream sequence still in a halted shard's ring (handled or not: at-least-once). */
    private static long firstUndrained(final RingBuffer<ShardSlot> ring)
    {
        long first = Long.MAX_VALUE;
        final long end = ring.getCursor();
        for (long seq = Math.max(0, end - ring.getBufferSize() + 1); seq <= end; seq++)
        {
            final StoredMessage s = ring.get(seq).stored;
            if (null != s)
            {
                first = Math.min(first, s.sequence());
            }
        }
        return first;
    }
}
