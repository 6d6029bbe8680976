package io.agentflow.cli.loadgen;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.inprocess.InProcessBus;
import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.wire.Streams;

import java.io.PrintStream;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes one {@link LoadRun} at a given offered rate, over our bus or a bare-jnats baseline, with everything else
 * of the invocation fixed (pattern, agents, payload, warm-up and measured lengths, publishers). Each run gets a bus
 * or connection of its own and a run tag of its own, so that runs of one invocation (the baseline beside ours, the
 * probes of a capacity search) share no consumer and no message id. On the invocation's private server each run
 * also starts with an empty {@code AF_MESSAGES}: a capacity search stores gigabytes, and a stream at its 10 GB limit
 * discards its oldest blocks while the next probe runs (with nats-server 2.9.10 one probe stalled 10 s there), a
 * regime the first probes never saw.
 */
final class LoadRuns
{
    /** What is fixed for every run of one invocation. */
    record Shape(Pattern pattern, int agents, int payloadBytes, long warmupNanos, long durationNanos, int publishers,
        boolean lean)
    {
    }

    private final Shape shape;
    private final BusConfig config;   // concluded, its url the endpoint for a NATS transport
    private final boolean nats;
    private final PrintStream progress;
    private final boolean terminal;
    private final long[] serverPids;
    private final boolean scratch;   // a private server: each run starts with an empty message stream
    private String serverVersion;

    /**
     * @param config    the settings; for a NATS transport, concluded with the endpoint as its url.
     * @param nats      over NATS (else the in-process transport, whose settings {@code config} already holds).
     * @param serverPids the local nats-servers' process ids for their CPU per message, or none.
     * @param scratch    the server is this invocation's own: empty the message stream before each run.
     */
    LoadRuns(final Shape shape, final BusConfig config, final boolean nats, final PrintStream progress,
        final boolean terminal, final long[] serverPids, final boolean scratch)
    {
        this.shape = shape;
        this.config = config;
        this.nats = nats;
        this.progress = progress;
        this.terminal = terminal;
        this.serverPids = serverPids.clone();
        this.scratch = scratch;
    }

    /** @return the version of the NATS server ours ran against, or null before the first run over NATS. */
    String serverVersion()
    {
        return serverVersion;
    }

    /** @return one run of our bus at {@code rate} messages per second. */
    RunResult ours(final double rate) throws InterruptedException
    {
        return ours(rate, null, sample -> { });
    }

    /**
     * @param inbox the agent id whose inbox all simulated agents share (a worker's), or null for one per agent.
     * @param sink  receives each interval as the run takes it.
     * @return one run of our bus at {@code rate} messages per second.
     */
    RunResult ours(final double rate, final String inbox, final LoadRun.IntervalSink sink)
        throws InterruptedException
    {
        final String tag = Integer.toHexString(newTag());
        final BusLoadTransport transport;
        if (nats)
        {
            final JetStreamBus bus = JetStreamBus.connect(config);
            if (null == serverVersion)
            {
                serverVersion = bus.admin().serverVersion();
                bus.provision();
            }
            if (scratch)
            {
                bus.admin().purge(Streams.MESSAGES);
            }
            transport = new BusLoadTransport(bus, "nats", tag, shape.agents(), shape.payloadBytes(), shape.lean(),
                inbox);
        }
        else
        {
            transport = new BusLoadTransport(new InProcessBus(config), "embedded", tag, shape.agents(),
                shape.payloadBytes(), shape.lean(), inbox);
        }
        return new LoadRun(transport, shape.pattern(), shape.agents(), rate, shape.warmupNanos(),
            shape.durationNanos(), shape.publishers(), progress, terminal, nats ? serverPids : new long[0])
            .intervalsTo(sink).run();
    }

    /** @return one run of the named bare-jnats baseline ({@code raw-jnats} or {@code raw-jnats-noid}). */
    RunResult baseline(final String name, final double rate) throws Exception
    {
        if (scratch)
        {
            try (JetStreamBus bus = JetStreamBus.connect(config))
            {
                bus.admin().purge(Streams.MESSAGES);
            }
        }
        return run(new RawJnatsLoadTransport(config.url(), newTag(), shape.agents(), shape.payloadBytes(),
            config.maxInFlight(), 2 * config.delivery().fetchBatch(), "raw-jnats".equals(name)), rate, serverPids);
    }

    private RunResult run(final LoadTransport transport, final double rate, final long[] pids)
        throws InterruptedException
    {
        return new LoadRun(transport, shape.pattern(), shape.agents(), rate, shape.warmupNanos(),
            shape.durationNanos(), shape.publishers(), progress, terminal, pids).run();
    }

    private static int newTag()
    {
        return ThreadLocalRandom.current().nextInt() & 0x7fffffff;
    }
}
