package io.agentflow.jmh;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.DeliverySettings;
import io.agentflow.bus.Subscription;
import io.agentflow.bus.SubscriptionSpec;
import io.agentflow.bus.inprocess.InProcessBus;
import io.agentflow.codec.Message;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * In-process publish to handler: each message is built and hashed (SHA-256 of its canonical form), encoded and
 * stored by the publisher, then decoded and verified (canonical scan, contract, SHA-256) by the subscription
 * before its handler runs. One operation is one message;
 * an invocation publishes {@link #BATCH} and waits until the handler has seen them all.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class InProcessBenchmark
{
    static final int BATCH = 1000;

    private final AtomicLong handled = new AtomicLong();
    private InProcessBus bus;
    private Subscription subscription;
    private Message template;
    private long published;

    /** What the consume threads (reader and handler shards) allocated, and the messages they took; per op: B/msg. */
    @State(Scope.Thread)
    @org.openjdk.jmh.annotations.AuxCounters(org.openjdk.jmh.annotations.AuxCounters.Type.EVENTS)
    public static class ConsumeAllocation
    {
        public long consumeBytes;
        public long consumedMessages;
    }

    @Setup(Level.Trial)
    public void start()
    {
        // retention kept small: the benchmark measures the path, not the heap holding every message
        bus = new InProcessBus(new BusConfig().url("embedded:").embeddedMaxBytes(64L << 20).conclude());
        subscription = bus.subscribe(SubscriptionSpec.durable("bench", "agents.*.in"), (m, d) -> handled.incrementAndGet());
        template = SampleMessages.message();

    }

    @TearDown(Level.Trial)
    public void stop()
    {
        subscription.close();
        bus.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void publishToHandler()
    {
        for (int i = 0; i < BATCH; i++)
        {
            // a new id per message (the bus drops repeats) and the SHA-256 computed by the builder, as an agent does
            bus.publish("agents.bench-" + (i & 7) + ".in", template.toBuilder().id(null).build());
        }
        published += BATCH;
        while (handled.get() < published)
        {
            LockSupport.parkNanos(10_000);
        }
    }

    /**
     * The allocation-free path: claimed pipeline events in, envelope views out. One bus per state, so the sharded
     * and the inline variants each have their own threads.
     */
    @State(Scope.Benchmark)
    public abstract static class FastPath
    {
        private final Message template = SampleMessages.message();
        private InProcessBus bus;
        private Subscription subscription;
        private long next;
        private volatile long handled;
        private volatile long target;
        private volatile Thread waiter;
        private long[] consumeThreads;
        private final io.agentflow.bus.pipeline.PublishCallback failOnError = (tag, sequence, error) ->
        {
            if (null != error)
            {
                throw error;
            }
        };

        abstract int handlerThreads();

        @Setup(Level.Trial)
        public void start()
        {
            bus = new InProcessBus(new BusConfig().url("embedded:").embeddedMaxBytes(64L << 20)
                .delivery(d -> d.handlerThreads(handlerThreads())).conclude());
            subscription = bus.subscribe(SubscriptionSpec.durable("fast", "agents.*.in"),
                (io.agentflow.bus.EnvelopeHandler)d ->
                {
                    // reads the type in place, as a handler routing on it would
                    if (null != d.envelope().type() && ++handled >= target - BATCH)
                    {
                        LockSupport.unpark(waiter);
                    }
                });
            consumeThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("af-inproc-") && t.getName().contains("fast"))
                .mapToLong(Thread::getId).toArray();
        }

        @TearDown(Level.Trial)
        public void stop()
        {
            subscription.close();
            bus.close();
        }

        long run(final ConsumeAllocation allocation)
        {
            final long before = consumeAllocated();
            final io.agentflow.bus.pipeline.PublishPipeline pipeline = bus.pipeline();
            waiter = Thread.currentThread();
            target = next + BATCH;
            for (int i = 0; i < BATCH; i++)
            {
                final long seq = pipeline.claim();
                pipeline.event(seq).subject("agents.bench.in").from(template.from()).to(template.to())
                    .type(template.type()).payload(template.payload()).metadata(template.metadata())
                    .trace(template.traceId(), template.spanId()).onComplete(failOnError, ++next);
                pipeline.commit(seq);
            }
            while (handled < target - BATCH)
            {
                LockSupport.park(this);
            }
            allocation.consumeBytes += consumeAllocated() - before;
            allocation.consumedMessages += BATCH;
            return handled;
        }

        private long consumeAllocated()
        {
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
            long sum = 0;
            for (final long id : consumeThreads)
            {
                sum += Math.max(0, threads.getThreadAllocatedBytes(id));
            }
            return sum;
        }
    }

    /** The default: a reader thread hands each message to the handler shard of its key. */
    public static class Sharded extends FastPath
    {
        @Override
        int handlerThreads()
        {
            return DeliverySettings.HANDLER_THREADS_DEFAULT;
        }
    }

    /** {@code AF_BUS_HANDLER_THREADS=1}: the reader runs the handler, no hand-off. */
    public static class Inline extends FastPath
    {
        @Override
        int handlerThreads()
        {
            return 1;
        }
    }

    /**
     * The allocation-free path end to end: claim, fill and commit on this thread, whose commit also does the id,
     * time, canonical encode and SHA-256 and stores the bytes (in process the pipeline has no stage thread); the
     * subscription's reader verifies the SHA-256 and hands a slot to the handler shard, whose handler reads the
     * envelope's type in place. One subject, as one agent's inbox: one ordering key, so one shard. Waits (parked)
     * until the handler has seen the whole batch. Allocation on the consume threads alone is counted in
     * {@link ConsumeAllocation}; the stream stores a copy of each message into segments and records it reuses once
     * retention and the readers are past them, so {@code gc.alloc.rate.norm} on all threads stays near zero too.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long claimToEnvelopeHandler(final Sharded path, final ConsumeAllocation allocation)
    {
        return path.run(allocation);
    }

    /** {@link #claimToEnvelopeHandler} with one handler thread: the reader verifies and runs the handler itself. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long claimToEnvelopeHandlerInline(final Inline path, final ConsumeAllocation allocation)
    {
        return path.run(allocation);
    }
}
