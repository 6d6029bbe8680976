package io.agentflow.cli.loadgen;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.EnvValues;
import io.agentflow.bus.BusSecurity;
import io.agentflow.cli.options.MetricsOption;
import io.agentflow.codec.error.MessageError;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * {@code agentflow loadgen}: the project's main job. Simulated agents exchange real contract messages on a
 * fixed-rate schedule; end-to-end latency goes into HdrHistogram; a report directory holds the figures and plots.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, sortOptions = false,
    header = "Run a load of simulated agents over the bus, beside bare jnats, and write a report.",
    description = {"Run a load of simulated agents exchanging verified messages, then write a report",
        "(summary.json, latency.hgrm, plots, report.html). With no options: about 40 seconds,",
        "1000 agents, 10000 msgs/s, 1 KiB payloads, request-reply, over NATS when one can be found.",
        "Exit status 1 when p95 misses the target or any message was lost or failed verification."})
public final class LoadgenCommand implements Callable<Integer>
{
    private final Supplier<BusConfig> settings;

    @Spec
    CommandSpec spec;

    /** @param settings this invocation's bus settings, read when the run starts (after --profile/--config). */
    public LoadgenCommand(final Supplier<BusConfig> settings)
    {
        this.settings = settings;
    }

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

    @Option(names = "--warmup", defaultValue = "15s", description = "Warm-up before measuring, long enough for the "
        + "JIT to settle on 2 cores (default: ${DEFAULT-VALUE}).")
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

    @Option(names = "--baseline", split = ",", description = "raw-jnats and/or raw-jnats-noid, comma-separated: run "
        + "the same schedule through bare jnats too, with a Nats-Msg-Id like ours (raw-jnats) or without one "
        + "(raw-jnats-noid: what exactly-once storage costs the broker), and report each with its ratios (NATS "
        + "transports only).")
    List<String> baselines = new ArrayList<>();

    @Option(names = "--server-pid", split = ",", description = "The local nats-server's process id (or several, "
        + "comma-separated: a local cluster's nodes, added up), for its CPU per message in the report (default: the "
        + "private server's when loadgen started one).")
    List<Long> serverPids = new ArrayList<>();

    @Option(names = "--report-dir", description = "Where to write the report (default: "
        + "perf-reports/runs/<timestamp>).")
    Path reportDir;

    @Option(names = "--publish-path", defaultValue = "pipeline", description = "pipeline: the lean path, claim/commit "
        + "on the publish pipeline and an EnvelopeHandler reading each verified envelope in place; message: "
        + "publish(subject, Message) and a MessageHandler, what most application code calls (default: "
        + "${DEFAULT-VALUE}; docs/loadgen.md).")
    String publishPath;

    @Option(names = "--soak", description = "Also sample the heap after a full GC, live threads and open "
        + "subscriptions every --soak-sample (resources.csv), and fail unless they stay flat: for runs of "
        + "10 minutes and more (scripts/soak).")
    boolean soak;

    @Option(names = "--soak-sample", defaultValue = "30s", description = "Sampling interval of --soak (default: "
        + "${DEFAULT-VALUE}).")
    String soakSample;

    @Option(names = "--find-max", description = "Search for the highest offered rate that holds the p95 budget with "
        + "nothing lost, from --rate up, bisecting to 10%%; for ours and each --baseline, --repeats times, reporting "
        + "the medians, their ratio and the p95-against-rate curve (capacity.json, capacity.png; docs/loadgen.md).")
    boolean findMax;

    @Option(names = "--repeats", defaultValue = "3", description = "Searches per transport for --find-max, ours and "
        + "the baselines taking turns (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--max-rate", defaultValue = "1000000", description = "The highest rate --find-max offers "
        + "(default: ${DEFAULT-VALUE}).")
    double maxRate;

    @Option(names = "--workers", defaultValue = "0", description = "Run the load in this many local worker "
        + "processes (NATS only), each with its share of --rate and --agents, and merge their histograms "
        + "(docs/loadgen.md).")
    int workers;

    @Option(names = "--remote-workers", defaultValue = "0", description = "Also wait for this many workers started by "
        + "hand on other hosts with the printed agentflow loadgen-worker command.")
    int remoteWorkers;

    @Mixin
    MetricsOption metrics;

    private static final long LOAD_RETENTION_BYTES = 32L * 1024 * 1024;

