package io.agentflow.cli.loadgen;

import org.HdrHistogram.Histogram;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of {@code summary.json}, computed from run results. Keys follow issue 6: {@code transport},
 * {@code pattern}, {@code agents}, {@code payload_bytes}, {@code rate_offered}, {@code rate_achieved},
 * {@code messages}, {@code errors}, {@code latency_us} ({@code p50 p95 p99 p999 max}), {@code baseline} (same keys),
 * {@code ratio} (ours / baseline for throughput and p95), {@code target_p95_us}, {@code pass}.
 */
final class Summary
{
    private Summary()
    {
    }

    static Map<String, Object> of(final RunResult ours, final List<RunResult> baselines, final Pattern pattern,
        final int agents, final int payloadBytes, final double rateOffered, final long targetP95Us,
        final Map<String, Object> environment)
    {
        final Map<String, Object> summary = figures(ours, pattern, agents, payloadBytes, rateOffered);
        if (!baselines.isEmpty())
        {
            // "baseline" and "ratio" are the first baseline's (raw-jnats, same headers as ours); every baseline's
            // figures and ratios are under "baselines" and "ratios", by name
            final Map<String, Object> all = new LinkedHashMap<>();
            final Map<String, Object> ratios = new LinkedHashMap<>();
            for (final RunResult baseline : baselines)
            {
                all.put(baseline.transport(), figures(baseline, pattern, agents, payloadBytes, rateOffered));
                ratios.put(baseline.transport(), ratio(ours, baseline, pattern));
            }
            summary.put("baseline", all.get(baselines.get(0).transport()));
            summary.put("ratio", ratios.get(baselines.get(0).transport()));
            summary.put("baselines", all);
            summary.put("ratios", ratios);
        }
        summary.put("target_p95_us", targetP95Us);
        summary.put("pass", passed(ours, targetP95Us));
        summary.put("environment", environment);
        return summary;
    }

    /** Ours over a baseline: throughput, p95, client CPU and allocation per message. */
    private static Map<String, Object> ratio(final RunResult ours, final RunResult baseline, final Pattern pattern)
    {
        final Map<String, Object> ratio = new LinkedHashMap<>();
        ratio.put("throughput", round(ours.achievedRate() / Math.max(1e-9, baseline.achievedRate())));
        ratio.put("p95", round(ours.endToEnd().getValueAtPercentile(95)
            / (double)Math.max(1, baseline.endToEnd().getValueAtPercentile(95))));
        ratio.put("client_cpu_per_message", round(ours.costs().clientCpuUsPerMessage()
            / Math.max(1e-9, baseline.costs().clientCpuUsPerMessage())));
        ratio.put("allocation_per_message", round(ours.costs().allocatedBytesPerMessage()
            / Math.max(1e-9, baseline.costs().allocatedBytesPerMessage())));
        return ratio;
    }

    /** Passes when p95 meets the target and nothing was lost, refused or failed. */
    static boolean passed(final RunResult r, final long targetP95Us)
    {
        return r.endToEnd().getTotalCount() > 0 && r.endToEnd().getValueAtPercentile(95) <= targetP95Us
            && 0 == r.lost() && 0 == r.rejected() && 0 == r.duplicates() && 0 == r.errorCount() && r.warmup().clean();
    }

    static Map<String, Object> latency(final Histogram h)
    {
        final Map<String, Object> l = new LinkedHashMap<>();
        l.put("p50", h.getValueAtPercentile(50));
        l.put("p95", h.getValueAtPercentile(95));
        l.put("p99", h.getValueAtPercentile(99));
        l.put("p999", h.getValueAtPercentile(99.9));
        l.put("max", h.getMaxValue());
        return l;
    }

    private static Map<String, Object> figures(final RunResult r, final Pattern pattern, final int agents,
        final int payloadBytes, final double rateOffered)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("transport", r.transport());
        m.put("pattern", pattern.optionName());
        m.put("agents", agents);
        m.put("payload_bytes", payloadBytes);
        m.put("rate_offered", rateOffered);
        m.put("rate_achieved", round(r.achievedRate()));
        m.put("messages", r.messages());
        m.put("errors", r.errorCount());
        m.put("errors_by_code", new LinkedHashMap<>(r.errors()));
        m.put("latency_us", latency(r.endToEnd()));
        m.put("latency_uncorrected_us", latency(r.uncorrected()));
        m.put("publish_ack_latency_us", latency(r.publishAck()));
        m.put("recorded_final_hops", r.endToEnd().getTotalCount());
        m.put("expected_final_hops", r.expectedFinals());
        m.put("lost", r.lost());
        m.put("duplicates", r.duplicates());
        m.put("failed_verification", r.rejected());
        m.put("measured_seconds", round(r.measuredSeconds()));
        m.put("max_behind_flows", r.maxBehind());
        m.put("max_in_flight", r.maxInFlight());
        m.put("gc_count", r.gcCount());
        m.put("gc_ms", r.gcMillis());
        m.put("allocation_mb_per_s", round(r.allocatedBytes() / 1e6 / Math.max(1e-9, r.measuredSeconds())));
        final CostMeter.Costs c = r.costs();
        m.put("client_cpu_us_per_message", round(c.clientCpuUsPerMessage()));
        m.put("server_cpu_us_per_message", round(c.serverCpuUsPerMessage()));
        m.put("jit_cpu_us_per_message", round(c.jitCpuUsPerMessage()));
        m.put("allocation_bytes_per_message", round(c.allocatedBytesPerMessage()));
        m.put("young_gcs_measured", c.youngGcs());
        m.put("messages_measured", c.messages());
        final Map<String, Object> w = new LinkedHashMap<>();
        w.put("lost", r.warmup().lost());
        w.put("duplicates", r.warmup().duplicates());
        w.put("errors", r.warmup().errors());
        w.put("failed_verification", r.warmup().rejected());
        m.put("warmup", w);
        return m;
    }

    /** Three decimals, for figures meant to be read. */
    static double round(final double v)
    {
        return Math.round(v * 1000) / 1000.0;
    }
}
