package io.agentflow.cli.loadgen;

import io.agentflow.cli.AgentFlow;
import io.agentflow.codec.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 21: {@code agentflow report compare} over three runs of the same command prints each percentile's values
 * and how much it varied, computed from the runs' own summaries.
 */
@Timeout(120)
class ReportCompareTest
{
    @TempDir
    Path dir;

    @Test
    void threeRunsOfOneCommandAreLaidSideBySideWithEachPercentilesVariation() throws Exception
    {
        final List<String> dirs = new ArrayList<>();
        final List<Map<?, ?>> summaries = new ArrayList<>();
        for (int i = 1; i <= 3; i++)
        {
            final Path report = dir.resolve("run-" + i);
            AgentFlow.commandLine().setErr(new PrintWriter(new StringWriter(), true)).execute("loadgen",
                "--transport", "embedded", "--agents", "20", "--rate", "1000", "--duration", "1s", "--warmup",
                "500ms", "--target-p95", "60s", "--report-dir", report.toString());
            dirs.add(report.toString());
            summaries.add((Map<?, ?>)Json.parse(Files.readAllBytes(report.resolve("summary.json"))).tree());
        }
        final StringWriter out = new StringWriter();
        final List<String> args = new ArrayList<>(List.of("report", "compare"));
        args.addAll(dirs);
        assertEquals(0, AgentFlow.commandLine().setOut(new PrintWriter(out, true)).execute(args.toArray(String[]::new)));

        final List<String> lines = out.toString().lines().toList();
        assertTrue(lines.get(0).startsWith("report compare: 3 runs, one command: agentflow loadgen --transport embedded"),
            lines.get(0));
        for (final String p : List.of("p50", "p95", "p99", "p999", "max"))
        {
            final String line = lines.stream().filter(l -> l.startsWith(p + "_us ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + p + ":\n" + out));
            final String[] cells = line.trim().split("\\s+");
            assertEquals(1 + 3 + 5, cells.length, line);
            final double[] v = new double[3];
            for (int i = 0; i < 3; i++)
            {
                v[i] = ((Number)((Map<?, ?>)summaries.get(i).get("latency_us")).get(p)).doubleValue();
                assertEquals(v[i], Double.parseDouble(cells[1 + i]), 0.001, "run " + (i + 1) + " of " + line);
            }
            final double mean = (v[0] + v[1] + v[2]) / 3;
            final double sd = Math.sqrt(((v[0] - mean) * (v[0] - mean) + (v[1] - mean) * (v[1] - mean)
                + (v[2] - mean) * (v[2] - mean)) / 2);
            assertEquals(mean, Double.parseDouble(cells[4]), 0.001, line);
            assertEquals(sd, Double.parseDouble(cells[5]), 0.001, line);
            assertEquals(100 * sd / mean, Double.parseDouble(cells[6]), 0.06, line);
        }
    }
}
