package io.agentflow.cli.loadgen;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** The report's plots over the measured part's seconds: latency, throughput and backlog, ours beside the baseline. */
final class TimeCharts
{
    private static final String SECONDS = "seconds into the measured part";

    private TimeCharts()
    {
    }

    /** p50/p95/p99/max per second, the baseline's p95, the budget, and the seconds over it shaded. */
    static JFreeChart latency(final RunResult ours, final RunResult baseline, final long targetP95Us)
    {
        final String[] names = {"p50", "p95", "p99", "max"};
        final XYSeries[] series = new XYSeries[names.length];
        for (int k = 0; k < names.length; k++)
        {
            series[k] = new XYSeries(names[k]);
        }
        int over = 0;
        final XYSeriesCollection data = new XYSeriesCollection();
        final List<IntervalMarker> shaded = new ArrayList<>();
        for (final RunResult.Interval i : ours.intervals())
        {
            if (0 == i.count())
            {
                continue;   // nothing handled: no latency to draw (the throughput plot shows the gap)
            }
            final double[] v = {i.p50Us(), i.p95Us(), i.p99Us(), i.maxUs()};
            for (int k = 0; k < v.length; k++)
            {
                series[k].add(i.second(), Math.max(0.001, v[k] / 1000.0));   // a log axis has no zero
            }
            if (i.p95Us() > targetP95Us)
            {
                over++;
                shaded.add(new IntervalMarker(i.second() - 1, i.second(), new Color(255, 0, 0, 40)));
            }
        }
        for (final XYSeries s : series)
        {
            data.addSeries(s);
        }
        if (null != baseline)
        {
            data.addSeries(series("baseline p95 (" + baseline.transport() + ")", baseline, i -> i.count() > 0
                ? Math.max(0.001, i.p95Us() / 1000.0) : Double.NaN));
        }
        final JFreeChart chart = ChartFactory.createXYLineChart("End-to-end latency over time (" + ours.transport()
            + "): " + over + " s with p95 over the budget", SECONDS, "latency (ms, log)", data);
        final XYPlot plot = chart.getXYPlot();
        plot.setRangeAxis(ReportWriter.msAxis("latency (ms, log)"));
        shaded.forEach(plot::addDomainMarker);
        plot.addRangeMarker(ReportWriter.budget(targetP95Us));
        ReportWriter.showBudget(plot, targetP95Us);
        ReportWriter.style(plot);
        final Color[] colors = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x9467bd), Color.DARK_GRAY,
            new Color(0x2ca02c)};
        for (int i = 0; i < data.getSeriesCount(); i++)
        {
            plot.getRenderer().setSeriesPaint(i, colors[i]);
            plot.getRenderer().setSeriesStroke(i, i == 4 ? ReportWriter.DASHED : new BasicStroke(2f));
        }
        return chart;
    }

    /** Messages sent and received per second: where a bus falls behind, received sags below sent. */
    static JFreeChart throughput(final RunResult ours, final RunResult baseline)
    {
        final XYSeriesCollection data = new XYSeriesCollection();
        for (final RunResult r : runs(ours, baseline))
        {
            data.addSeries(series(name(r, ours) + " sent", r, i -> i.sent() / Math.max(1e-3, i.length())));
            data.addSeries(series(name(r, ours) + " received", r, i -> i.received() / Math.max(1e-3, i.length())));
        }
        return styled(ChartFactory.createXYLineChart("Messages sent and received per second", SECONDS,
            "messages / s", data), ours);
    }

    /** Flows behind the schedule (the generator's backlog) and messages in flight (the bus's), at each second. */
    static JFreeChart backlog(final RunResult ours, final RunResult baseline)
    {
        final XYSeriesCollection data = new XYSeriesCollection();
        for (final RunResult r : runs(ours, baseline))
        {
            data.addSeries(series(name(r, ours) + " flows behind schedule", r, RunResult.Interval::behind));
            data.addSeries(series(name(r, ours) + " messages in flight", r, RunResult.Interval::inFlight));
        }
        return styled(ChartFactory.createXYLineChart("Backlog at each second's end", SECONDS, "count", data), ours);
    }

    /** Ours solid, the baseline dashed, each in its own colour pair; where the schedule ended and the drain began. */
    private static JFreeChart styled(final JFreeChart chart, final RunResult ours)
    {
        final XYPlot plot = chart.getXYPlot();
        final ValueMarker end = new ValueMarker(ours.measuredSeconds(), Color.GRAY, ReportWriter.DASHED);
        end.setLabel("schedule ends ");
        end.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        end.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
        plot.addDomainMarker(end);
        ReportWriter.style(plot);
        final Color[] colors = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728)};
        for (int i = 0; i < plot.getDataset().getSeriesCount(); i++)
        {
            plot.getRenderer().setSeriesPaint(i, colors[i]);
            plot.getRenderer().setSeriesStroke(i, i >= 2 ? ReportWriter.DASHED : new BasicStroke(2f));
        }
        return chart;
    }

    /** @return ours, then the baseline when there is one. */
    static List<RunResult> runs(final RunResult ours, final RunResult baseline)
    {
        return null == baseline ? List.of(ours) : List.of(ours, baseline);
    }

    /** @return a run's name in a legend: {@code agentflow (nats)}, {@code baseline (raw-jnats)}. */
    static String name(final RunResult r, final RunResult ours)
    {
        return (r == ours ? "agentflow (" : "baseline (") + r.transport() + ")";
    }

    private static XYSeries series(final String name, final RunResult r,
        final ToDoubleFunction<RunResult.Interval> value)
    {
        final XYSeries s = new XYSeries(name);
        for (final RunResult.Interval i : r.intervals())
        {
            final double v = value.applyAsDouble(i);
            if (!Double.isNaN(v))
            {
                s.add(i.second(), v);
            }
        }
        return s;
    }
}
