package io.agentflow.jmh;

import io.agentflow.bus.security.WorkflowChain;
import io.agentflow.codec.Message;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What a hash chain costs per message (issue 17): linking on publish ({@link WorkflowChain#next}: metadata copied,
 * the message built and hashed, its link hashed with the trace ids emptied) and checking on replay (the link of each
 * replayed message), beside building the same message without a chain.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ChainBenchmark
{
    private final WorkflowChain chain = new WorkflowChain("wf-bench");
    private Message draft;
    private Message linked;

    @Setup
    public void setUp()
    {
        draft = SampleMessages.message();
        linked = chain.next(draft);
    }

    /** Baseline: a message built (and hashed) as any publish builds one. */
    @Benchmark
    public Message build()
    {
        return draft.toBuilder().build();
    }

    @Benchmark
    public Message chainNext()
    {
        return chain.next(draft);
    }

    @Benchmark
    public String replayLink()
    {
        return WorkflowChain.link(linked);
    }
}
