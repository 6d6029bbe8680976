package io.agentflow.cli.loadgen;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code loadgen --find-max}: the highest offered rate one transport carries within the p95 budget with nothing
 * lost, refused, duplicated or failed ({@link Summary#passed}). Each probe is a whole run (warm-up, measured part,
 * drain) at one offered rate:
 * <pre>
 *   rate = --rate
 *   while nothing has broken:  held? rate = 2 x rate (up to --max-rate)    first broke? rate = rate / 2
 *   then bisect between the highest rate that held and the lowest that broke
 *   until they are within {@value #RESOLUTION_PERCENT}% of each other
 * </pre>
 * Latency is timed from each message's intended send, so a rate past the knee shows as queueing (p95 grows with the
 * backlog) and breaks the budget within the probe: the search needs no other saturation signal.
 */
final class CapacitySearch
{
    static final int RESOLUTION_PERCENT = 10;
    private static final int MAX_PROBES = 14;
    private static final int MAX_HALVINGS = 6;   // the first rate broke: try down to 1/64 of it

    /** Runs one probe at an offered rate. */
    @FunctionalInterface
    interface Prober
    {
        RunResult run(double rate) throws Exception;
    }

    /** One probe: the rate offered and what the run measured. */
    record Probe(double offered, RunResult result, boolean held)
    {
    }

    /**
     * One search over one transport.
     *
     * @param held   the highest offered rate that held, 0 when none did.
     * @param broken the lowest offered rate that broke, or infinity when none did up to {@code --max-rate}.
     * @param capped the search stopped at {@code --max-rate} with every probe holding: the capacity is higher.
     */
    record Outcome(String transport, int repeat, double held, double broken, boolean capped, List<Probe> probes)
    {
    }

    private CapacitySearch()
    {
    }

    static Outcome search(final String transport, final int repeat, final double start, final double maxRate,
        final long targetP95Us, final Prober prober, final PrintStream progress) throws Exception
    {
        final List<Probe> probes = new ArrayList<>();
        double held = 0;
        double broken = Double.POSITIVE_INFINITY;
        double rate = round(Math.min(start, maxRate));
        int halvings = 0;
        while (probes.size() < MAX_PROBES)
        {
            final RunResult r = prober.run(rate);
            final boolean ok = Summary.passed(r, targetP95Us);
            probes.add(new Probe(rate, r, ok));
            progress.printf("loadgen: find-max %s #%d probe %d: %.0f msgs/s offered, %.0f achieved, p95 %.2f ms, "
                    + "lost %d: %s%n", transport, repeat, probes.size(), rate, r.achievedRate(),
                r.endToEnd().getValueAtPercentile(95) / 1000.0, r.lost(), ok ? "held" : "broke");
            if (ok)
            {
                held = Math.max(held, rate);
            }
            else
            {
                broken = Math.min(broken, rate);
            }
            final Double next = next(held, broken, maxRate, halvings);
            if (null == next)
            {
                break;
            }
            if (0 == held)
            {
                halvings++;
            }
            rate = next;
        }
        return new Outcome(transport, repeat, held, broken, held >= round(maxRate) && Double.isInfinite(broken),
            List.copyOf(probes));
    }

    /** @return the next rate to offer, or null when the search is done. */
    static Double next(final double held, final double broken, final double maxRate, final int halvings)
    {
        if (Double.isInfinite(broken))
        {
            return held >= round(maxRate) ? null : round(Math.min(maxRate, 2 * held));
        }
        if (0 == held)
        {
            return halvings >= MAX_HALVINGS ? null : round(broken / 2);
        }
        final double mid = round((held + broken) / 2);
        return broken <= held * (1 + RESOLUTION_PERCENT / 100.0) || mid <= held || mid >= broken ? null : mid;
    }

    /** Three significant digits: 16,250 offered as 16,200; rates read better and repeat across searches. */
    static double round(final double rate)
    {
        if (rate <= 0)
        {
            return rate;
        }
        final double unit = Math.pow(10, Math.floor(Math.log10(rate)) - 2);
        return Math.max(unit, Math.round(rate / unit) * unit);
    }

    /** @return the median of the values (the mean of the middle two for an even count). */
    static double median(final List<Double> values)
    {
        final List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        final int n = sorted.size();
        return 0 == n ? Double.NaN : 1 == n % 2 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
