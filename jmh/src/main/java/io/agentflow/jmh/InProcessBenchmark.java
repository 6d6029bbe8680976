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
}
