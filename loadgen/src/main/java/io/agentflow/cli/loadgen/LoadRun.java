package io.agentflow.cli.loadgen;

import io.agentflow.codec.error.MessageError;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Drives one run over one transport:
 * <pre>
 *   publisher threads --(fixed-rate schedule)--> transport --> receiver --> next hop, or record latency
 *   sampler (1/s) --> interval histogram --> time series, progress line
 * </pre>
 * Flows scheduled during the warm-up run like the rest but are not recorded. After the schedule ends the run
 * waits for stragglers (at most {@link #DRAIN_NANOS} without progress), then counts what never arrived.
 * <p>
 * Every figure covers the measured part only: the flows scheduled in it (their hops, losses, duplicates), and what
 * happened between its start and its end (publishes, acknowledgements, errors, refusals, collections, allocation).
 * The warm-up's own losses, errors and refusals are kept apart ({@link RunResult.Warmup}), so that none goes unseen.
 * The achieved rate divides the measured flows' messages that arrived by the time they took to arrive: a bus that
 * falls behind stretches that time, so a saturated run reports less than it was offered.
 */
final class LoadRun
{
    /**
     * One interval as the sampler took it (once a second, and the remainder at the end).
     *
     * @param second      seconds from the measured part's start to the interval's end (negative in the warm-up).
     * @param length      the interval's length in seconds (about one; the last, at the end, is shorter).
     * @param corrected   the measured flows' final hops handled in the interval, from their intended starts.
     * @param uncorrected the same from their actual starts.
     * @param sent        messages published in the interval; {@code received}: messages that arrived in it.
     * @param behind      flows due by the interval's end and not yet sent.
     * @param inFlight    messages published and not arrived at the interval's end.
     */
    record Sample(double second, double length, Histogram corrected, Histogram uncorrected, long sent, long received,
        long behind, long inFlight)
    {
    }

    /** Receives each interval as it is taken; its histograms are reused once this returns. */
    @FunctionalInterface
    interface IntervalSink
    {
        void interval(Sample sample);
    }

    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(10);
    static final long HIGHEST_US = TimeUnit.MINUTES.toMicros(10);

    private final LoadTransport transport;
    private final Pattern pattern;
    private final int agents;
    private final double rate;
    private final long warmupNanos;
    private final long durationNanos;
    private final int publishers;
    private final PrintStream progress;
    private final boolean terminal;
    private final CostMeter costs;

    private final Recorder endToEnd = new Recorder(HIGHEST_US, 3);
    private final Recorder uncorrected = new Recorder(HIGHEST_US, 3);
    private final Recorder publishAck = new Recorder(HIGHEST_US, 3);
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private final LongAdder published = new LongAdder();
    private final LongAdder arrived = new LongAdder();
    private final LongAdder flowsStarted = new LongAdder();
    private final AtomicLong receivedFinals = new AtomicLong();
    private final AtomicLong receivedMeasured = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong duplicatesMeasured = new AtomicLong();
    private final AtomicLong lastArrivalNanos = new AtomicLong();
    private final AtomicLong lastMeasuredArrivalNanos = new AtomicLong();
    private final LongAdder warmupErrors = new LongAdder();
    private IntervalSink sink = sample -> { };
    private AtomicIntegerArray finalsPerFlow;
    private AtomicLongArray flowSentAt;   // each flow's actual start, for the uncorrected latency
    private long measureStartNanos;

    LoadRun(final LoadTransport transport, final Pattern pattern, final int agents, final double rate,
        final long warmupNanos, final long durationNanos, final int publishers, final PrintStream progress,
        final boolean terminal, final long[] serverPids)
    {
        this.costs = new CostMeter(serverPids);
        this.transport = transport;
        this.pattern = pattern;
        this.agents = agents;
        this.rate = rate;
        this.warmupNanos = warmupNanos;
        this.durationNanos = durationNanos;
        this.publishers = publishers;
        this.progress = progress;
        this.terminal = terminal;
    }

    /** Hands every interval histogram to {@code sink} too (a worker streams them to its coordinator). */
    LoadRun intervalsTo(final IntervalSink sink)
    {
        this.sink = sink;
        return this;
    }

    RunResult run() throws InterruptedException
    {
        final double flowsPerSecond = rate / pattern.messagesPerFlow();
        final long flows = Math.max(1, (long)(flowsPerSecond * (warmupNanos + durationNanos) / 1e9));
        if (flows > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("too many flows for one run: " + flows);
        }
        finalsPerFlow = new AtomicIntegerArray((int)flows);
        flowSentAt = new AtomicLongArray((int)flows);
        long gcCountAtStart = 0;
        long gcMillisAtStart = 0;
        long gcCountDuring = 0;
        long gcMillisDuring = 0;
        long rejectedAtStart = 0;
        long rejectedDuring = 0;

        transport.start(this::onArrival, new LoadTransport.Acks()
        {
            @Override
            public void acked(final long sentAtNanos)
            {
                if (sentAtNanos >= measureStartNanos)
                {
                    publishAck.recordValue(Math.min(HIGHEST_US, (System.nanoTime() - sentAtNanos) / 1000));
                }
            }

            @Override
            public void failed(final Throwable failure)
            {
                countError(failure, System.nanoTime());   // an ack carries no intended time: when it failed
            }
        });
        final long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        measureStartNanos = start + warmupNanos;
        final Schedule schedule = new Schedule(start, flowsPerSecond, flows, System::nanoTime);
        final List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < publishers; p++)
        {
            final int first = p;
            final Thread t = new Thread(() -> publish(schedule, first), "loadgen-publisher-" + p);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        final Sampler sampler = new Sampler(schedule, start);
        final long end = start + warmupNanos + durationNanos;
        long nextSample = start + TimeUnit.SECONDS.toNanos(1);
        long lastLine = 0;
        CostMeter.Costs measured = null;
        while (anyAlive(threads) || !drained(flows))
        {
            final long toEdge = !costs.started() ? measureStartNanos - System.nanoTime()
                : null == measured ? end - System.nanoTime() : Long.MAX_VALUE;
            Thread.sleep(Math.max(1, Math.min(Math.min(100, toEdge / 1_000_000),
                (nextSample - System.nanoTime()) / 1_000_000)));
            final long now = System.nanoTime();
            if (!costs.started() && now >= measureStartNanos)
            {
                costs.start(published.sum());
                gcCountAtStart = CostMeter.gcCount();
                gcMillisAtStart = CostMeter.gcMillis();
                rejectedAtStart = transport.rejected();
            }
            else if (null == measured && costs.started() && now >= end)
            {
                measured = costs.stop(published.sum());
                gcCountDuring = CostMeter.gcCount() - gcCountAtStart;
                gcMillisDuring = CostMeter.gcMillis() - gcMillisAtStart;
                rejectedDuring = transport.rejected() - rejectedAtStart;
            }
            if (now >= nextSample)
            {
                final Sample sample = sampler.take(now);
                lastLine = report(now, start, end, sample.corrected(), lastLine);
                nextSample += TimeUnit.SECONDS.toNanos(1);
            }
        }
        if (null == measured)
        {
            measured = costs.stop(published.sum());   // the schedule ended before its window did
            gcCountDuring = CostMeter.gcCount() - gcCountAtStart;
            gcMillisDuring = CostMeter.gcMillis() - gcMillisAtStart;
            rejectedDuring = transport.rejected() - rejectedAtStart;
        }
        sampler.take(System.nanoTime());
        final long rejectedInWarmup = transport.rejected() - rejectedDuring;   // the drain's belong to the window
        transport.close();
        if (terminal)
        {
            progress.println();
        }
        final Map<String, Long> errorCounts = new TreeMap<>();
        errors.forEach((code, n) -> errorCounts.put(code, n.sum()));
        final long warmupFlows = Math.min(flows, (long)Math.ceil(flowsPerSecond * warmupNanos / 1e9));
        final long measuredFlows = flows - warmupFlows;
        final long expectedMeasured = measuredFlows * pattern.finalsPerFlow();
        // the measured flows' messages over the time they took to arrive, at least the window's length
        final long lastArrival = lastMeasuredArrivalNanos.get();
        final double arrivalSeconds = Math.max(durationNanos, lastArrival - measureStartNanos) / 1e9;
        final double achieved = receivedMeasured.get() / (double)pattern.finalsPerFlow() * pattern.messagesPerFlow()
            / arrivalSeconds;
        final RunResult.Warmup warmup = new RunResult.Warmup(
            Math.max(0, warmupFlows * pattern.finalsPerFlow() - (receivedFinals.get() - receivedMeasured.get())),
            duplicates.get() - duplicatesMeasured.get(), warmupErrors.sum(), Math.max(0, rejectedInWarmup));
        return new RunResult(transport.name(), sampler.total, sampler.totalUncorrected,
            publishAck.getIntervalHistogram(), sampler.log.rows(), sampler.log.text(),
            measured.messages(), expectedMeasured, receivedMeasured.get(), duplicatesMeasured.get(),
            rejectedDuring, errorCounts, Math.max(1e-9, measuredFlows / flowsPerSecond),
            gcCountDuring, gcMillisDuring, measured.allocatedBytes(), measured, achieved, warmup);
    }

    private void publish(final Schedule schedule, final int first)
    {
        for (long flow = first; flow < schedule.flows(); flow += publishers)
        {
            final long intended = schedule.awaitTurn(flow);
            flowSentAt.setRelease((int)flow, System.nanoTime());
            pattern.start((int)flow, agents, (from, to, f, hop) -> send(from, to, f, hop, intended));
            flowsStarted.increment();
        }
    }

    private void send(final int from, final int to, final int flow, final int hop, final long intended)
    {
        published.increment();
        try
        {
            transport.send(from, to, flow, hop, intended, System.nanoTime());
        }
        catch (final RuntimeException ex)
        {
            countError(ex, intended);
        }
    }

    private void onArrival(final int toAgent, final int fromAgent, final int flow, final int hop, final long t0)
    {
        final long now = System.nanoTime();
        lastArrivalNanos.set(now);
        arrived.increment();
        if (pattern.onArrival(flow, hop, toAgent, fromAgent, agents, (from, to, f, h) -> send(from, to, f, h, t0)))
        {
            if (flow < 0 || flow >= finalsPerFlow.length())
            {
                return;
            }
            final boolean inWindow = t0 >= measureStartNanos;
            if (finalsPerFlow.incrementAndGet(flow) > pattern.finalsPerFlow())
            {
                duplicates.incrementAndGet();
                if (inWindow)
                {
                    duplicatesMeasured.incrementAndGet();
                }
                return;
            }
            receivedFinals.incrementAndGet();
            if (inWindow)
            {
                receivedMeasured.incrementAndGet();
                lastMeasuredArrivalNanos.accumulateAndGet(now, Math::max);
                endToEnd.recordValue(Math.min(HIGHEST_US, Schedule.latencyNanos(t0, now) / 1000));
                uncorrected.recordValue(Math.min(HIGHEST_US, Schedule.latencyNanos(flowSentAt.getAcquire(flow), now)
                    / 1000));
            }
        }
    }

    /** Takes the intervals once a second: into the run's totals, to the sink, and, measured, into the log. */
    private final class Sampler
    {
        final Histogram total = new Histogram(HIGHEST_US, 3);
        final Histogram totalUncorrected = new Histogram(HIGHEST_US, 3);
        final IntervalLog log = new IntervalLog(transport.name(),
            System.currentTimeMillis() + (measureStartNanos - System.nanoTime()) / 1_000_000);
        private final Schedule schedule;
        private Histogram corrected;
        private Histogram uncorrectedInterval;
        private long lastPublished;
        private long lastArrived;
        private long lastNanos;

        Sampler(final Schedule schedule, final long startNanos)
        {
            this.schedule = schedule;
            this.lastNanos = startNanos;
        }

        Sample take(final long now)
        {
            corrected = endToEnd.getIntervalHistogram(corrected);
            uncorrectedInterval = uncorrected.getIntervalHistogram(uncorrectedInterval);
            total.add(corrected);
            totalUncorrected.add(uncorrectedInterval);
            final long sent = published.sum();
            final long in = arrived.sum();
            final Sample sample = new Sample((now - measureStartNanos) / 1e9, (now - lastNanos) / 1e9, corrected,
                uncorrectedInterval, sent - lastPublished, in - lastArrived,
                Math.max(0, schedule.dueBy(now) - flowsStarted.sum()), Math.max(0, sent - in));
            lastPublished = sent;
            lastNanos = now;
            lastArrived = in;
            sink.interval(sample);
            if (sample.second() > 0)
            {
                log.add(sample);
            }
            return sample;
        }
    }

    private boolean drained(final long flows)
    {
        if (receivedFinals.get() >= flows * pattern.finalsPerFlow())
        {
            return true;
        }
        return System.nanoTime() - Math.max(lastArrivalNanos.get(), measureStartNanos + durationNanos) > DRAIN_NANOS;
    }

    /** Counts a failure of a message of the flow intended at {@code intended}: measured, or the warm-up's. */
    private void countError(final Throwable failure, final long intended)
    {
        if (intended < measureStartNanos)
        {
            warmupErrors.increment();
            return;
        }
        Throwable cause = failure;
        while (cause instanceof CompletionException && null != cause.getCause())
        {
            cause = cause.getCause();
        }
        final String code = cause instanceof MessageError ? ((MessageError)cause).code().wireName()
            : cause.getClass().getSimpleName();
        errors.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    private long report(final long now, final long start, final long end, final Histogram interval,
        final long lastLine)
    {
        final double elapsed = (now - start) / 1e9;
        final String phase = now < measureStartNanos ? "warm-up" : now < end ? "measure" : "drain";
        final String line = String.format("%s %-8s %5.1fs  published=%d  final-hops=%d  p95=%.2fms  errors=%d",
            transport.name(), phase, elapsed, published.sum(), receivedFinals.get(),
            interval.getValueAtPercentile(95) / 1000.0, errors.values().stream().mapToLong(LongAdder::sum).sum());
        if (terminal)
        {
            progress.print("\r" + line + "   ");
            progress.flush();
            return now;
        }
        if (now - lastLine >= TimeUnit.SECONDS.toNanos(5))
        {
            progress.println(line);
            return now;
        }
        return lastLine;
    }

    private static boolean anyAlive(final List<Thread> threads)
    {
        for (final Thread t : threads)
        {
            if (t.isAlive())
            {
                return true;
            }
        }
        return false;
    }
}
