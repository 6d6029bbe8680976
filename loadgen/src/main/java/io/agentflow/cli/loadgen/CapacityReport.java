package io.agentflow.cli.loadgen;

import io.agentflow.codec.Json;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The report of a capacity search ({@code loadgen --find-max}):
 * <pre>
 *   capacity.json   per transport the highest rate that held in each search and their median; ours over each
 *                   baseline; every probe; the environment
 *   capacity.csv    one row per probe: transport, search, offered and achieved rate, percentiles, lost, verdict
 *   capacity.png    p95 against offered rate (log scale), every search of every transport, the budget marked
 *   report.html     the plot and both tables
 * </pre>
 */
final class CapacityReport
{
    private static final Color[] OURS = {new Color(0x1f77b4), new Color(0x4a98d0), new Color(0x7fb8e6)};
    private static final Color[] BASE = {new Color(0xff7f0e), new Color(0xf5a05a), new Color(0xf7c08f)};

    private CapacityReport()
    {
    }

    /** @return the figures of {@code capacity.json}; {@code ours} names our transport among the outcomes. */
    static Map<String, Object> summary(final String ours, final List<CapacitySearch.Outcome> outcomes,
        final LoadRuns.Shape shape, final double start, final double maxRate, final long targetP95Us,
        final Map<String, Object> environment)
    {
        final Map<String, Object> s = new LinkedHashMap<>();
        s.put("find_max", true);
        s.put("pattern", shape.pattern().optionName());
        s.put("agents", shape.agents());
        s.put("payload_bytes", shape.payloadBytes());
        s.put("target_p95_us", targetP95Us);
        s.put("start_rate", start);
        s.put("max_rate", maxRate);
        s.put("resolution_percent", CapacitySearch.RESOLUTION_PERCENT);
        final Map<String, Object> transports = new LinkedHashMap<>();
        for (final String t : names(outcomes))
        {
            final Map<String, Object> m = new LinkedHashMap<>();
            final List<Double> held = held(outcomes, t);
            m.put("held_median", CapacitySearch.median(held));
            m.put("held", held);
            m.put("broken", outcomes.stream().filter(o -> o.transport().equals(t))
                .map(o -> Double.isInfinite(o.broken()) ? null : o.broken()).toList());
            m.put("capped", outcomes.stream().filter(o -> o.transport().equals(t)).map(o -> o.capped()).toList());
            transports.put(t, m);
        }
        s.put("transports", transports);
        final Map<String, Object> ratios = new LinkedHashMap<>();
        final List<Double> mine = held(outcomes, ours);
        for (final String t : names(outcomes))
        {
            if (t.equals(ours))
            {
                continue;
            }
            final List<Double> theirs = held(outcomes, t);
            final List<Double> perSearch = new ArrayList<>();
            for (int i = 0; i < Math.min(mine.size(), theirs.size()); i++)
            {
                perSearch.add(Summary.round(mine.get(i) / Math.max(1e-9, theirs.get(i))));
            }
            final Map<String, Object> r = new LinkedHashMap<>();
            r.put("of_medians", Summary.round(CapacitySearch.median(mine)
                / Math.max(1e-9, CapacitySearch.median(theirs))));
            r.put("per_search", perSearch);
            ratios.put(t, r);
        }
        s.put("ratio", ratios);
        final List<Object> probes = new ArrayList<>();
        for (final CapacitySearch.Outcome o : outcomes)
        {
            for (final CapacitySearch.Probe p : o.probes())
            {
                final Map<String, Object> m = new LinkedHashMap<>();
                m.put("transport", o.transport());
                m.put("search", o.repeat());
                m.put("offered", p.offered());
                m.put("achieved", Summary.round(p.result().achievedRate()));
                m.put("latency_us", Summary.latency(p.result().endToEnd()));
                m.put("lost", p.result().lost());
                m.put("errors", p.result().errorCount());
                m.put("client_cpu_us_per_message", Summary.round(p.result().costs().clientCpuUsPerMessage()));
                m.put("held", p.held());
                probes.add(m);
            }
        }
        s.put("probes", probes);
        s.put("environment", environment);
        return s;
    }

