package io.agentflow.cli.loadgen;

import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Map;

/**
 * What one run measured. Latencies are in microseconds.
 *
 * @param transport       {@code nats}, {@code embedded} or {@code raw-jnats}.
 * @param endToEnd        intended send to handling of each final hop, measured flows only (after warm-up).
 * @param publishAck      publish call to broker acknowledgement.
 * @param intervals       one row per second of the measured part: p50, p95, p99, max.
 * @param messages        messages published (all hops, warm-up included).
 * @param expectedFinals  final hops the schedule called for.
 * @param receivedFinals  final hops handled (each flow counted at most its expected number of times).
 * @param duplicates      final hops handled more than once.
 * @param rejected        messages the receiver refused (failed verification).
 * @param errors          failed publishes by error code.
 * @param measuredSeconds length of the measured part.
 * @param gcCount         collections during the run.
 * @param gcMillis        time in collections during the run.
 * @param allocatedBytes  bytes allocated by the run's threads (approximate: threads that ended are not counted).
 * @param costs           CPU (ours and the local server's), allocation and young collections over the measured part.
 */
record RunResult(
    String transport,
    Histogram endToEnd,
    Histogram publishAck,
    List<Interval> intervals,
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
    CostMeter.Costs costs)
{
    /** One second of the measured part. */
    record Interval(double second, double p50Us, double p95Us, double p99Us, double maxUs, long count)
    {
    }

    long lost()
    {
        return Math.max(0, expectedFinals - receivedFinals);
    }

    long errorCount()
    {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** @return messages per second over the measured part. */
    double achievedRate(final Pattern pattern)
    {
        return endToEnd.getTotalCount() / (double)pattern.finalsPerFlow() * pattern.messagesPerFlow()
            / measuredSeconds;
    }
}
