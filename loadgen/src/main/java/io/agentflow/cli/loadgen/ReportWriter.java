package io.agentflow.cli.loadgen;

import io.agentflow.codec.Json;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a run's report directory:
 * <pre>
 *   summary.json            the figures (canonical JSON)
 *   latency.hgrm            HdrHistogram percentile distribution, in milliseconds
 *   latency.hlog            HdrHistogram interval log: each second's histogram, corrected and uncorrected
 *   intervals.csv           each second: final hops, percentiles, sent, received, flows behind, in flight
 *   baseline-*              the same three for the baseline, when there is one
 *   percentiles.png         latency by percentile (log scale), corrected and uncorrected, ours and the baseline
 *   latency-over-time.png   p50/p95/p99/max per second (log scale), the baseline's p95, the budget, and the
 *                           seconds whose p95 was over it shaded
 *   throughput-over-time.png messages sent and received per second, ours and the baseline
 *   backlog-over-time.png   flows behind the schedule and messages in flight, ours and the baseline
 *   report.html             the verdict and its reasons, the plots and the summary table
 * </pre>
 */
final class ReportWriter
{
    static final BasicStroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f,
        new float[]{6f, 4f}, 0f);

    private ReportWriter()
    {
    }

    static void write(final Path dir, final Map<String, Object> summary, final RunResult ours,
        final RunResult baseline, final long targetP95Us) throws IOException
    {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("summary.json"), Json.of(summary).toString() + "\n");
        writeRaw(dir, "", ours);
        if (null != baseline)
        {
            writeRaw(dir, "baseline-", baseline);
        }
        System.setProperty("java.awt.headless", "true");
        ChartUtils.saveChartAsPNG(dir.resolve("percentiles.png").toFile(), percentileChart(ours, baseline), 900, 480);
        ChartUtils.saveChartAsPNG(dir.resolve("latency-over-time.png").toFile(), TimeCharts.latency(ours, baseline,
            targetP95Us), 900, 480);
        ChartUtils.saveChartAsPNG(dir.resolve("throughput-over-time.png").toFile(), TimeCharts.throughput(ours,
            baseline), 900, 360);
        ChartUtils.saveChartAsPNG(dir.resolve("backlog-over-time.png").toFile(), TimeCharts.backlog(ours, baseline),
            900, 360);
        Files.writeString(dir.resolve("report.html"), html(summary));
    }

    /** A run's distribution ({@code .hgrm}), its interval log ({@code .hlog}) and its seconds as a CSV. */
    private static void writeRaw(final Path dir, final String prefix, final RunResult r) throws IOException
    {
        try (PrintStream out = new PrintStream(Files.newOutputStream(dir.resolve(prefix + "latency.hgrm")), false,
            StandardCharsets.UTF_8))
        {
            r.endToEnd().outputPercentileDistribution(out, 5, 1000.0);   // recorded in microseconds, shown in ms
        }
        Files.writeString(dir.resolve(prefix + "latency.hlog"), r.intervalLog());
        final StringBuilder csv = new StringBuilder("second,length_s,final_hops,p50_ms,p95_ms,p99_ms,max_ms,"
            + "uncorrected_p95_ms,sent,received,behind_flows,in_flight\n");
        for (final RunResult.Interval i : r.intervals())
        {
            csv.append(String.format(java.util.Locale.ROOT, "%.3f,%.3f,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%d,%d,%d,%d%n",
                i.second(), i.length(), i.count(), i.p50Us() / 1000, i.p95Us() / 1000, i.p99Us() / 1000,
                i.maxUs() / 1000, i.uncorrectedP95Us() / 1000, i.sent(), i.received(), i.behind(), i.inFlight()));
        }
        Files.writeString(dir.resolve(prefix + "intervals.csv"), csv);
    }

    private static JFreeChart percentileChart(final RunResult ours, final RunResult baseline)
    {
        final XYSeriesCollection data = new XYSeriesCollection();
        for (final RunResult r : TimeCharts.runs(ours, baseline))
        {
            final String name = TimeCharts.name(r, ours);
            data.addSeries(percentileSeries(name, r.endToEnd()));
            data.addSeries(percentileSeries(name + " uncorrected", r.uncorrected()));
        }
        final JFreeChart chart = ChartFactory.createXYLineChart("End-to-end latency by percentile", "percentile",
            "latency (ms)", data);
        final XYPlot plot = chart.getXYPlot();
        final LogAxis x = new LogAxis("percentile");
        x.setBase(10);
        x.setTickUnit(new NumberTickUnit(1));   // one tick per decade: 0%, 90%, 99%, 99.9%, ...
        x.setNumberFormatOverride(new PercentileFormat());
        plot.setDomainAxis(x);
        plot.setRangeAxis(msAxis("latency (ms, log)"));
        style(plot);
        final Color[] colors = {new Color(0x1f77b4), new Color(0x1f77b4), new Color(0x2ca02c), new Color(0x2ca02c)};
        for (int i = 0; i < data.getSeriesCount(); i++)
        {
            plot.getRenderer().setSeriesPaint(i, colors[i]);
            plot.getRenderer().setSeriesStroke(i, i % 2 == 1 ? DASHED : new BasicStroke(2f));   // uncorrected dashed
        }
        return chart;
    }

    private static XYSeries percentileSeries(final String name, final Histogram h)
    {
        final XYSeries s = new XYSeries(name);
        if (0 == h.getTotalCount())
        {
            return s;
        }
        for (final HistogramIterationValue v : h.percentiles(5))
        {
            final double p = v.getPercentileLevelIteratedTo() / 100.0;
            if (p >= 0.99999)
            {
                break;
            }
            s.add(1 / (1 - p), Math.max(0.001, v.getValueIteratedTo() / 1000.0));   // a log axis has no zero
        }
        return s;
    }

    /** A logarithmic axis of milliseconds labelled in plain numbers at each decade, with nine minor ticks between. */
    static LogAxis msAxis(final String label)
    {
        final LogAxis axis = new LogAxis(label);
        axis.setBase(10);
        axis.setSmallestValue(0.001);
        axis.setTickUnit(new NumberTickUnit(1));   // one label per decade: 0.1, 1, 10, 100 ms
        axis.setNumberFormatOverride(new java.text.DecimalFormat("0.###"));
        axis.setMinorTickCount(9);
        axis.setMinorTickMarksVisible(true);
        return axis;
    }

    /** Widens the latency axis to hold the budget too: a marker outside the data's range is not drawn. */
    static void showBudget(final XYPlot plot, final long targetP95Us)
    {
        final org.jfree.data.Range data = org.jfree.data.general.DatasetUtils.findRangeBounds(plot.getDataset());
        final double budgetMs = targetP95Us / 1000.0;
        if (null != data && budgetMs > 0)
        {
            plot.getRangeAxis().setRange(Math.max(0.001, Math.min(data.getLowerBound(), budgetMs) / 1.5),
                Math.max(data.getUpperBound(), budgetMs) * 1.5);
        }
    }

    /** The p95 budget: black and dashed, so that no series' colour can be taken for it. */
    static ValueMarker budget(final long targetP95Us)
    {
        final ValueMarker target = new ValueMarker(targetP95Us / 1000.0, Color.BLACK, DASHED);
        target.setLabel("p95 budget " + targetP95Us / 1000.0 + " ms");
        target.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        target.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        return target;
    }

    static void style(final XYPlot plot)
    {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    }

    private static String html(final Map<String, Object> summary)
    {
        final StringBuilder rows = new StringBuilder();
        row(rows, "", summary);
        return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>agentflow loadgen report</title>\n"
            + "<style>body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse}"
            + "td{border:1px solid #ccc;padding:3px 8px}td:first-child{color:#555}.pass{color:green}"
            + ".fail{color:#b00}</style></head><body>\n"
            + "<h1>agentflow loadgen: " + (Boolean.TRUE.equals(summary.get("pass"))
            ? "<span class=\"pass\">PASS</span>" : "<span class=\"fail\">FAIL</span>") + "</h1>\n"
            + "<p>" + escape(String.join("; ", reasons(summary))) + "</p>\n"
            + "<img src=\"percentiles.png\" alt=\"latency by percentile\"><br>\n"
            + "<img src=\"latency-over-time.png\" alt=\"latency over time\"><br>\n"
            + "<img src=\"throughput-over-time.png\" alt=\"throughput over time\"><br>\n"
            + "<img src=\"backlog-over-time.png\" alt=\"backlog over time\">\n"
            + "<h2>Summary</h2>\n<table>\n" + rows + "</table>\n"
            + "<p>Latency runs from each message's intended send time on a fixed-rate schedule (coordinated omission "
            + "corrected) to its handling; uncorrected latency (dashed) runs from its actual send. Raw data: "
            + "<a href=\"summary.json\">summary.json</a>, <a href=\"latency.hgrm\">latency.hgrm</a>, "
            + "<a href=\"latency.hlog\">latency.hlog</a> (HdrHistogram interval log), "
            + "<a href=\"intervals.csv\">intervals.csv</a>.</p>\n</body></html>\n";
    }

    /** @return why the run passed or failed, in words, for the top of the report. */
    static List<String> reasons(final Map<String, Object> summary)
    {
        final List<String> reasons = new ArrayList<>();
        final long p95 = ((Number)((Map<?, ?>)summary.get("latency_us")).get("p95")).longValue();
        final long target = ((Number)summary.get("target_p95_us")).longValue();
        reasons.add(String.format("p95 %.2f ms %s the %.2f ms budget", p95 / 1000.0, p95 <= target ? "within" : "over",
            target / 1000.0));
        for (final String key : new String[]{"lost", "duplicates", "failed_verification", "errors"})
        {
            final long n = ((Number)summary.get(key)).longValue();
            if (n > 0)
            {
                reasons.add(key.replace('_', ' ') + " " + n);
            }
        }
        final Map<?, ?> warmup = (Map<?, ?>)summary.get("warmup");
        warmup.forEach((k, v) ->
        {
            if (((Number)v).longValue() > 0)
            {
                reasons.add("warm-up " + String.valueOf(k).replace('_', ' ') + " " + v);
            }
        });
        reasons.add(String.format("%.0f of %.0f msgs/s offered achieved", ((Number)summary.get("rate_achieved"))
            .doubleValue(), ((Number)summary.get("rate_offered")).doubleValue()));
        return reasons;
    }

    private static void row(final StringBuilder rows, final String prefix, final Map<?, ?> map)
    {
        for (final Map.Entry<?, ?> e : map.entrySet())
        {
            final String key = prefix + e.getKey();
            if (e.getValue() instanceof Map)
            {
                row(rows, key + ".", (Map<?, ?>)e.getValue());
            }
            else
            {
                rows.append("<tr><td>").append(escape(key)).append("</td><td>").append(escape(String.valueOf(
                    e.getValue()))).append("</td></tr>\n");
            }
        }
    }

    private static String escape(final String s)
    {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Labels a log axis of 1/(1-p) with the percentile p. */
    private static final class PercentileFormat extends NumberFormat
    {
        private static final long serialVersionUID = 1L;

        @Override
        public StringBuffer format(final double x, final StringBuffer sb, final FieldPosition pos)
        {
            final double p = 100 * (1 - 1 / x);
            final String text = new java.math.BigDecimal(p).round(new java.math.MathContext(6)).stripTrailingZeros()
                .toPlainString();
            return sb.append(text).append('%');
        }

        @Override
        public StringBuffer format(final long x, final StringBuffer sb, final FieldPosition pos)
        {
            return format((double)x, sb, pos);
        }

        @Override
        public Number parse(final String source, final ParsePosition pos)
        {
            throw new UnsupportedOperationException("labels only");
        }
    }
}
