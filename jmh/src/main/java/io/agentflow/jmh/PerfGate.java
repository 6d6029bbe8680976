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
 * Checks one JMH run (its JSON results), and optionally one load generator run (its {@code summary.json}), against
 * the committed thresholds and prints a table. Exit status 1 when any threshold is missed or a figure it names is
 * missing. Usage: {@code PerfGate THRESHOLDS RESULTS.json [SUMMARY.json]}. A load run's figures are named
 * {@code loadgen:} and their path in the summary, e.g. {@code loadgen:ratio.client_cpu_per_message}.
 */
public final class PerfGate
{
    private static final String PREFIX = "io.agentflow.jmh.";

    private PerfGate()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        if (2 != args.length && 3 != args.length)
        {
            System.err.println("usage: PerfGate THRESHOLDS RESULTS.json [SUMMARY.json]");
            System.exit(2);
        }
        final Map<String, Double> scores = scores(new ObjectMapper().readTree(Path.of(args[1]).toFile()));
        if (3 == args.length)
        {
            flatten("loadgen:", new ObjectMapper().readTree(Path.of(args[2]).toFile()), scores);
        }
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

    /** Adds every number of a load run's summary under its dotted path: {@code loadgen:ratio.p95}. */
    static void flatten(final String path, final JsonNode node, final Map<String, Double> scores)
    {
        if (node.isNumber())
        {
            scores.put(path, node.asDouble());
            return;
        }
        node.fields().forEachRemaining(e -> flatten(path + (path.endsWith(":") ? "" : ".") + e.getKey(),
            e.getValue(), scores));
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
