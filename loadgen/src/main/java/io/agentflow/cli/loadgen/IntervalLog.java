package io.agentflow.cli.loadgen;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The measured part of a run second by second, in two forms: a row per second for the report's plots and CSV, and
 * the same seconds' histograms as an HdrHistogram interval log ({@code .hlog}), which HdrHistogram's own tools
 * (HistogramLogProcessor, the HdrHistogram plotter) read and whose histograms add up to the run's distribution
 * exactly. Corrected latency (from each flow's intended start) is logged untagged, uncorrected latency (from its
 * actual start, wrk2's {@code -U}) tagged {@value #UNCORRECTED}. Times in the log are seconds from the measured
 * part's start; values are microseconds, the maximum column milliseconds.
 */
final class IntervalLog
{
    static final String UNCORRECTED = "uncorrected";

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, false, StandardCharsets.UTF_8);
    private final HistogramLogWriter writer = new HistogramLogWriter(out);
    private final List<RunResult.Interval> rows = new ArrayList<>();

    /** @param measuredStartEpochMillis wall-clock time of the measured part's start, the log's base time. */
    IntervalLog(final String transport, final long measuredStartEpochMillis)
    {
        writer.outputComment("agentflow loadgen " + transport + ": final hops' latency in us; untagged corrected "
            + "(from the intended start), Tag=" + UNCORRECTED + " from the actual start");
        writer.outputLogFormatVersion();
        writer.outputStartTime(measuredStartEpochMillis);
        writer.setBaseTime(measuredStartEpochMillis);
        writer.outputLegend();
    }

    /** Adds the interval ending {@code sample.second()} into the measured part (which must be after the last). */
    void add(final LoadRun.Sample sample)
    {
        final Histogram c = sample.corrected();
        final Histogram u = sample.uncorrected();
        final boolean any = c.getTotalCount() > 0;
        rows.add(new RunResult.Interval(sample.second(), sample.length(), any ? c.getValueAtPercentile(50) : 0,
            any ? c.getValueAtPercentile(95) : 0, any ? c.getValueAtPercentile(99) : 0, c.getMaxValue(),
            c.getTotalCount(), u.getTotalCount() > 0 ? u.getValueAtPercentile(95) : 0, sample.sent(),
            sample.received(), sample.behind(), sample.inFlight()));
        final double from = Math.max(0, sample.second() - sample.length());   // nothing measured before 0
        writer.outputIntervalHistogram(from, sample.second(), c, 1000.0);
        final String tag = u.getTag();
        u.setTag(UNCORRECTED);
        writer.outputIntervalHistogram(from, sample.second(), u, 1000.0);
        u.setTag(tag);
    }

    List<RunResult.Interval> rows()
    {
        return List.copyOf(rows);
    }

    /** @return the {@code .hlog} text so far. */
    String text()
    {
        out.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
