package io.agentflow.cli.loadgen;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks a report's per-second files against its summary: they must add up to the same run. */
final class IntervalFiles
{
    private IntervalFiles()
    {
    }

    /**
     * The interval log read back with HdrHistogram's own reader and the CSV both add up to the summary's final
     * hops, corrected and uncorrected; uncorrected latency is at most the corrected at every reported percentile.
     */
    static void assertAddUp(final Path report, final String prefix, final Map<?, ?> summary) throws Exception
    {
        final long recorded = ((Number)summary.get("recorded_final_hops")).longValue();
        long corrected = 0;
        long uncorrected = 0;
        int intervals = 0;
        try (HistogramLogReader reader = new HistogramLogReader(new ByteArrayInputStream(
            Files.readAllBytes(report.resolve(prefix + "latency.hlog")))))
        {
            EncodableHistogram h;
            while (null != (h = reader.nextIntervalHistogram()))
            {
                final long n = ((org.HdrHistogram.AbstractHistogram)h).getTotalCount();
                if (IntervalLog.UNCORRECTED.equals(h.getTag()))
                {
                    uncorrected += n;
                }
                else
                {
                    corrected += n;
                    intervals++;
                }
            }
        }
        assertEquals(recorded, corrected, "the interval log adds up to the run: " + summary);
        assertEquals(recorded, uncorrected, "uncorrected: " + summary);
        final List<String> csv = Files.readAllLines(report.resolve(prefix + "intervals.csv"));
        assertEquals(intervals + 1, csv.size(), "one CSV row per logged interval");
        assertEquals(recorded, csv.stream().skip(1).mapToLong(l -> Long.parseLong(l.split(",")[2])).sum());
        final Map<?, ?> c = (Map<?, ?>)summary.get("latency_us");
        final Map<?, ?> u = (Map<?, ?>)summary.get("latency_uncorrected_us");
        for (final String p : new String[]{"p50", "p95", "p99", "max"})
        {
            assertTrue(((Number)u.get(p)).longValue() <= ((Number)c.get(p)).longValue(), p + ": " + summary);
        }
    }
}
