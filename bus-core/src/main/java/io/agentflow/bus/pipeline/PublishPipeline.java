package io.agentflow.bus.pipeline;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.SleepingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import io.agentflow.codec.EnvelopeEncoder;
import io.agentflow.codec.Timestamps;
import io.agentflow.codec.UlidGenerator;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The hot publish path: an LMAX Disruptor ring of pre-allocated {@link PublishEvent}s that is only a pool, and no
 * thread of its own:
 * <pre>
 *   publisher: claim -> fill -> commit: validate, id, ts, canonical encode + SHA-256 into the slot, sink.send
 *                                                                                        |
 *   in process: stored, so done here; over NATS: the broker's ack, on the sink's ack thread
 *                                                                                        |
 *   complete: callback(tag, sequence, error), the slot marked done; the gate frees done slots in ring order
 * </pre>
 * The work of a publish runs on the publisher's own thread, as an Aeron publication writes into its log on the
 * caller's thread: a hand-off to a stage thread would cost a wake-up per message, which on 2 cores was the largest
 * item of the JetStream path's CPU per message (about 12 of 77 us, perf-reports/loadgen.md) and in process made
 * about ten times as many messages meet a millisecond stall (perf-reports/bus.md, fifth pass). What comes back later
 * (an ack) completes the event on the thread that reads it.
 * <p>
 * A slot is free again once it and every slot before it are done ({@link #complete} moves that gate), so the ring is
 * also the in-flight window: its size is {@link PipelineSettings#maxInFlight()} rounded up to a power of two, and a
 * transport may keep a reference to the slot's bytes until the ack (jnats does, until its writer has sent them).
 * When the ring is full, {@link #claim()} waits up to {@link PipelineSettings#claimTimeout()} or fails at once
 * ({@code AF_BUS_RING_FULL=wait|fail}) with a retryable {@code transport_error}; a committed event is always
 * completed, never dropped. Callbacks run on the publisher's thread (in process, and for a publish refused before
 * it is sent) or on the transport's ack thread, in the order outcomes are known.
 * <p>
 * The claim path keeps the whole contract: {@link PublishEvent#validate} checks the subject and every field before
 * anything is encoded, and an invalid event completes with a {@code validation_error} without being sent.
 * Claim, fill, commit, encode and complete allocate nothing in steady state (PipelineBenchmark, {@code -prof gc});
 * what a transport's client library allocates is its own (see the sinks).
 */
public final class PublishPipeline implements AutoCloseable
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PublishPipeline.class);
    private static final long CLOSE_POLL_NANOS = 1_000_000;

    private final RingBuffer<PublishEvent> ring;
    private final PipelineSink sink;
    private final Sequence freed;   // every slot up to here is done, so free again
    private final UlidGenerator ids = UlidGenerator.shared();
    private final boolean waitWhenFull;
    private final long claimTimeoutNanos;
    private final long fullRingParkNanos;

    public PublishPipeline(final PipelineSettings settings, final PipelineSink sink)
    {
        final int size = Integer.highestOneBit(Math.max(2, settings.maxInFlight()) * 2 - 1);   // next power of two
        this.waitWhenFull = settings.waitWhenFull();
        this.claimTimeoutNanos = settings.claimTimeout().toNanos();
        // a publisher ahead of a full ring checks again after about a tenth of the ring could have drained: each
        // check is a wake-up, which on 2 cores preempts a thread doing real work
        this.fullRingParkNanos = Math.max(20_000, Math.min(200_000, size * 200L));
        this.sink = sink;
        // no one waits on this ring, so its wait strategy only has to signal nothing on publish
        this.ring = RingBuffer.createMultiProducer(PublishEvent::new, size, new BusySpinWaitStrategy());
        this.freed = new Sequence();
        this.ring.addGatingSequences(freed);
        sink.attach(size, this::complete);
    }

    /** What {@link #tryClaim()} returns when every slot awaits its outcome: nothing was claimed. */
    public static final long RING_FULL = -1;

    /**
     * Claims the next slot if one is free now, never waiting or throwing (as Aeron's {@code tryClaim} returns
     * {@code BACK_PRESSURED}): for a publisher with something better to do than wait. A sequence it returns must be
     * committed, as with {@link #claim()}.
     *
     * @return the claimed sequence, or {@link #RING_FULL}.
     */
    public long tryClaim()
    {
        try
        {
            return cleared(ring.tryNext());
        }
        catch (final InsufficientCapacityException full)
        {
            return RING_FULL;
        }
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
     * Validates, encodes and sends the filled slot on this thread; the callback runs before this returns when the
     * outcome is known at once (stored in process, refused), else on the transport's ack thread.
     */
    public void commit(final long sequence)
    {
        final PublishEvent e = ring.get(sequence);
        e.ringSequence = sequence;
        try
        {
            e.validate();
            if (!e.idChosen)
            {
                ids.next(e.id, 0);
            }
            if (!e.tsChosen)
            {
                e.tsMicros = Timestamps.nowMicros();
            }
            if (null == e.knownHash)
            {
                EnvelopeEncoder.threadLocal().encode(e, e.wire);
            }
            else
            {
                EnvelopeEncoder.threadLocal().encode(e, e.wire, e.knownHash);   // a Message's own, already verified
            }
        }
        catch (final MessageError ex)
        {
            e.error = ex;
        }
        catch (final RuntimeException ex)
        {
            e.error = new MessageError(ErrorCode.SERIALIZATION_ERROR, "cannot encode: " + ex, Map.of(), ex);
        }
        if (null != e.error || sink.send(e))
        {
            complete(e);
        }
    }

    /**
     * Tells the publisher the outcome and marks the slot done, then moves the gate over every slot done in ring
     * order, whichever thread finished it.
     */
    private void complete(final PublishEvent e)
    {
        final PublishCallback callback = e.callback;
        if (null != callback)
        {
            try
            {
                callback.onComplete(e);
            }
            catch (final RuntimeException ex)
            {
                // a throwing callback must not stop the thread that completes: every later publish would wait
                LOG.warn("a publish callback threw (tag {}); the pipeline goes on", e.tag, ex);
            }
        }
        ring.publish(e.ringSequence);   // marks the slot done for the gate, nothing more: no one reads the ring
        // a full fence, so that of two threads completing neighbouring slots at once, at least one sees the
        // other's slot done and moves the gate over both (release and acquire alone allow both to miss)
        VarHandle.fullFence();
        long free = freed.get();
        while (ring.isAvailable(free + 1))
        {
            freed.compareAndSet(free, free + 1);   // a racing completer may have moved it: either way, read again
            free = freed.get();
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
     * Waits for every committed event to complete, at most twice the publish time-out (a slot claimed and never
     * committed would hold it for ever); then what still awaits an ack is reported failed and the sink closes.
     */
    @Override
    public void close()
    {
        final long deadline = System.nanoTime() + 2 * claimTimeoutNanos;
        while (freed.get() < ring.getCursor() && System.nanoTime() - deadline < 0)
        {
            LockSupport.parkNanos(CLOSE_POLL_NANOS);
        }
        sink.close();
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
}
