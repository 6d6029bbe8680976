package io.agentflow.jmh;

import java.util.Arrays;
import java.util.Locale;

/**
 * Issue 4's acceptance 3 measured interleaved: {@link JetStreamPublishBenchmark}'s pipeline publish and its raw
 * jnats baselines, on one server and one JVM, in short bursts whose order rotates each round, so that the shared
 * machine's drift (minutes between JMH's forks) falls on all of them alike. Each burst publishes
 * {@code batches * 1000} messages and waits for every ack; the ratio of a round is ours over raw in that round.
 * <pre>
 * java -cp jmh/target/benchmarks.jar io.agentflow.jmh.PublishRatio [rounds] [batches per burst] [warm-up rounds]
 * </pre>
 */
public final class PublishRatio
{
    private static final String[] NAMES = {"pipeline", "raw", "raw+id"};

    private PublishRatio()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        final int batches = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        final int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        final JetStreamPublishBenchmark bench = new JetStreamPublishBenchmark();
        bench.start();
        try
        {
            final double[][] rates = new double[NAMES.length][rounds];
            for (int round = -warmup; round < rounds; round++)
            {
                for (int k = 0; k < NAMES.length; k++)
                {
                    final int variant = Math.floorMod(round + k, NAMES.length);
                    final long start = System.nanoTime();
                    for (int b = 0; b < batches; b++)
                    {
                        burst(bench, variant);
                    }
                    final double rate = batches * (double)JetStreamPublishBenchmark.BATCH * 1e9
                        / (System.nanoTime() - start);
                    if (round >= 0)
                    {
                        rates[variant][round] = rate;
                    }
                }
            }
            final double[] ratio = new double[rounds];
            final double[] ratioWithId = new double[rounds];
            for (int r = 0; r < rounds; r++)
            {
                ratio[r] = rates[0][r] / rates[1][r];
                ratioWithId[r] = rates[0][r] / rates[2][r];
            }
            for (int v = 0; v < NAMES.length; v++)
            {
                System.out.printf(Locale.ROOT, "%-8s msgs/s %s%n", NAMES[v], quartiles(rates[v], "%.0f"));
            }
            System.out.printf(Locale.ROOT, "pipeline / raw         %s%n", quartiles(ratio, "%.3f"));
            System.out.printf(Locale.ROOT, "pipeline / raw with id %s%n", quartiles(ratioWithId, "%.3f"));
            System.out.printf(Locale.ROOT, "rounds %d, %d messages per burst, %d warm-up rounds%n", rounds,
                batches * JetStreamPublishBenchmark.BATCH, warmup);
        }
        finally
        {
            bench.stop();
        }
    }

    private static void burst(final JetStreamPublishBenchmark bench, final int variant) throws InterruptedException
    {
        switch (variant)
        {
            case 0 -> bench.pipelinePublish();
            case 1 -> bench.rawJnatsPublishAsync();
            default -> bench.rawJnatsPublishAsyncWithMsgId();
        }
    }

    private static String quartiles(final double[] values, final String format)
    {
        final double[] v = values.clone();
        Arrays.sort(v);
        final String f = format + " / " + format + " / " + format + "  (min " + format + ", max " + format + ")";
        return String.format(Locale.ROOT, "p25 / median / p75 " + f, v[v.length / 4], v[v.length / 2],
            v[3 * v.length / 4], v[0], v[v.length - 1]);
    }
}