    static void write(final Path dir, final Map<String, Object> summary, final List<CapacitySearch.Outcome> outcomes,
        final String ours, final long targetP95Us) throws IOException
    {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("capacity.json"), Json.of(summary).toString() + "\n");
        final StringBuilder csv = new StringBuilder("transport,search,offered,achieved,p50_us,p95_us,p99_us,max_us,"
            + "lost,errors,held\n");
        for (final CapacitySearch.Outcome o : outcomes)
        {
            for (final CapacitySearch.Probe p : o.probes())
            {
                final RunResult r = p.result();
                csv.append(String.format("%s,%d,%.0f,%.1f,%d,%d,%d,%d,%d,%d,%s%n", o.transport(), o.repeat(),
                    p.offered(), r.achievedRate(), r.endToEnd().getValueAtPercentile(50),
                    r.endToEnd().getValueAtPercentile(95), r.endToEnd().getValueAtPercentile(99),
                    r.endToEnd().getMaxValue(), r.lost(), r.errorCount(), p.held()));
            }
        }
        Files.writeString(dir.resolve("capacity.csv"), csv.toString());
        System.setProperty("java.awt.headless", "true");
        ChartUtils.saveChartAsPNG(dir.resolve("capacity.png").toFile(), chart(outcomes, ours, targetP95Us), 900, 520);
        Files.writeString(dir.resolve("report.html"), html(summary, csv.toString()));
    }

    /**
     * Prints each transport's capacity and each ratio, then where the report is.
     *
     * @return whether ours held at some rate.
     */
    static boolean printHeadline(final java.io.PrintWriter out, final Map<String, Object> summary, final String ours,
        final int repeats, final Path dir)
    {
        final Map<?, ?> transports = (Map<?, ?>)summary.get("transports");
        transports.forEach((name, v) ->
        {
            final Map<?, ?> m = (Map<?, ?>)v;
            out.printf("capacity %s: %.0f msgs/s (median of %d; each search %s; capped at --max-rate %s)%n", name,
                ((Number)m.get("held_median")).doubleValue(), repeats, m.get("held"), m.get("capped"));
        });
        ((Map<?, ?>)summary.get("ratio")).forEach((name, v) -> out.printf("ratio ours/%s: %s (of the medians; each "
            + "search %s)%n", name, ((Map<?, ?>)v).get("of_medians"), ((Map<?, ?>)v).get("per_search")));
        out.println("report: " + dir.toAbsolutePath().normalize().resolve("report.html"));
        return ((Number)((Map<?, ?>)transports.get(ours)).get("held_median")).doubleValue() > 0;
    }

    /** The hockey stick: p95 against offered rate, one line per search, ours in blues and baselines in oranges. */
    private static JFreeChart chart(final List<CapacitySearch.Outcome> outcomes, final String ours,
        final long targetP95Us)
    {
        final XYSeriesCollection data = new XYSeriesCollection();
        for (final CapacitySearch.Outcome o : outcomes)
        {
            final XYSeries s = new XYSeries(o.transport() + " #" + o.repeat());   // sorted by offered rate
            for (final CapacitySearch.Probe p : o.probes())
            {
                s.addOrUpdate(p.offered(), Math.max(0.001, p.result().endToEnd().getValueAtPercentile(95) / 1000.0));
            }
            data.addSeries(s);
        }
        final JFreeChart chart = ChartFactory.createXYLineChart("p95 against offered rate (capacity search)",
            "offered msgs/s", "p95 latency (ms, log)", data);
        final XYPlot plot = chart.getXYPlot();
        plot.setRangeAxis(ReportWriter.msAxis("p95 latency (ms, log)"));
        final ValueMarker target = new ValueMarker(targetP95Us / 1000.0, Color.BLACK, new BasicStroke(1.5f,
            BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[]{6f, 4f}, 0f));
        target.setLabel("p95 budget " + targetP95Us / 1000.0 + " ms");
        target.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        target.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
        plot.addRangeMarker(target);
        ReportWriter.showBudget(plot, targetP95Us);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        int mine = 0;
        int theirs = 0;
        for (int i = 0; i < outcomes.size(); i++)
        {
            final boolean isOurs = outcomes.get(i).transport().equals(ours);
            renderer.setSeriesPaint(i, isOurs ? OURS[mine++ % OURS.length] : BASE[theirs++ % BASE.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        return chart;
    }

    private static String html(final Map<String, Object> summary, final String csv)
    {
        final StringBuilder t = new StringBuilder("<table>\n<tr><th>transport</th><th>median of the highest rate "
            + "that held (msgs/s)</th><th>each search</th><th>lowest that broke</th></tr>\n");
        ((Map<?, ?>)summary.get("transports")).forEach((name, v) ->
        {
            final Map<?, ?> m = (Map<?, ?>)v;
            t.append("<tr><td>").append(name).append("</td><td>").append(String.format("%.0f",
                ((Number)m.get("held_median")).doubleValue())).append("</td><td>").append(m.get("held"))
                .append("</td><td>").append(m.get("broken")).append("</td></tr>\n");
        });
        t.append("</table>\n<p>ours / baseline: ").append(summary.get("ratio")).append("</p>\n");
        final StringBuilder probes = new StringBuilder("<table>\n");
        for (final String line : csv.split("\n"))
        {
            probes.append("<tr><td>").append(line.replace(",", "</td><td>")).append("</td></tr>\n");
        }
        return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>agentflow loadgen capacity</title>\n"
            + "<style>body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse}"
            + "td,th{border:1px solid #ccc;padding:3px 8px}</style></head><body>\n"
            + "<h1>agentflow loadgen --find-max: " + summary.get("agents") + " agents, " + summary.get("pattern")
            + ", p95 budget " + ((Number)summary.get("target_p95_us")).longValue() / 1000.0 + " ms</h1>\n"
            + "<p>A rate holds when p95 (from each message's intended send) is within the budget and nothing is lost, "
            + "refused, duplicated or failed; the search bisects to " + CapacitySearch.RESOLUTION_PERCENT
            + "%.</p>\n" + t + "<img src=\"capacity.png\" alt=\"p95 against offered rate\">\n<h2>Probes</h2>\n"
            + probes + "</table>\n<p>Raw data: <a href=\"capacity.json\">capacity.json</a>, "
            + "<a href=\"capacity.csv\">capacity.csv</a>. Environment: " + summary.get("environment")
            + "</p>\n</body></html>\n";
    }

    private static List<String> names(final List<CapacitySearch.Outcome> outcomes)
    {
        return outcomes.stream().map(CapacitySearch.Outcome::transport).distinct().toList();
    }

    private static List<Double> held(final List<CapacitySearch.Outcome> outcomes, final String transport)
    {
        return outcomes.stream().filter(o -> o.transport().equals(transport)).map(CapacitySearch.Outcome::held)
            .toList();
    }
}
