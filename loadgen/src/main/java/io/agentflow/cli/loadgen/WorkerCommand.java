package io.agentflow.cli.loadgen;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.EnvValues;
import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * {@code agentflow loadgen-worker}: one worker of a multi-process load run ({@code loadgen --workers}), started by
 * the coordinator on its own host or by hand on another. It joins the run over the bus, runs its share of the load
 * when told (its own flows and simulated agents, on an inbox subject of its own), streams an interval histogram
 * every second and sends its result ({@link ControlChannel}).
 */
@Command(name = "loadgen-worker", mixinStandardHelpOptions = true,
    header = "Join a multi-process load run (loadgen --workers) as one of its workers.",
    description = {"Join the load run RUN of a coordinator (agentflow loadgen --workers/--remote-workers), run",
        "its share of the load when told and report to it over the bus. Exit status 1 when the run was stopped."})
public final class WorkerCommand implements Callable<Integer>
{
    private final Supplier<BusConfig> settings;

    @Option(names = "--url", description = "The NATS server(s) of the run (default: $AF_BUS_URL).")
    String url;

    @Option(names = "--run", required = true, description = "The run to join, as the coordinator printed it.")
    String run;

    @Option(names = "--name", description = "This worker's name, unique in the run (default: <host>-<pid>).")
    String name;

    @Option(names = "--join-timeout", defaultValue = "120s", description = "How long to wait for the start "
        + "(default: ${DEFAULT-VALUE}).")
    String joinTimeout;

    /** @param settings this invocation's bus settings. */
    public WorkerCommand(final Supplier<BusConfig> settings)
    {
        this.settings = settings;
    }

    @Override
    public Integer call() throws Exception
    {
        final PrintStream err = System.err;
        final String host = InetAddress.getLocalHost().getHostName();
        final String self = null != name ? name : (host + "-" + ProcessHandle.current().pid()).replace('.', '-');
        if (!self.matches("[A-Za-z0-9_-]{1,64}") || !run.matches("[0-9a-f]{1,16}"))
        {
            throw MessageError.of(ErrorCode.VALIDATION_ERROR, "--name must be 1-64 of [A-Za-z0-9_-] and --run a run "
                + "id (hex): " + self + ", " + run);
        }
        final long timeoutNanos = EnvValues.parseDuration("--join-timeout", joinTimeout).toNanos();
        final BusConfig base = settings.get();
        final BusConfig config = (null != url ? base.url(url) : base).conclude();
        final BlockingQueue<Map<?, ?>> starts = new ArrayBlockingQueue<>(1);
        final Thread main = Thread.currentThread();
        final JetStreamBus bus = JetStreamBus.connect(config);
        try (ControlChannel channel = new ControlChannel(bus, run, self, (kind, body) ->
        {
            if ("start".equals(kind))
            {
                starts.offer(body);
            }
            else if ("stop".equals(kind))
            {
                err.println("loadgen-worker " + self + ": stopped by the coordinator: " + body.get("reason"));
                main.interrupt();
            }
        }))
        {
            final Map<String, Object> hello = new LinkedHashMap<>();
            hello.put("name", self);
            hello.put("host", host);
            hello.put("pid", ProcessHandle.current().pid());
            channel.send("hello", hello);
            final Map<?, ?> start = starts.poll(timeoutNanos, TimeUnit.NANOSECONDS);
            if (null == start)
            {
                err.println("loadgen-worker " + self + ": no start within " + joinTimeout);
                return 1;
            }
            final LoadRuns.Shape shape = new LoadRuns.Shape(Pattern.fromOption((String)start.get("pattern")),
                number(start, "agents").intValue(), number(start, "payload_bytes").intValue(),
                number(start, "warmup_nanos").longValue(), number(start, "duration_nanos").longValue(),
                number(start, "publishers").intValue(), Boolean.TRUE.equals(start.get("lean")));
            final AtomicLong sent = new AtomicLong();
            final RunResult result = new LoadRuns(shape, config, true, err, false, new long[0], false).ours(
                number(start, "rate").doubleValue(), "lg-" + run + "-" + self, sample ->
                {
                    final Map<String, Object> m = WorkerReports.toMap(sample);
                    m.put("name", self);
                    channel.send("interval", m);
                    sent.incrementAndGet();
                });
            final Map<String, Object> m = WorkerReports.toMap(result);
            m.put("name", self);
            m.put("intervals_sent", sent.get());
            channel.send("result", m);
            err.printf("loadgen-worker %s: done: %d final hops recorded, %d lost%n", self,
                result.endToEnd().getTotalCount(), result.lost());
            return 0;
        }
        catch (final InterruptedException ex)
        {
            return 1;
        }
    }

    private static Number number(final Map<?, ?> m, final String key)
    {
        return (Number)m.get(key);
    }
}