    private String serverVersion;   // of the NATS server the run used, for the report

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintStream err = System.err;
        final Pattern flowPattern;
        final long targetUs;
        final long warmupNanos;
        final long durationNanos;
        try
        {
            flowPattern = Pattern.fromOption(pattern);
            targetUs = EnvValues.parseDuration("--target-p95", targetP95).toNanos() / 1000;
            warmupNanos = EnvValues.parseDuration("--warmup", warmup).toNanos();
            durationNanos = EnvValues.parseDuration("--duration", duration).toNanos();
            final boolean multiProcess = workers + remoteWorkers > 0;
            if (agents < 2 || rate <= 0 || payloadBytes < 0 || publishers < 1 || durationNanos <= 0 || repeats < 1
                || maxRate < rate || workers < 0 || remoteWorkers < 0
                || (multiProcess && (findMax || soak || !baselines.isEmpty()))
                || !List.of("raw-jnats", "raw-jnats-noid").containsAll(baselines)
                || !("pipeline".equals(publishPath) || "message".equals(publishPath)))
            {
                throw new IllegalArgumentException("need --agents >= 2, --rate > 0, --payload-bytes >= 0, "
                    + "--publishers >= 1, --duration > 0, --repeats >= 1, --max-rate >= --rate, --workers >= 0 "
                    + "(without --find-max, --soak or --baseline), --baseline raw-jnats,raw-jnats-noid, "
                    + "--publish-path pipeline|message");
            }
        }
        catch (final IllegalArgumentException e)
        {
            throw MessageError.of(io.agentflow.codec.error.ErrorCode.VALIDATION_ERROR, e.getMessage());
        }

