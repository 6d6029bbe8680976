package io.agentflow.cli.loadgen;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Map;

/**
 * What one run measured, over its measured part only (see {@link LoadRun}). Latencies are in microseconds.
 *
 * @param transport       {@code nats}, {@code embedded} or {@code raw-jnats}.
 * @param endToEnd        intended send to handling of each final hop of the measured flows (corrected).
 * @param uncorrected     the same from each flow's actual send (wrk2's {@code -U}): what a generator that waits
 *                        for the system would report; below {@code endToEnd} by what the generator fell behind.
 * @param publishAck      publish call to broker acknowledgement, for publishes made in the measured part.
 * @param intervals       one row per second of the measured part (see {@link Interval}).
 * @param intervalLog     the same seconds' histograms as an HdrHistogram interval log ({@link IntervalLog}).
 * @param messages        messages published in the measured part (all hops).
 * @param expectedFinals  final hops the schedule called for in the measured part.
 * @param receivedFinals  final hops of measured flows handled (each counted at most its expected number of times).
 * @param duplicates      final hops of measured flows handled more than once.
 * @param rejected        messages the receiver refused (failed verification) from the measured part's start on.
 * @param errors          failed publishes of measured flows, by error code.
 * @param measuredSeconds length of the measured part.
 * @param gcCount         collections during the measured part.
 * @param gcMillis        time in collections during the measured part.
 * @param allocatedBytes  bytes allocated by the run's threads during the measured part.
 * @param costs           CPU (ours and the local server's), allocation and young collections over the measured part.
 * @param achievedRate    messages per second: the measured flows' messages that arrived, over the time from the
 *                        measured part's start to the last of them (at least its length).
 * @param warmup          what went wrong in the warm-up, counted apart and still failing the run.
 */
record RunResult(
    String transport,
    Histogram endToEnd,
    Histogram uncorrected,
    Histogram publishAck,
    List<Interval> intervals,
    String intervalLog,
    long messages,
    long expectedFinals,
    long receivedFinals,
    long duplicates,
    long rejected,
    Map<String, Long> errors,
    double measuredSeconds,
    long gcCount,
    long gcMillis,
    long allocatedBytes,
    CostMeter.Costs costs,
    double achievedRate,
    Warmup warmup)
{
    /** The warm-up's losses, duplicates, failed publishes and refusals. */
    record Warmup(long lost, long duplicates, long errors, long rejected)
    {
        boolean clean()
        {
            return 0 == lost && 0 == duplicates && 0 == errors && 0 == rejected;
        }
    }

    /**
     * One second of the measured part.
     *
     * @param second           its end, in seconds from the measured part's start.
     * @param length           its length in seconds (about one; the last is shorter): rates are counts over it.
     * @param count            final hops of measured flows handled in it (p50 to max are theirs, 0 when none).
     * @param uncorrectedP95Us their p95 from the flows' actual sends.
     * @param sent             messages published in it (every hop, every flow).
     * @param received         messages that arrived in it (every hop, every flow).
     * @param behind           at its end: flows whose intended start had passed and that had not been sent (the
     *                         generator's backlog).
     * @param inFlight         at its end: messages published and not yet arrived (the bus's backlog).
     */
    record Interval(double second, double length, double p50Us, double p95Us, double p99Us, double maxUs, long count,
        double uncorrectedP95Us, long sent, long received, long behind, long inFlight)
    {
    }

    /** @return the most flows the generator was behind its schedule at a second's end. */
    long maxBehind()
    {
        return intervals.stream().mapToLong(Interval::behind).max().orElse(0);
    }

    /** @return the most messages in flight at a second's end. */
    long maxInFlight()
    {
        return intervals.stream().mapToLong(Interval::inFlight).max().orElse(0);
    }

    long lost()
    {
        return Math.max(0, expectedFinals - receivedFinals);
    }

    long errorCount()
    {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

}
