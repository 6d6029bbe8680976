package io.agentflow.cli.loadgen;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.jetstream.JetStreamBus;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code loadgen --workers N}: runs one load over several processes and adds their figures up.
 * <pre>
 *   coordinator: starts N local workers (this jar, 'loadgen-worker'), waits for every hello (local and remote)
 *        -- start (shape, shares) -->         workers run their share of the rate, agents and publishing threads:
 *                                              their own flows, agents and inbox subject,
 *                                              so each flow starts and ends on one worker and one clock
 *        <-- interval (every second)  --       merged per second and in total, exactly (compressed histograms)
 *        <-- result                   --       counts and costs added up
 * </pre>
 * A worker is lost when its process ends before its result or when nothing arrives from it for
 * {@value #SILENCE_SECONDS} s (a remote one): the run ends at once, the other workers are told to stop, and the
 * failure names the worker.
 */
final class Coordinator
{
    static final int SILENCE_SECONDS = 10;
    // the command line's launcher, named rather than referenced: io.agentflow.cli depends on this package, not back
    private static final String LAUNCHER = "io.agentflow.cli.AgentFlow";
    private static final long HELLO_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** A worker that died or went silent. */
    static final class WorkerLost extends Exception
    {
        private static final long serialVersionUID = 1L;

        WorkerLost(final String message)
        {
            super(message);
        }
    }

    /** What the coordinator knows of one worker. */
    private static final class Worker
    {
        final String name;
        volatile Process process;   // null for a remote worker
        volatile Map<?, ?> hello;
        volatile Map<?, ?> result;
        volatile long lastHeard = System.nanoTime();
        final java.util.concurrent.atomic.AtomicLong intervals = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong streamedHops = new java.util.concurrent.atomic.AtomicLong();

        /** Done when its result is in and so is every interval it says it sent (they may be handled out of order). */
        boolean done()
        {
            return null != result && intervals.get() >= ((Number)result.get("intervals_sent")).longValue();
        }

        Worker(final String name)
        {
            this.name = name;
        }
    }

    private final BusConfig config;
    private final LoadRuns.Shape shape;
    private final double rate;
    private final int local;
    private final int remote;
    private final Path logs;
    private final PrintStream err;
    private final String run = Integer.toHexString(ThreadLocalRandom.current().nextInt() & 0x7fffffff);
    private final Map<String, Worker> workers = new ConcurrentHashMap<>();
    private final Map<Long, LoadRun.Sample> perSecond = new TreeMap<>();   // the workers' intervals, added up
    private String serverVersion;
    private long measuredStartMillis;   // about when the workers' measured parts began, the interval log's base

    /**
     * @param config concluded, its url the server(s) every worker connects to.
     * @param logs   where each local worker's output goes ({@code worker-<name>.log}).
     */
    Coordinator(final BusConfig config, final LoadRuns.Shape shape, final double rate, final int local,
        final int remote, final Path logs, final PrintStream err)
    {
        this.config = config;
        this.shape = shape;
        this.rate = rate;
        this.local = local;
        this.remote = remote;
        this.logs = logs;
        this.err = err;
    }

    String serverVersion()
    {
        return serverVersion;
    }

    /** @return the whole run, and per worker its figures, in {@code perWorker}. */
    RunResult run(final List<Map<String, Object>> perWorker) throws Exception
    {
        final JetStreamBus bus = JetStreamBus.connect(config);
        serverVersion = bus.admin().serverVersion();
        bus.provision();
        try (ControlChannel channel = new ControlChannel(bus, run, "coordinator", this::onMessage))
        {
            try
            {
                startLocalWorkers();
                if (remote > 0)
                {
                    err.println("loadgen: waiting for " + remote + " remote worker(s): agentflow loadgen-worker --url "
                        + io.agentflow.bus.BusSecurity.redact(config.url()) + " --run " + run + " --name NAME");
                }
                awaitHellos();
                final int n = workers.size();
                final Map<String, Object> start = new LinkedHashMap<>();
                start.put("pattern", shape.pattern().optionName());
                start.put("agents", Math.max(2, shape.agents() / n));
                start.put("payload_bytes", shape.payloadBytes());
                start.put("warmup_nanos", shape.warmupNanos());
                start.put("duration_nanos", shape.durationNanos());
                start.put("publishers", Math.max(1, shape.publishers() / n));   // as many threads in all as one process
                start.put("lean", shape.lean());
                start.put("rate", rate / n);
                channel.send("start", start);
                measuredStartMillis = System.currentTimeMillis() + shape.warmupNanos() / 1_000_000;
                err.printf("loadgen: %d workers started at %.0f msgs/s each (run %s)%n", n, rate / n, run);
                awaitResults();
            }
            catch (final WorkerLost | RuntimeException | InterruptedException ex)
            {
                channel.send("stop", Map.of("reason", String.valueOf(ex.getMessage())));
                throw ex;
            }
            finally
            {
                stopLocalWorkers();
            }
        }
        final List<RunResult> results = new ArrayList<>();
        for (final Worker w : workers.values().stream().sorted((a, b) -> a.name.compareTo(b.name)).toList())
        {
            final RunResult r = WorkerReports.fromMap(w.result);
            results.add(r);
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", w.name);
            m.put("host", w.hello.get("host"));
            m.put("pid", w.hello.get("pid"));
            m.put("rate_offered", rate / workers.size());
            m.put("rate_achieved", Math.round(r.achievedRate()));
            m.put("recorded_final_hops", r.endToEnd().getTotalCount());
            m.put("streamed_final_hops", w.streamedHops.get());
            m.put("lost", r.lost());
            m.put("latency_us", Summary.latency(r.endToEnd()));
            m.put("client_cpu_us_per_message", Summary.round(r.costs().clientCpuUsPerMessage()));
            perWorker.add(m);
        }
        synchronized (perSecond)
        {
            return WorkerReports.merge(results, perSecond, measuredStartMillis);
        }
    }

    private void onMessage(final String kind, final Map<?, ?> body)
    {
        final Object name = body.get("name");
        final Worker w = null == name ? null : "hello".equals(kind)
            ? workers.computeIfAbsent((String)name, Worker::new) : workers.get(name);
        if (null == w)
        {
            return;   // a worker that said no hello, or a message of ours
        }
        w.lastHeard = System.nanoTime();
        switch (kind)
        {
            case "hello" -> w.hello = body;
            case "interval" ->
            {
                final LoadRun.Sample s = WorkerReports.sampleFromMap(body);
                w.streamedHops.addAndGet(s.corrected().getTotalCount());
                synchronized (perSecond)
                {
                    // the interval ending in (k-1, k] seconds into a worker's measured part is second k of the run
                    perSecond.merge((long)Math.ceil(s.second()), s, WorkerReports::add);
                }
                w.intervals.incrementAndGet();
            }
            case "result" -> w.result = body;
            default -> { }
        }
    }

    private void startLocalWorkers() throws Exception
    {
        final String java = ProcessHandle.current().info().command().orElse("java");
        for (int i = 1; i <= local; i++)
        {
            final String name = "w" + i;
            final Worker w = workers.computeIfAbsent(name, Worker::new);
            Files.createDirectories(logs);
            final Path log = logs.resolve("worker-" + name + ".log");
            w.process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LAUNCHER, "loadgen-worker", "--url", config.url(), "--run", run,
                "--name", name).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            err.println("loadgen: worker " + name + " started (pid " + w.process.pid() + ", output in " + log + ")");
        }
    }

    private void awaitHellos() throws WorkerLost, InterruptedException
    {
        final long deadline = System.nanoTime() + HELLO_TIMEOUT_NANOS;
        while (workers.values().stream().filter(w -> null != w.hello).count() < local + remote)
        {
            for (final Worker w : workers.values())
            {
                if (null != w.process && !w.process.isAlive())
                {
                    throw new WorkerLost("worker " + w.name + " (pid " + w.process.pid() + ") exited with status "
                        + w.process.exitValue() + " before it joined");
                }
            }
            if (System.nanoTime() > deadline)
            {
                throw new WorkerLost("only " + workers.values().stream().filter(w -> null != w.hello).count() + " of "
                    + (local + remote) + " workers joined within 60 s");
            }
            Thread.sleep(50);
        }
    }

    private void awaitResults() throws WorkerLost, InterruptedException
    {
        while (workers.values().stream().anyMatch(w -> !w.done()))
        {
            Thread.sleep(100);
            for (final Worker w : workers.values())
            {
                if (w.done())
                {
                    continue;
                }
                final String who = "worker " + w.name + " (pid " + (null == w.hello ? "?" : w.hello.get("pid"))
                    + " on " + (null == w.hello ? "?" : w.hello.get("host")) + ")";
                if (null != w.process && !w.process.isAlive() && null == w.result)
                {
                    throw new WorkerLost(who + " exited with status " + w.process.exitValue() + " before its result");
                }
                if (System.nanoTime() - w.lastHeard > TimeUnit.SECONDS.toNanos(SILENCE_SECONDS))
                {
                    throw new WorkerLost(who + " sent nothing for " + SILENCE_SECONDS + " s");
                }
            }
        }
    }

    private void stopLocalWorkers() throws InterruptedException
    {
        for (final Worker w : workers.values())
        {
            final Process p = w.process;
            if (null != p && !p.waitFor(null == w.result ? 0 : 10, TimeUnit.SECONDS))
            {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS))
                {
                    p.destroyForcibly();
                }
            }
        }
    }
}
