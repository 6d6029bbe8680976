package io.agentflow.jmh;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.PublishAck;
import io.agentflow.bus.inprocess.InProcessBus;
import io.agentflow.codec.Message;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * What tracing costs on the publish path: the in-process publish of a new message (built with its SHA-256,
 * encoded, stored), with the tracing layer switched off ({@code AF_BUS_TRACING=false}), on with no SDK (the
 * default for a library user without OpenTelemetry), on with an SDK that samples nothing, and on with an SDK that
 * samples everything (spans batched to an exporter that drops them, so export I/O is not counted). In process,
 * so the broker's noise stays out.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class TracingBenchmark
{
    @Param({"layer-off", "no-sdk", "unsampled", "sampled"})
    String tracing;

    private InProcessBus bus;
    private SdkTracerProvider provider;
    private Message template;

    @Setup(Level.Trial)
    public void start()
    {
        final BusConfig config = new BusConfig().url("embedded:").embeddedMaxBytes(32L << 20);
        switch (tracing)
        {
            case "layer-off":
                config.tracing(false);
                break;
            case "unsampled":
                provider = SdkTracerProvider.builder().setSampler(Sampler.alwaysOff()).build();
                config.openTelemetry(OpenTelemetrySdk.builder().setTracerProvider(provider).build());
                break;
            case "sampled":
                provider = SdkTracerProvider.builder().setSampler(Sampler.alwaysOn())
                    .addSpanProcessor(BatchSpanProcessor.builder(new DroppingExporter()).build()).build();
                config.openTelemetry(OpenTelemetrySdk.builder().setTracerProvider(provider).build());
                break;
            default:
                break;   // no-sdk: the global OpenTelemetry, a no-op in this JVM
        }
        bus = new InProcessBus(config.conclude());
        template = SampleMessages.message().toBuilder().traceId("").spanId("").build();
    }

    @TearDown(Level.Trial)
    public void stop()
    {
        bus.close();
        if (null != provider)
        {
            provider.close();
        }
    }

    @Benchmark
    public PublishAck publish()
    {
        return bus.publish("agents.bench.in", template.toBuilder().id(null).build()).join();
    }

    /** Accepts spans and drops them: the cost of recording, not of shipping. */
    static final class DroppingExporter implements SpanExporter
    {
        @Override
        public CompletableResultCode export(final Collection<SpanData> spans)
        {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush()
        {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown()
        {
            return CompletableResultCode.ofSuccess();
        }
    }
}
