package io.agentflow.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks one JMH run (its JSON results) against the committed thresholds and prints a table. Exit status 1 when
 * any threshold is missed or a benchmark it names did not run. Usage: {@code PerfGate THRESHOLDS RESULTS.json}.
 */
public final class PerfGate
{
    private static final String PREFIX = "io.agentflow.jmh.";

    private PerfGate()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        if (2 != args.length)
        {
            System.err.println("usage: PerfGate THRESHOLDS RESULTS.json");
            System.exit(2);
        }
        final Map<String, Double> scores = scores(new ObjectMapper().readTree(Path.of(args[1]).toFile()));
        boolean failed = false;
        System.out.printf("%-26s %12s %4s %10s  %s%n", "check", "measured", "", "limit", "verdict");
        for (final String line : Files.readAllLines(Path.of(args[0])))
        {
            if (line.isBlank() || line.startsWith("#"))
            {
                continue;
            }
            final String[] f = line.split("\\|");
            final String name = f[0].trim();
            final String op = f[2].trim();
            final double limit = Double.parseDouble(f[3].trim());
            final Double measured = evaluate(f[1].trim(), scores);
            final boolean ok = null != measured && ("<=".equals(op) ? measured <= limit : measured >= limit);
            failed |= !ok;
            System.out.printf(Locale.ROOT, "%-26s %12s %4s %10s  %s%n", name,
                null == measured ? "missing" : String.format(Locale.ROOT, "%.3f", measured), op, limit,
                ok ? "ok" : "REGRESSION");
        }
        System.out.println(failed ? "perf gate: FAILED" : "perf gate: passed");
        System.exit(failed ? 1 : 0);
    }

    static Double evaluate(final String expression, final Map<String, Double> scores)
    {
        final List<String> parts = List.of(expression.split("/"));
        final Double numerator = scores.get(parts.get(0).trim());
        if (1 == parts.size() || null == numerator)
        {
            return numerator;
        }
        final Double denominator = scores.get(parts.get(1).trim());
        return null == denominator || 0 == denominator ? null : numerator / denominator;
    }

    /** @return "Class.method" and "Class.method:metric" to their scores. */
    static Map<String, Double> scores(final JsonNode results)
    {
        final Map<String, Double> scores = new HashMap<>();
        for (final JsonNode run : results)
        {
            final String name = run.get("benchmark").asText().replace(PREFIX, "");
            scores.put(name, run.get("primaryMetric").get("score").asDouble());
            run.get("secondaryMetrics").fields().forEachRemaining(
                e -> scores.put(name + ":" + e.getKey(), e.getValue().get("score").asDouble()));
        }
        return scores;
    }
}
