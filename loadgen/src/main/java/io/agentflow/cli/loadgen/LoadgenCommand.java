package io.agentflow.cli.loadgen;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.InProcessBus;
import io.agentflow.bus.JetStreamBus;
import io.agentflow.codec.MessageError;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.agentflow.cli.MetricsOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code agentflow loadgen}: the project's main job. Simulated agents exchange real contract messages on a
 * fixed-rate schedule; end-to-end latency goes into HdrHistogram; a report directory holds the figures and plots.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run a load of simulated agents exchanging verified messages, then write a report",
        "(summary.json, latency.hgrm, plots, report.html). With no options: about 30 seconds,",
        "1000 agents, 10000 msgs/s, 1 KiB payloads, request-reply, over NATS when one can be found.",
        "Exit status 1 when p95 misses the target or any message was lost or failed verification."})
public final class LoadgenCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Option(names = "--transport", defaultValue = "auto", description = "auto, nats or embedded (default: "
        + "${DEFAULT-VALUE}). auto: $AF_BUS_URL if it answers, else a private nats-server from the PATH, else "
        + "the in-process transport.")
    String transport;

    @Option(names = "--url", description = "NATS server(s) for --transport nats (default: $AF_BUS_URL or "
        + "nats://localhost:4222).")
    String url;

    @Option(names = "--agents", defaultValue = "1000", description = "Simulated agents (default: ${DEFAULT-VALUE}).")
    int agents;

    @Option(names = "--rate", defaultValue = "10000", description = "Total messages per second offered, every "
        + "hop counted (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", defaultValue = "20s", description = "Measured part (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--warmup", defaultValue = "5s", description = "Warm-up before measuring (default: "
        + "${DEFAULT-VALUE}).")
    String warmup;

    @Option(names = "--payload-bytes", defaultValue = "1024", description = "Payload size (default: "
        + "${DEFAULT-VALUE}).")
    int payloadBytes;

    @Option(names = "--pattern", defaultValue = "request-reply", description = "request-reply (agent pairs), "
        + "fan-out (an orchestrator to 10 agents) or pipeline (4 stages) (default: ${DEFAULT-VALUE}).")
    String pattern;

    @Option(names = "--publishers", defaultValue = "2", description = "Publishing threads (default: "
        + "${DEFAULT-VALUE}).")
    int publishers;

    @Option(names = "--target-p95", defaultValue = "15ms", description = "The p95 budget (default: "
        + "${DEFAULT-VALUE}).")
    String targetP95;

    @Option(names = "--baseline", description = "raw-jnats: run the same schedule through bare jnats too, and "
        + "report both with their ratios (NATS transports only).")
    String baseline;

    @Option(names = "--report-dir", description = "Where to write the report (default: "
        + "perf-reports/runs/<timestamp>).")
    Path reportDir;

    @Option(names = "--publish-path", defaultValue = "message", description = "message: publish(subject, Message) "
        + "with retry, breaker and tracing spans; pipeline: the bus's claim/commit ring (default: ${DEFAULT-VALUE}; "
        + "on 2 cores the ring's extra threads cost latency at 10k msgs/s, see docs/loadgen.md).")
    String publishPath;

    @Option(names = "--soak", description = "Also sample the heap after a full GC, live threads and open "
        + "subscriptions every --soak-sample (resources.csv), and fail unless they stay flat: for runs of "
        + "10 minutes and more (scripts/soak).")
    boolean soak;

    @Option(names = "--soak-sample", defaultValue = "30s", description = "Sampling interval of --soak (default: "
        + "${DEFAULT-VALUE}).")
    String soakSample;

    @Mixin
    MetricsOption metrics;

    @Override
    public Integer call() throws Exception
    {
        final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        final PrintStream err = System.err;
        final Pattern flowPattern;
        final long targetUs;
        final long warmupNanos;
        final long durationNanos;
        try
        {
            flowPattern = Pattern.fromOption(pattern);
            targetUs = BusConfig.parseDuration("--target-p95", targetP95).toNanos() / 1000;
            warmupNanos = BusConfig.parseDuration("--warmup", warmup).toNanos();
            durationNanos = BusConfig.parseDuration("--duration", duration).toNanos();
            if (agents < 2 || rate <= 0 || payloadBytes < 0 || publishers < 1 || durationNanos <= 0
                || (null != baseline && !"raw-jnats".equals(baseline))
                || !("pipeline".equals(publishPath) || "message".equals(publishPath)))
            {
                throw new IllegalArgumentException("need --agents >= 2, --rate > 0, --payload-bytes >= 0, "
                    + "--publishers >= 1, --duration > 0, --baseline raw-jnats, --publish-path pipeline|message");
            }
        }
        catch (final IllegalArgumentException | MessageError e)
        {
            err.println("loadgen: " + e.getMessage());
            return 2;
        }

        final BusConfig config = io.agentflow.cli.AgentFlow.busConfig();
        final HTTPServer metricsServer = metrics.start(err);
        final String natsUrl = null != url ? url : config.url();
        NatsServerProcess privateServer = null;
        String chosen = transport;
        String endpoint = "in-process";
        try
        {
            if ("auto".equals(transport))
            {
                if (null == url && config.isEmbedded())
                {
                    chosen = "embedded";
                    err.println("loadgen: AF_BUS_URL=" + config.url() + " selects the in-process transport");
                }
                else if (answers(natsUrl))
                {
                    chosen = "nats";
                    endpoint = natsUrl;
                    err.println("loadgen: using NATS at " + natsUrl);
                }
                else if (null != NatsServerProcess.find())
                {
                    privateServer = NatsServerProcess.start(NatsServerProcess.find());
                    chosen = "nats";
                    endpoint = privateServer.url();
                    err.println("loadgen: started a private nats-server at " + endpoint + " (stopped after the run)");
                }
                else
                {
                    chosen = "embedded";
                    err.println("loadgen: no NATS server found; using the in-process transport");
                }
            }
            else if ("nats".equals(transport))
            {
                endpoint = natsUrl;
            }
            else if (!"embedded".equals(transport))
            {
                err.println("loadgen: --transport must be auto, nats or embedded");
                return 2;
            }
            if ("embedded".equals(chosen) && null != baseline)
            {
                err.println("loadgen: --baseline raw-jnats needs a NATS transport; running without it");
            }

            final int tag = ThreadLocalRandom.current().nextInt() & 0x7fffffff;
            final String runTag = Integer.toHexString(tag);
            final boolean terminal = null != System.console();
            final RunResult ours;
            final ResourceSampler sampler = soak
                ? new ResourceSampler(BusConfig.parseDuration("--soak-sample", soakSample).toNanos()).start() : null;
            final boolean hotPath = "pipeline".equals(publishPath);
            if ("nats".equals(chosen))
            {
                final BusConfig natsConfig = config.url(endpoint).conclude();
                final JetStreamBus bus = JetStreamBus.connect(natsConfig);
                bus.provision();
                ours = new LoadRun(new BusLoadTransport(bus, "nats", runTag, agents, payloadBytes, hotPath),
                    flowPattern, agents, rate, warmupNanos, durationNanos, publishers, err, terminal).run();
            }
            else
            {
                ours = new LoadRun(new BusLoadTransport(new InProcessBus(config.url("embedded:").conclude()),
                    "embedded", runTag, agents, payloadBytes, hotPath), flowPattern, agents, rate, warmupNanos,
                    durationNanos, publishers, err, terminal).run();
            }
            if (null != sampler)
            {
                sampler.close();
            }
            RunResult base = null;
            if ("nats".equals(chosen) && null != baseline)
            {
                base = new LoadRun(new RawJnatsLoadTransport(endpoint, tag, agents, payloadBytes,
                    config.maxInFlight()), flowPattern, agents, rate, warmupNanos, durationNanos, publishers, err,
                    terminal).run();
            }

            final Map<String, Object> summary = Summary.of(ours, base, flowPattern, agents, payloadBytes, rate,
                targetUs, environment(chosen, endpoint));
            final Path dir = null != reportDir ? reportDir : Path.of("perf-reports", "runs",
                LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            boolean flat = true;
            if (null != sampler)
            {
                final Map<String, Object> verdict = sampler.verdict();
                summary.put("soak", verdict);
                flat = Boolean.TRUE.equals(verdict.get("flat"));
                sampler.write(dir);
                err.println("loadgen: soak " + (flat ? "flat" : "NOT flat") + ": " + verdict);
            }
            ReportWriter.write(dir, summary, ours, base, targetUs);
            printHeadline(out, summary, ours, base, dir);
            return Summary.passed(ours, targetUs) && flat ? 0 : 1;
        }
        catch (final MessageError e)
        {
            err.println("loadgen: " + e.code().wireName() + " " + e.getMessage());
            return 1;
        }
        finally
        {
            if (null != privateServer)
            {
                privateServer.close();
            }
            if (null != metricsServer)
            {
                metricsServer.close();
            }
        }
    }

    private static boolean answers(final String url)
    {
        final URI uri = URI.create(url.split(",")[0].trim());
        return NatsServerProcess.answers(null == uri.getHost() ? "localhost" : uri.getHost(),
            uri.getPort() < 0 ? 4222 : uri.getPort(), 300);
    }

    private Map<String, Object> environment(final String chosen, final String endpoint)
    {
        final Map<String, Object> env = new LinkedHashMap<>();
        env.put("transport_endpoint", endpoint);
        env.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.put("cpu", cpuName() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        env.put("date", java.time.Instant.now().toString());
        env.put("publish_path", publishPath);
        env.put("command", "agentflow " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        return env;
    }

    private static String cpuName()
    {
        try
        {
            return java.nio.file.Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst().orElse(System.getProperty("os.arch"));
        }
        catch (final java.io.IOException ex)
        {
            return System.getProperty("os.arch");
        }
    }

    private static void printHeadline(final PrintStream out, final Map<String, Object> summary, final RunResult ours,
        final RunResult base, final Path dir)
    {
        final Map<?, ?> l = (Map<?, ?>)Summary.latency(ours.endToEnd());
        out.printf("%s: transport=%s pattern=%s rate=%.0f/%.0f msgs/s  p50=%.2fms p95=%.2fms p99=%.2fms max=%.2fms"
                + "  lost=%d failed_verification=%d errors=%d%n",
            Boolean.TRUE.equals(summary.get("pass")) ? "PASS" : "FAIL", ours.transport(), summary.get("pattern"),
            ((Number)summary.get("rate_achieved")).doubleValue(), ((Number)summary.get("rate_offered")).doubleValue(),
            ms(l.get("p50")), ms(l.get("p95")), ms(l.get("p99")), ms(l.get("max")), ours.lost(), ours.rejected(),
            ours.errorCount());
        if (null != base)
        {
            final Map<?, ?> b = (Map<?, ?>)Summary.latency(base.endToEnd());
            final Map<?, ?> ratio = (Map<?, ?>)summary.get("ratio");
            out.printf("baseline raw-jnats: p50=%.2fms p95=%.2fms p99=%.2fms  ratio ours/raw: throughput=%s p95=%s%n",
                ms(b.get("p50")), ms(b.get("p95")), ms(b.get("p99")), ratio.get("throughput"), ratio.get("p95"));
        }
        out.println("report: " + dir.toAbsolutePath().normalize().resolve("report.html"));
    }

    private static double ms(final Object us)
    {
        return ((Number)us).doubleValue() / 1000.0;
    }
}
