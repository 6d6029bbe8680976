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
import java.util.Map;

/**
 * Writes a run's report directory:
 * <pre>
 *   summary.json            the figures (canonical JSON)
 *   latency.hgrm            HdrHistogram percentile distribution, in milliseconds
 *   baseline-latency.hgrm   the same for the baseline, when there is one
 *   percentiles.png         latency by percentile (log scale), ours and the baseline
 *   latency-over-time.png   p50/p95/p99/max per second, with the p95 target
 *   report.html             both plots and the summary table
 * </pre>
 */
final class ReportWriter
{
    private ReportWriter()
    {
    }

    static void write(final Path dir, final Map<String, Object> summary, final RunResult ours,
        final RunResult baseline, final long targetP95Us) throws IOException
    {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("summary.json"), Json.of(summary).toString() + "\n");
        writeHgrm(dir.resolve("latency.hgrm"), ours.endToEnd());
        if (null != baseline)
        {
            writeHgrm(dir.resolve("baseline-latency.hgrm"), baseline.endToEnd());
        }
        System.setProperty("java.awt.headless", "true");
        ChartUtils.saveChartAsPNG(dir.resolve("percentiles.png").toFile(), percentileChart(ours, baseline), 900, 480);
        ChartUtils.saveChartAsPNG(dir.resolve("latency-over-time.png").toFile(), timeChart(ours, targetP95Us), 900,
            480);
        Files.writeString(dir.resolve("report.html"), html(summary));
    }

    private static void writeHgrm(final Path file, final Histogram h) throws IOException
    {
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.UTF_8))
        {
            h.outputPercentileDistribution(out, 5, 1000.0);   // recorded in microseconds, shown in milliseconds
        }
    }

    private static JFreeChart percentileChart(final RunResult ours, final RunResult baseline)
    {
        final XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(percentileSeries("agentflow (" + ours.transport() + ")", ours.endToEnd()));
        if (null != baseline)
        {
            data.addSeries(percentileSeries("baseline (" + baseline.transport() + ")", baseline.endToEnd()));
        }
        final JFreeChart chart = ChartFactory.createXYLineChart("End-to-end latency by percentile", "percentile",
            "latency (ms)", data);
        final XYPlot plot = chart.getXYPlot();
        final LogAxis x = new LogAxis("percentile");
        x.setBase(10);
        x.setTickUnit(new NumberTickUnit(1));   // one tick per decade: 0%, 90%, 99%, 99.9%, ...
        x.setNumberFormatOverride(new PercentileFormat());
        plot.setDomainAxis(x);
        style(plot);
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
            s.add(1 / (1 - p), v.getValueIteratedTo() / 1000.0);
        }
        return s;
    }

    private static JFreeChart timeChart(final RunResult ours, final long targetP95Us)
    {
        final XYSeries p50 = new XYSeries("p50");
        final XYSeries p95 = new XYSeries("p95");
        final XYSeries p99 = new XYSeries("p99");
        final XYSeries max = new XYSeries("max");
        for (final RunResult.Interval i : ours.intervals())
        {
            p50.add(i.second(), i.p50Us() / 1000.0);
            p95.add(i.second(), i.p95Us() / 1000.0);
            p99.add(i.second(), i.p99Us() / 1000.0);
            max.add(i.second(), i.maxUs() / 1000.0);
        }
        final XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(p50);
        data.addSeries(p95);
        data.addSeries(p99);
        data.addSeries(max);
        final JFreeChart chart = ChartFactory.createXYLineChart("End-to-end latency over time (" + ours.transport()
            + ")", "seconds into the measured part", "latency (ms)", data);
        final XYPlot plot = chart.getXYPlot();
        final ValueMarker target = new ValueMarker(targetP95Us / 1000.0, Color.RED, new BasicStroke(1.5f));
        target.setLabel("p95 target " + targetP95Us / 1000.0 + " ms");
        target.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        target.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        plot.addRangeMarker(target);
        style(plot);
        final Color[] colors = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0xd62728), Color.DARK_GRAY};
        for (int i = 0; i < colors.length; i++)
        {
            plot.getRenderer().setSeriesPaint(i, colors[i]);
            plot.getRenderer().setSeriesStroke(i, new BasicStroke(2f));
        }
        return chart;
    }

    private static void style(final XYPlot plot)
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
            + "<img src=\"percentiles.png\" alt=\"latency by percentile\"><br>\n"
            + "<img src=\"latency-over-time.png\" alt=\"latency over time\">\n"
            + "<h2>Summary</h2>\n<table>\n" + rows + "</table>\n"
            + "<p>Latency runs from each message's intended send time on a fixed-rate schedule (coordinated omission "
            + "corrected) to its handling. Raw data: <a href=\"summary.json\">summary.json</a>, "
            + "<a href=\"latency.hgrm\">latency.hgrm</a>.</p>\n</body></html>\n";
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
