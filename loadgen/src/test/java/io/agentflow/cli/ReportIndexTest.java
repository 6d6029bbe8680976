package io.agentflow.cli;

import io.agentflow.codec.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 21: perf-reports/README.md's run tables are generated from the runs ({@code agentflow report index}), keep
 * the README's own text, and are the same when generated again.
 */
@Timeout(120)
class ReportIndexTest
{
    @TempDir
    Path dir;

    @Test
    void theTablesComeFromTheRunsAndTheProseIsKept() throws Exception
    {
        for (final String name : new String[]{"run-a", "run-b"})
        {
            loadgen("--rate", "1000", "--report-dir", dir.resolve("loadgen").resolve(name).toString());
        }
        loadgen("--find-max", "--rate", "500", "--max-rate", "1000", "--repeats", "1", "--report-dir",
            dir.resolve("loadgen").resolve("search").toString());
        Files.writeString(dir.resolve("README.md"), "# Our reports\n\nWritten by hand.\n");

        assertEquals(0, AgentFlow.commandLine().setOut(new PrintWriter(new StringWriter(), true)).execute("report",
            "index", dir.toString()));
        final String readme = Files.readString(dir.resolve("README.md"));
        assertTrue(readme.startsWith("# Our reports\n\nWritten by hand.\n"), readme);
        assertTrue(readme.contains("### Load runs (2)") && readme.contains("### Capacity searches (1)"), readme);
        final Map<?, ?> a = (Map<?, ?>)Json.parse(Files.readAllBytes(dir.resolve("loadgen/run-a/summary.json")))
            .tree();
        final String p95 = String.format(Locale.ROOT, "%.2f", ((Number)((Map<?, ?>)a.get("latency_us")).get("p95"))
            .doubleValue() / 1000);
        final String row = readme.lines().filter(l -> l.startsWith("| [run-a](loadgen/run-a/report.html) |"))
            .findFirst().orElseThrow(() -> new AssertionError("no row for run-a:\n" + readme));
        assertTrue(row.contains("| embedded | request-reply | 20 | 1000 / ") && row.contains("| " + p95 + " |"), row);
        assertTrue(readme.lines().anyMatch(l -> l.startsWith("| [search](loadgen/search/report.html) |")
            && l.contains("| 20 | request-reply | ")), readme);

        AgentFlow.commandLine().setOut(new PrintWriter(new StringWriter(), true)).execute("report", "index",
            dir.toString());
        assertEquals(readme, Files.readString(dir.resolve("README.md")), "the same runs give the same README");
    }

    private static void loadgen(final String... args)
    {
        final String[] all = new String[12 + args.length];
        System.arraycopy(new String[]{"loadgen", "--transport", "embedded", "--agents", "20", "--duration", "1s",
            "--warmup", "200ms", "--target-p95", "60s"}, 0, all, 0, 11);
        all[11] = "--payload-bytes=256";
        System.arraycopy(args, 0, all, 12, args.length);
        AgentFlow.commandLine().setErr(new PrintWriter(new StringWriter(), true)).execute(all);
    }
}
