package io.agentflow.cli.loadgen;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The lines a load run prints on stdout: the verdict with the percentiles, the costs, one line per baseline with
 * its ratios, and where the report is. {@code scripts/perf-gate} reads them.
 */
final class Headline
{
    private Headline()
    {
    }

    static void print(final PrintWriter out, final Map<String, Object> summary, final RunResult ours,
        final List<RunResult> bases, final Path dir)
    {
        final Map<?, ?> l = (Map<?, ?>)Summary.latency(ours.endToEnd());
        out.printf("%s: transport=%s (%s) pattern=%s rate=%.0f/%.0f msgs/s  p50=%.2fms p95=%.2fms p99=%.2fms max=%.2fms"
                + "  lost=%d failed_verification=%d errors=%d%n",
            Boolean.TRUE.equals(summary.get("pass")) ? "PASS" : "FAIL", ours.transport(),
            ((Map<?, ?>)summary.get("environment")).get("server_version"), summary.get("pattern"),
            ((Number)summary.get("rate_achieved")).doubleValue(), ((Number)summary.get("rate_offered")).doubleValue(),
            ms(l.get("p50")), ms(l.get("p95")), ms(l.get("p99")), ms(l.get("max")), ours.lost(), ours.rejected(),
            ours.errorCount());
        out.printf("cost: client_cpu=%.1fus/msg server_cpu=%s alloc=%.0fB/msg young_gcs=%d (jit %.1fus/msg apart)%n",
            ours.costs().clientCpuUsPerMessage(), serverCpu(ours), ours.costs().allocatedBytesPerMessage(),
            ours.costs().youngGcs(), ours.costs().jitCpuUsPerMessage());
        for (final RunResult base : bases)
        {
            final Map<?, ?> b = (Map<?, ?>)Summary.latency(base.endToEnd());
            final Map<?, ?> ratio = (Map<?, ?>)((Map<?, ?>)summary.get("ratios")).get(base.transport());
            out.printf("baseline %s: p50=%.2fms p95=%.2fms p99=%.2fms client_cpu=%.1fus/msg server_cpu=%s "
                    + "alloc=%.0fB/msg young_gcs=%d  ratio ours/raw: throughput=%s p95=%s client_cpu=%s alloc=%s%n",
                base.transport(), ms(b.get("p50")), ms(b.get("p95")), ms(b.get("p99")),
                base.costs().clientCpuUsPerMessage(), serverCpu(base), base.costs().allocatedBytesPerMessage(),
                base.costs().youngGcs(),
                ratio.get("throughput"), ratio.get("p95"), ratio.get("client_cpu_per_message"),
                ratio.get("allocation_per_message"));
        }
        out.println("report: " + dir.toAbsolutePath().normalize().resolve("report.html"));
    }

    private static String serverCpu(final RunResult r)
    {
        final double us = r.costs().serverCpuUsPerMessage();
        return us < 0 ? "n/a" : String.format("%.1fus/msg", us);
    }

    private static double ms(final Object us)
    {
        return ((Number)us).doubleValue() / 1000.0;
    }
}
