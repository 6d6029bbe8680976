package io.agentflow.jmh;

import io.agentflow.codec.BulkVerifier;
import io.agentflow.codec.EnvelopeEncoder;
import io.agentflow.codec.Message;
import io.agentflow.codec.json.JsonLimits;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Bulk verification (issue 22): 100,000 canonical ~1 KiB envelopes verified by one thread and by one per core
 * ({@link BulkVerifier}); one operation is the whole batch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class BulkVerifyBenchmark
{
    private final List<byte[]> batch = new ArrayList<>();
    private BulkVerifier oneThread;
    private BulkVerifier everyCore;

    @Setup(Level.Trial)
    public void setUp()
    {
        final EnvelopeEncoder encoder = new EnvelopeEncoder();
        final Message template = SampleMessages.message();
        for (int i = 0; i < 100_000; i++)
        {
            batch.add(encoder.encodeToBytes(template.toBuilder().id(null).build()));
        }
        oneThread = new BulkVerifier(1, JsonLimits.DEFAULT);
        everyCore = BulkVerifier.onEveryCore(JsonLimits.DEFAULT);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        oneThread.close();
        everyCore.close();
    }

    @Benchmark
    public BulkVerifier.Outcome[] oneThread()
    {
        return oneThread.verify(batch);
    }

    @Benchmark
    public BulkVerifier.Outcome[] everyCore()
    {
        return everyCore.verify(batch);
    }
}
