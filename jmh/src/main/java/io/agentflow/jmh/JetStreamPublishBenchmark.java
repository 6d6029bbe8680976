package io.agentflow.jmh;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.codec.EnvelopeEncoder;
import io.agentflow.codec.Message;
import io.agentflow.testsupport.NatsTestServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
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

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The JetStream publish path against raw jnats {@code publishAsync} of the same bytes, with the same in-flight
 * window, on the same {@code nats-server} (started by the benchmark). One operation is one message; an invocation
 * publishes {@link #BATCH} and waits for every acknowledgement. Ours includes all the envelope work per publish:
 * building the message with a new id and its SHA-256, subject check, wire encoding, the in-flight permit, the
 * {@code Nats-Msg-Id} header and mapping the ack. The baseline's bytes are made beforehand (repeating after 64k
 * messages; the broker acks a repeat as a duplicate, which costs it no less).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class JetStreamPublishBenchmark
{
    static final int BATCH = 1000;
    static final int WINDOW = 1000;
    private static final String SUBJECT = "agents.bench.in";

    private NatsTestServer server;
    private JetStreamBus bus;
    private Connection raw;
    private JetStream rawJs;
    private Semaphore rawWindow;
    private Message template;
    private byte[][] bodies;
    private int next;
    private long pipelineNext;
    private final java.util.concurrent.atomic.AtomicLong pipelineCompleted = new java.util.concurrent.atomic.AtomicLong();
    private volatile long pipelineTarget;
    private volatile Thread pipelineWaiter;
    // wakes the benchmark thread once its last publish is acked: it blocks as the baselines' join() does, since a
    // polling wait would take CPU from the stages and the broker it measures
    private final io.agentflow.bus.pipeline.PublishCallback pipelineCallback = (tag, sequence, error) ->
    {
        pipelineCompleted.set(tag);
        if (tag >= pipelineTarget)
        {
            java.util.concurrent.locks.LockSupport.unpark(pipelineWaiter);
        }
    };

    @Setup(Level.Trial)
    public void start() throws Exception
    {
        server = NatsTestServer.start();
        bus = JetStreamBus.connect(new BusConfig().url(server.url()).maxInFlight(WINDOW).conclude());
        bus.provision();
        raw = Nats.connect(server.url());
        rawJs = raw.jetStream();
        rawWindow = new Semaphore(WINDOW);
        template = SampleMessages.message();
        bodies = new byte[BATCH * 64][];   // the baseline's bytes, made before: it does no envelope work
        for (int i = 0; i < bodies.length; i++)
        {
            bodies[i] = new EnvelopeEncoder().wireBytes(template.toBuilder().id(null).build());
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception
    {
        bus.close();
        raw.close();
        server.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void busPublish()
    {
        final CompletableFuture<?>[] acks = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++)
        {
            acks[i] = bus.publish(SUBJECT, template.toBuilder().id(null).build());   // new id, hash computed
        }
        CompletableFuture.allOf(acks).join();
    }

    /**
     * The claim path: pooled events through the publish pipeline (its ring is the same window), envelope work on
     * the benchmark thread in commit, acks on the pipeline's ack dispatcher.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long pipelinePublish()
    {
        final io.agentflow.bus.pipeline.PublishPipeline pipeline = bus.pipeline();
        pipelineTarget = Long.MAX_VALUE;
        long last = 0;
        for (int i = 0; i < BATCH; i++)
        {
            last = ++pipelineNext;
            final long seq = pipeline.claim();
            pipeline.event(seq).subject(SUBJECT).from(template.from()).to(template.to()).type(template.type())
                .payload(template.payload()).metadata(template.metadata())
                .trace(template.traceId(), template.spanId()).onComplete(pipelineCallback, last);
            pipeline.commit(seq);
        }
        pipelineWaiter = Thread.currentThread();
        pipelineTarget = last;
        while (pipelineCompleted.get() != last)
        {
            java.util.concurrent.locks.LockSupport.park(this);
        }
        return last;
    }

    /** Baseline: bare jnats publishAsync of the same bytes, with the same window. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void rawJnatsPublishAsync() throws InterruptedException
    {
        final CompletableFuture<?>[] acks = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++)
        {
            rawWindow.acquire();
            acks[i] = rawJs.publishAsync(SUBJECT, bodies[next++ % bodies.length])
                .whenComplete((ack, failure) -> rawWindow.release());
        }
        CompletableFuture.allOf(acks).join();
    }

    /**
     * Where the gap to the baseline goes: bare jnats with a {@code Nats-Msg-Id} per message, as the contract
     * requires of ours (the broker's de-duplication then has work to do per message). Not a gated baseline.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void rawJnatsPublishAsyncWithMsgId() throws InterruptedException
    {
        final CompletableFuture<?>[] acks = new CompletableFuture<?>[BATCH];
        for (int i = 0; i < BATCH; i++)
        {
            rawWindow.acquire();
            acks[i] = rawJs.publishAsync(SUBJECT, null, bodies[next % bodies.length],
                io.nats.client.PublishOptions.builder().messageId(Integer.toString(next++)).build())
                .whenComplete((ack, failure) -> rawWindow.release());
        }
        CompletableFuture.allOf(acks).join();
    }
}