        final BusConfig config = settings.get();
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
                    err.println("loadgen: using NATS at " + BusSecurity.redact(natsUrl));
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
                throw MessageError.of(io.agentflow.codec.error.ErrorCode.VALIDATION_ERROR,
                    "--transport must be auto, nats or embedded: " + transport);
            }
            if ("embedded".equals(chosen) && !baselines.isEmpty())
            {
                err.println("loadgen: --baseline raw-jnats needs a NATS transport; running without it");
            }

            final boolean terminal = null != System.console();
            final long[] pids = !serverPids.isEmpty() ? serverPids.stream().mapToLong(Long::longValue).toArray()
                : null != privateServer ? new long[]{privateServer.pid()} : new long[0];
            final boolean nats = "nats".equals(chosen);
            final LoadRuns.Shape shape = new LoadRuns.Shape(flowPattern, agents, payloadBytes, warmupNanos,
                durationNanos, publishers, "pipeline".equals(publishPath));
            final LoadRuns runs = new LoadRuns(shape, nats ? config.url(endpoint).conclude() : inProcess(config), nats,
                err, terminal, pids, null != privateServer);
            if (workers + remoteWorkers > 0)
            {
                if (!nats)
                {
                    throw MessageError.of(io.agentflow.codec.error.ErrorCode.VALIDATION_ERROR,
                        "--workers needs a NATS transport (the workers are processes that meet on the bus)");
                }
                return withWorkers(shape, config.url(endpoint).conclude(), targetUs, endpoint, config, out,
                    err);
            }
            if (findMax)
            {
                return findMax(runs, shape, nats, targetUs, endpoint, config, out, err);
            }
            final ResourceSampler sampler = soak
                ? new ResourceSampler(EnvValues.parseDuration("--soak-sample", soakSample).toNanos()).start() : null;
            final RunResult ours = runs.ours(rate);
            serverVersion = runs.serverVersion();
            if (null != sampler)
            {
                sampler.close();
            }
            final List<RunResult> bases = new ArrayList<>();
            for (int b = 0; nats && b < baselines.size(); b++)
            {
                bases.add(runs.baseline(baselines.get(b), rate));
            }
            final RunResult base = bases.isEmpty() ? null : bases.get(0);

            final Map<String, Object> summary = Summary.of(ours, bases, flowPattern, agents, payloadBytes, rate,
                targetUs, environment(endpoint, config));
            final Path dir = reportDir();
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
            Headline.print(out, summary, ours, bases, dir);
            return Summary.passed(ours, targetUs) && flat ? 0 : 1;
        }
        finally   // a MessageError (the broker unreachable, a bad setting) ends the run through the command line's handler
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

    /**
     * {@code --find-max}: a capacity search for ours and each baseline, in turns (ours, then each baseline, then
     * ours again), so that a slow minute of the shared machine falls on every transport alike.
     */
    private int findMax(final LoadRuns runs, final LoadRuns.Shape shape, final boolean nats, final long targetUs,
        final String endpoint, final BusConfig config, final PrintWriter out, final PrintStream err) throws Exception
    {
        final List<CapacitySearch.Outcome> outcomes = new ArrayList<>();
        final String ours = nats ? "nats" : "embedded";
        for (int r = 1; r <= repeats; r++)
        {
            outcomes.add(CapacitySearch.search(ours, r, rate, maxRate, targetUs, runs::ours, err));
            serverVersion = runs.serverVersion();
            for (int b = 0; nats && b < baselines.size(); b++)
            {
                final String name = baselines.get(b);
                outcomes.add(CapacitySearch.search(name, r, rate, maxRate, targetUs, x -> runs.baseline(name, x),
                    err));
            }
        }
        final Map<String, Object> summary = CapacityReport.summary(ours, outcomes, shape, rate, maxRate, targetUs,
            environment(endpoint, config));
        final Path dir = reportDir();
        CapacityReport.write(dir, summary, outcomes, ours, targetUs);
        return CapacityReport.printHeadline(out, summary, ours, repeats, dir) ? 0 : 1;
    }

    /** {@code --workers}: the load in worker processes, their figures merged into one report. */
    private int withWorkers(final LoadRuns.Shape shape, final BusConfig natsConfig, final long targetUs,
        final String endpoint, final BusConfig config, final PrintWriter out, final PrintStream err) throws Exception
    {
        final Path dir = reportDir();
        final Coordinator coordinator = new Coordinator(natsConfig, shape, rate, workers, remoteWorkers, dir, err);
        final List<Map<String, Object>> perWorker = new ArrayList<>();
        final RunResult merged;
        try
        {
            merged = coordinator.run(perWorker);
        }
        catch (final Coordinator.WorkerLost ex)
        {
            err.println("loadgen: run ended: " + ex.getMessage());
            out.println("FAIL: " + ex.getMessage());
            return 1;
        }
        serverVersion = coordinator.serverVersion();
        final Map<String, Object> summary = Summary.of(merged, List.of(), shape.pattern(), agents, payloadBytes, rate,
            targetUs, environment(endpoint, config));
        summary.put("workers", perWorker);
        final Map<String, Object> merge = WorkerReports.mergeCheck(merged, perWorker);
        summary.put("merge", merge);
        ReportWriter.write(dir, summary, merged, null, targetUs);
        Headline.print(out, summary, merged, List.of(), dir);
        return Summary.passed(merged, targetUs) && Boolean.TRUE.equals(merge.get("exact")) ? 0 : 1;
    }

    private Path reportDir()
    {
        return null != reportDir ? reportDir : Path.of("perf-reports", "runs",
            LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }

    /**
     * The in-process bus for a load run: the settings as given, but a retention of {@link #LOAD_RETENTION_BYTES}
     * unless {@code AF_BUS_EMBEDDED_MAX_BYTES} is set. A run reads only messages stored after it starts, so history
     * buys nothing, while a stream filling its retention allocates a segment every 8 MiB (a G1 humongous
     * allocation, each starting a concurrent cycle with its pauses): with the library's 256 MiB that filling went on
     * until 18 s into the default run and was every young collection of its measured part (perf-reports/loadgen.md);
     * 32 MiB fill during the warm-up.
     */
    private static BusConfig inProcess(final BusConfig config)
    {
        final BusConfig c = config.url("embedded:");
        if (null == System.getenv(BusConfig.EMBEDDED_MAX_BYTES_ENV))
        {
            c.embeddedMaxBytes(LOAD_RETENTION_BYTES);
        }
        return c.conclude();
    }

    private static boolean answers(final String url)
    {
        final URI uri = URI.create(url.split(",")[0].trim());
        return NatsServerProcess.answers(null == uri.getHost() ? "localhost" : uri.getHost(),
            uri.getPort() < 0 ? 4222 : uri.getPort(), 300);
    }

    private Map<String, Object> environment(final String endpoint, final BusConfig config)
    {
        return RunEnvironment.of(endpoint, serverVersion, publishPath, config,
            "agentflow " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
    }

}
