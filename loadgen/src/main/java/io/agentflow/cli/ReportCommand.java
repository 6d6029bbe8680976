package io.agentflow.cli;

import io.agentflow.codec.Json;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code agentflow report}: works on the load generator's reports ({@code report index}: see {@link ReportIndex}).
 * {@code report compare DIR...} lays several runs
 * side by side, one column per run, and says how much each figure varied between them: mean, sample standard
 * deviation, coefficient of variation and range. Run-to-run variation is what a change must beat before a
 * difference between two runs means anything (on two shared cores p95 moves by 2x where CPU per message moves by a
 * few percent).
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Work on load generator reports: compare runs, or index them in a README.",
        "'report compare DIR...' lays runs side by side; 'report index' writes perf-reports/README.md's run tables."},
    subcommands = {ReportCommand.Compare.class, ReportIndex.class})
final class ReportCommand implements Callable<Integer>
{
    @Spec
    CommandSpec spec;

    @Override
    public Integer call()
    {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** {@code report compare DIR...}. */
    @Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Lay two or more load runs side by side (each DIR holds a summary.json) and print how much",
            "each figure varied: mean, standard deviation, coefficient of variation (cv%) and range."})
    static final class Compare implements Callable<Integer>
    {
        /** The figures compared: a name and its path in summary.json. */
        static final Map<String, String> FIGURES = figures();

        @Spec
        CommandSpec spec;

        @Parameters(arity = "2..*", paramLabel = "DIR", description = "Report directories of agentflow loadgen.")
        List<Path> dirs;

        private static Map<String, String> figures()
        {
            final Map<String, String> f = new LinkedHashMap<>();
            for (final String p : List.of("p50", "p95", "p99", "p999", "max"))
            {
                f.put(p + "_us", "latency_us." + p);
            }
            f.put("rate_achieved", "rate_achieved");
            f.put("client_cpu_us_per_message", "client_cpu_us_per_message");
            f.put("allocation_bytes_per_message", "allocation_bytes_per_message");
            f.put("lost", "lost");
            f.put("ratio_p95", "ratio.p95");
            f.put("ratio_client_cpu", "ratio.client_cpu_per_message");
            return f;
        }

        @Override
        public Integer call() throws IOException
        {
            final List<Map<?, ?>> runs = new ArrayList<>();
            for (final Path dir : dirs)
            {
                runs.add(summary(dir));
            }
            final PrintWriter out = spec.commandLine().getOut();
            final List<String> commands = runs.stream().map(r -> String.valueOf(at(r, "environment.command")))
                .map(c -> c.replaceAll(" --report-dir \\S+", "")).distinct().toList();
            out.println("report compare: " + runs.size() + " runs, " + (1 == commands.size()
                ? "one command: " + commands.get(0) : commands.size() + " different commands"));
            final StringBuilder head = new StringBuilder(String.format("%-30s", "figure"));
            for (int i = 1; i <= runs.size(); i++)
            {
                head.append(String.format(" %12s", "run" + i));
            }
            out.println(head.append(String.format(" %12s %12s %7s %12s %12s", "mean", "stddev", "cv%", "min", "max")));
            for (final Map.Entry<String, String> f : FIGURES.entrySet())
            {
                final double[] v = new double[runs.size()];
                boolean present = true;
                for (int i = 0; i < v.length; i++)
                {
                    final Object n = at(runs.get(i), f.getValue());
                    present &= n instanceof Number;
                    v[i] = n instanceof Number ? ((Number)n).doubleValue() : Double.NaN;
                }
                if (present)
                {
                    out.println(row(f.getKey(), v));
                }
            }
            out.flush();
            return 0;
        }

        /** One figure: each run's value, then mean, sample standard deviation, cv%, min and max. */
        static String row(final String name, final double[] v)
        {
            double sum = 0;
            double min = Double.MAX_VALUE;
            double max = -Double.MAX_VALUE;
            for (final double x : v)
            {
                sum += x;
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            final double mean = sum / v.length;
            double squares = 0;
            for (final double x : v)
            {
                squares += (x - mean) * (x - mean);
            }
            final double stddev = Math.sqrt(squares / (v.length - 1));
            final StringBuilder line = new StringBuilder(String.format("%-30s", name));
            for (final double x : v)
            {
                line.append(String.format(" %12.3f", x));
            }
            return line.append(String.format(" %12.3f %12.3f %7.1f %12.3f %12.3f", mean, stddev,
                0 == mean ? 0 : 100 * stddev / Math.abs(mean), min, max)).toString();
        }

        private static Map<?, ?> summary(final Path dir) throws IOException
        {
            final Path file = dir.resolve("summary.json");
            try
            {
                return (Map<?, ?>)Json.parse(Files.readAllBytes(file)).tree();
            }
            catch (final NoSuchFileException ex)
            {
                throw MessageError.of(ErrorCode.VALIDATION_ERROR, "no summary.json in " + dir
                    + " (a report directory of agentflow loadgen)");
            }
        }

        /** @return the value at a dotted path of {@code map}, or {@code null}. */
        private static Object at(final Map<?, ?> map, final String path)
        {
            Object node = map;
            for (final String key : path.split("\\."))
            {
                node = node instanceof Map<?, ?> m ? m.get(key) : null;
            }
            return node;
        }
    }
}
