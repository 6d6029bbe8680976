package io.agentflow.bus.pipeline;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.agentflow.bus.BusConfig;
import io.agentflow.codec.EnvelopeEncoder;
import io.agentflow.codec.ErrorCode;
import io.agentflow.codec.MessageError;
import io.agentflow.codec.Timestamps;
import io.agentflow.codec.UlidGenerator;

import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The hot publish path: an LMAX Disruptor ring of pre-allocated {@link PublishEvent}s and two stages, each one
 * thread:
 * <pre>
 *   publishers: claim -> fill -> commit
 *        |
 *   encode stage: id, ts, canonical encode + SHA-256 into the slot's buffer, sink.send (a NATS publish)
 *        |
 *   completion stage: sink.complete (the broker's ack), callback(tag, sequence, error), slot free again
 * </pre>
 * A sink whose send decides the outcome (the in-process store) gets no stage thread: {@link #commit(long)} runs
 * both stages on the publisher's own thread, as an Aeron IPC publication writes into its log on the caller's thread.
 * There is no ack to wait for, so a hand-off would buy nothing, and on a 2-core machine a second always-spinning
 * thread (the subscription's reader is the first) made about ten times as many messages meet a millisecond stall
 * (perf-reports/bus.md, fifth pass). The ring is then only the pool of events: a slot is free again once it and
 * every slot before it were committed ({@link #commit(long)} moves that gate).
 * A slot is free again only after its completion, so the ring is also the in-flight window: its size is
 * {@link BusConfig#maxInFlight()} rounded up to a power of two, and a transport may keep a reference to the slot's
 * bytes until the ack (jnats does, until its writer has sent them). When the ring is full, {@link #claim()} waits
 * up to {@link BusConfig#publishTimeout()} or fails at once ({@code AF_BUS_RING_FULL=wait|fail}) with a retryable
 * {@code transport_error}; a committed event is always completed, never dropped.
 * <p>
 * Claim, fill, commit, encode and complete allocate nothing in steady state (PipelineBenchmark, {@code -prof gc});
 * what a transport's client library allocates is its own (see the sinks).
 */
public final class PublishPipeline implements AutoCloseable
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PublishPipeline.class);

    private final Disruptor<PublishEvent> disruptor;   // null when the stages run on the publisher's thread
    private final RingBuffer<PublishEvent> ring;
    private final EncodeStage callerStages;   // both stages, run by commit on the publisher's thread; or null
    private final Sequence committed;   // with callerStages: every slot up to here is committed, so free again
    private final boolean waitWhenFull;
    private final long claimTimeoutNanos;
    private final long fullRingParkNanos;

    public PublishPipeline(final BusConfig config, final PipelineSink sink, final String name)
    {
        final int size = Integer.highestOneBit(Math.max(2, config.maxInFlight()) * 2 - 1);   // next power of two
        this.waitWhenFull = config.ringWaitWhenFull();
        this.claimTimeoutNanos = config.publishTimeout().toNanos();
        // a publisher ahead of a full ring checks again after about a tenth of the ring could have drained (stages
        // take ~2 us per event at best): each check is a wake-up, which on 2 cores preempts a stage thread
        this.fullRingParkNanos = Math.max(20_000, Math.min(200_000, size * 200L));
        sink.attach(size);
        if (sink.completesOnSend())
        {
            // no one waits on this ring, so its wait strategy only has to signal nothing on publish
            this.ring = RingBuffer.createMultiProducer(PublishEvent::new, size, new BusySpinWaitStrategy());
            this.committed = new Sequence();
            this.ring.addGatingSequences(committed);
            this.callerStages = new EncodeStage(null, sink, new CompletionStage(sink));
            this.disruptor = null;
            return;
        }
        this.callerStages = null;
        this.committed = null;
        final java.util.concurrent.atomic.AtomicInteger stages = new java.util.concurrent.atomic.AtomicInteger();
        this.disruptor = new Disruptor<>(PublishEvent::new, size, r ->
        {
            // -encode, -complete: in the order the stages are started below
            final Thread t = new Thread(r, "af-pipeline-" + name + (0 == stages.getAndIncrement() ? "-encode"
                : "-complete"));
            t.setDaemon(true);
            return t;
        }, ProducerType.MULTI, waitStrategy(config.waitStrategy()));
        this.disruptor.handleEventsWith(new EncodeStage(new EnvelopeEncoder(), sink, null))
            .then(new CompletionStage(sink));
        this.ring = disruptor.start();
    }

    /**
     * Claims the next slot, cleared; fill it through {@link #event(long)}, then {@link #commit(long)} it, always
     * (the sequence is taken).
     *
     * @throws MessageError a retryable {@code transport_error} when the ring stays full (every slot awaiting its
     *                      ack) past the publish time-out, or at once with {@code AF_BUS_RING_FULL=fail}.
     */
    public long claim()
    {
        try
        {
            return cleared(ring.tryNext());
        }
        catch (final InsufficientCapacityException full)
        {
            if (!waitWhenFull)
            {
                throw ringFull("failing fast (AF_BUS_RING_FULL=fail)");
            }
        }
        final long deadline = System.nanoTime() + claimTimeoutNanos;
        while (true)
        {
            LockSupport.parkNanos(fullRingParkNanos);
            try
            {
                return cleared(ring.tryNext());
            }
            catch (final InsufficientCapacityException full)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw ringFull("after waiting " + TimeUnit.NANOSECONDS.toMillis(claimTimeoutNanos) + " ms");
                }
            }
        }
    }

    public PublishEvent event(final long sequence)
    {
        return ring.get(sequence);
    }

    /**
     * Hands the filled slot to the stages; with a sink that completes on send (in process) the stages run here, on
     * the caller's thread, and the callback has been called when this returns.
     */
    public void commit(final long sequence)
    {
        if (null == callerStages)
        {
            ring.publish(sequence);
            return;
        }
        callerStages.onEvent(ring.get(sequence), sequence, true);
        ring.publish(sequence);   // marks the slot committed for freeCommitted, nothing more: no one reads the ring
        // a full fence, so that of two publishers committing neighbouring slots at once, at least one sees the
        // other's slot committed and moves the gate over both (release and acquire alone allow both to miss)
        VarHandle.fullFence();
        freeCommitted();
    }

    /** Moves the gate over every slot committed in ring order, whichever thread committed it. */
    private void freeCommitted()
    {
        long free = committed.get();
        while (ring.isAvailable(free + 1))
        {
            committed.compareAndSet(free, free + 1);   // a racing committer may have moved it: either way, read again
            free = committed.get();
        }
    }

    /** @return slots free now (the window's room). */
    public long remainingCapacity()
    {
        return ring.remainingCapacity();
    }

    public int size()
    {
        return ring.getBufferSize();
    }

    /**
     * Waits for every committed event to complete (at most twice the publish time-out: a slot claimed and never
     * committed would hold it for ever), then stops the stage threads.
     */
    @Override
    public void close()
    {
        if (null == disruptor)
        {
            return;   // the stages ran on the publishers' threads: every committed event has completed
        }
        try
        {
            disruptor.shutdown(2 * claimTimeoutNanos, TimeUnit.NANOSECONDS);
        }
        catch (final com.lmax.disruptor.TimeoutException ex)
        {
            disruptor.halt();
        }
    }

    private long cleared(final long sequence)
    {
        ring.get(sequence).clear();
        return sequence;
    }

    private MessageError ringFull(final String how)
    {
        return new MessageError(ErrorCode.TRANSPORT_ERROR, "publish ring full: all " + ring.getBufferSize()
            + " slots await their acks (AF_BUS_MAX_IN_FLIGHT); " + how + "; retry later", Map.of(), null);
    }

    /** @return a new wait strategy of the kind {@code AF_BUS_WAIT_STRATEGY} names (blocking, sleeping, ...). */
    public static WaitStrategy waitStrategy(final String name)
    {
        return switch (name)
        {
            case "blocking" -> new BlockingBackoffWaitStrategy();
            case "sleeping" -> new SleepingWaitStrategy();
            case "yielding" -> new YieldingWaitStrategy();
            case "busy-spin" -> new BusySpinWaitStrategy();
            default -> throw new IllegalArgumentException("unknown wait strategy " + name);
        };
    }

    /**
     * Stage 1, on one thread (with a sink that completes on send, on each publisher's thread, one instance for all):
     * the envelope's id, time, canonical bytes and hash, then the transport.
     */
    private static final class EncodeStage implements EventHandler<PublishEvent>
    {
        private final EnvelopeEncoder ownEncoder;   // null: the calling thread's (stages run on publishers' threads)
        private final UlidGenerator ids = UlidGenerator.shared();
        private final PipelineSink sink;
        private final CompletionStage inline;   // a sink that completes on send: no second stage thread

        EncodeStage(final EnvelopeEncoder ownEncoder, final PipelineSink sink, final CompletionStage inline)
        {
            this.ownEncoder = ownEncoder;
            this.sink = sink;
            this.inline = inline;
        }

        @Override
        public void onEvent(final PublishEvent e, final long sequence, final boolean endOfBatch)
        {
            try
            {
                if (null == e.subject)
                {
                    throw new MessageError(ErrorCode.VALIDATION_ERROR, "no subject set on the claimed event",
                        Map.of(), null);
                }
                e.ringSequence = sequence;
                if (!e.idChosen)
                {
                    ids.next(e.id, 0);
                }
                e.tsMicros = Timestamps.nowMicros();
                (null == ownEncoder ? EnvelopeEncoder.threadLocal() : ownEncoder).encode(e, e.wire);
                sink.send(e);
            }
            catch (final MessageError ex)
            {
                e.error = ex;
            }
            catch (final RuntimeException ex)
            {
                e.error = new MessageError(ErrorCode.SERIALIZATION_ERROR, "cannot encode: " + ex, Map.of(), ex);
            }
            if (null != inline)
            {
                inline.onEvent(e, sequence, endOfBatch);
            }
        }
    }

    /**
     * Stage 2, one thread (or the publisher's, after stage 1): waits for each outcome in ring order and tells the
     * publisher.
     */
    private static final class CompletionStage implements EventHandler<PublishEvent>
    {
        private final PipelineSink sink;

        CompletionStage(final PipelineSink sink)
        {
            this.sink = sink;
        }

        @Override
        public void onEvent(final PublishEvent e, final long sequence, final boolean endOfBatch)
        {
            if (null == e.error && null != e.pending)
            {
                try
                {
                    sink.complete(e);
                }
                catch (final RuntimeException ex)
                {
                    e.error = new MessageError(ErrorCode.TRANSPORT_ERROR, "cannot complete: " + ex, Map.of(), ex);
                }
            }
            final PublishCallback callback = e.callback;
            if (null != callback)
            {
                try
                {
                    callback.onComplete(e.tag, e.streamSequence, e.error);
                }
                catch (final RuntimeException ex)
                {
                    // a throwing callback must not stop the stage: every later publish would wait for ever
                    LOG.warn("a publish callback threw (tag {}); the pipeline goes on", e.tag, ex);
                }
            }
            e.pending = null;   // the transport's handle: not kept until the slot comes round again
        }
    }
}
