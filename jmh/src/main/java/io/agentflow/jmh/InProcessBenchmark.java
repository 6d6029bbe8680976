package io.agentflow.jmh;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.InProcessBus;
import io.agentflow.bus.Subscription;
import io.agentflow.bus.SubscriptionSpec;
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

    // the allocation-free path: claimed pipeline events in, envelope views out
    private InProcessBus fastBus;
    private Subscription fastSubscription;
    private io.agentflow.codec.Json payload;
    private io.agentflow.codec.Json metadata;
    private long fastNext;
    private volatile long fastHandled;
    private volatile long fastTarget;
    private volatile Thread fastWaiter;
    private long[] consumeThreads;
    private final io.agentflow.bus.pipeline.PublishCallback ignoreOutcome = (tag, sequence, error) ->
    {
        if (null != error)
        {
            throw error;
        }
    };

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

        fastBus = new InProcessBus(new BusConfig().url("embedded:").embeddedMaxBytes(64L << 20).conclude());
        fastSubscription = fastBus.subscribe(SubscriptionSpec.durable("fast", "agents.*.in"),
            (io.agentflow.bus.EnvelopeHandler)d ->
            {
                // reads the type in place (the locating pass runs) as a handler routing on it would
                if (null != d.envelope().type() && ++fastHandled >= fastTarget)
                {
                    LockSupport.unpark(fastWaiter);
                }
            });
        payload = template.payload();
        metadata = template.metadata();
        consumeThreads = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("af-inproc-") && t.getName().contains("fast"))
            .mapToLong(Thread::getId).toArray();
    }

    @TearDown(Level.Trial)
    public void stop()
    {
        subscription.close();
        bus.close();
        fastSubscription.close();
        fastBus.close();
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
     * The allocation-free path end to end: claim, fill and commit on this thread; id, time, canonical encode and
     * SHA-256 on the pipeline's encode stage, which stores the bytes; the subscription's reader verifies the
     * SHA-256 and hands a slot to the handler shard, whose handler reads the envelope in place. One subject, as one
     * agent's inbox: one ordering key, so one shard. Waits (parked) until the handler has seen the whole batch.
     * Allocation on the consume threads alone is counted in {@link ConsumeAllocation} (the stream keeps a copy of
     * every message it stores, which is retention, on the publish side).
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long claimToEnvelopeHandler(final ConsumeAllocation allocation)
    {
        final long before = consumeAllocated();
        final io.agentflow.bus.pipeline.PublishPipeline pipeline = fastBus.pipeline();
        fastWaiter = Thread.currentThread();
        fastTarget = fastNext + BATCH;
        for (int i = 0; i < BATCH; i++)
        {
            final long seq = pipeline.claim();
            pipeline.event(seq).subject("agents.bench.in").from(template.from()).to(template.to())
                .type(template.type()).payload(payload).metadata(metadata)
                .trace(template.traceId(), template.spanId()).onComplete(ignoreOutcome, ++fastNext);
            pipeline.commit(seq);
        }
        while (fastHandled < fastTarget)
        {
            LockSupport.park(this);
        }
        allocation.consumeBytes += consumeAllocated() - before;
        allocation.consumedMessages += BATCH;
        return fastHandled;
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
