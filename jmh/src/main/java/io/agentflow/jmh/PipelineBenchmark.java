package io.agentflow.jmh;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.pipeline.PipelineSink;
import io.agentflow.bus.pipeline.PublishCallback;
import io.agentflow.bus.pipeline.PublishEvent;
import io.agentflow.bus.pipeline.PublishPipeline;
import io.agentflow.codec.EnvelopeEncoder;
import io.agentflow.codec.Json;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;
import io.agentflow.codec.json.GrowableBytes;
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
 * The publish pipeline alone (issue 4): claim, fill, commit on the benchmark thread, which also gives the id and
 * time, encodes, hashes and completes (callback included); the transport is a sink that keeps nothing and decides
 * at once. One operation is one message; an invocation commits {@link #BATCH} and waits for their callbacks.
 * With {@code -prof gc}, {@code gc.alloc.rate.norm} is what the whole path allocates per message (all threads).
 * Baseline in the same run: the same encode+hash done inline on the caller's thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PipelineBenchmark
{
    static final int BATCH = 1000;

    private final AtomicLong completed = new AtomicLong();
    private final PublishCallback callback = (tag, sequence, error) -> completed.lazySet(tag);
    private final EnvelopeEncoder encoder = new EnvelopeEncoder();
    private final GrowableBytes out = new GrowableBytes(4096);
    private PublishPipeline pipeline;
    private Json payload;
    private Json metadata;
    private Message message;
    private long next;

    @Setup(Level.Trial)
    public void start()
    {
        message = SampleMessages.message();
        payload = message.payload();
        metadata = message.metadata();
        pipeline = new PublishPipeline(new BusConfig().url("embedded:").maxInFlight(4096).conclude().pipelineSettings(),
            new PipelineSink()
            {
                @Override
                public boolean send(final PublishEvent event)
                {
                    return true;   // a transport that keeps nothing and decides at once: the pipeline's own cost
                }
            });
    }

    @TearDown(Level.Trial)
    public void stop()
    {
        pipeline.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long claimFillCommit()
    {
        long last = 0;
        for (int i = 0; i < BATCH; i++)
        {
            last = ++next;
            final long seq = pipeline.claim();
            pipeline.event(seq).subject("agents.worker-42.in").from("orchestrator-1").to("worker-42")
                .type(MessageType.REQUEST).payload(payload).metadata(metadata)
                .trace(message.traceId(), message.spanId()).onComplete(callback, last);
            pipeline.commit(seq);
        }
        while (completed.get() != last)
        {
            LockSupport.parkNanos(1_000);
        }
        return last;
    }

    /** Baseline: the same envelope encoded and hashed on the caller's thread, nothing else. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int inlineEncodeAndHash()
    {
        int n = 0;
        for (int i = 0; i < BATCH; i++)
        {
            encoder.encode(message, out);
            n += out.length();
        }
        return n;
    }
}
