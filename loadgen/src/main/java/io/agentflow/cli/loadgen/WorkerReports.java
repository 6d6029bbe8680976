package io.agentflow.cli.loadgen;

import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a worker of a multi-process run sends its coordinator, and how the coordinator adds the workers up.
 * Histograms travel in HdrHistogram's compressed encoding (base64 in the JSON payload) and are added exactly: the
 * merged distribution is the one a single recorder of every worker's values would hold. Counts and costs add;
 * the achieved rate adds (the workers run side by side); the measured part's length is the longest worker's.
 */
final class WorkerReports
{
    private WorkerReports()
    {
    }

    static String encode(final Histogram h)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        final int length = h.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }

    static Histogram decode(final Object base64)
    {
        try
        {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode((String)base64)),
                LoadRun.HIGHEST_US);
        }
        catch (final java.util.zip.DataFormatException | RuntimeException ex)
        {
            throw new IllegalArgumentException("not a compressed histogram: " + ex.getMessage(), ex);
        }
    }

    /** @return one of a worker's intervals as the JSON tree it sends. */
    static Map<String, Object> toMap(final LoadRun.Sample s)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("second", s.second());
        m.put("length", s.length());
        m.put("histogram", encode(s.corrected()));
        m.put("uncorrected", encode(s.uncorrected()));
        m.put("counts", List.of(s.sent(), s.received(), s.behind(), s.inFlight()));
        return m;
    }

    /** @return the interval a worker sent ({@link #toMap(LoadRun.Sample)}), its histograms its own. */
    static LoadRun.Sample sampleFromMap(final Map<?, ?> m)
    {
        final List<?> c = (List<?>)m.get("counts");
        return new LoadRun.Sample(((Number)m.get("second")).doubleValue(), ((Number)m.get("length")).doubleValue(),
            decode(m.get("histogram")), decode(m.get("uncorrected")), number(c.get(0)), number(c.get(1)),
            number(c.get(2)), number(c.get(3)));
    }

    /** @return two workers' intervals of the same second added up, into {@code a}'s histograms. */
    static LoadRun.Sample add(final LoadRun.Sample a, final LoadRun.Sample b)
    {
        a.corrected().add(b.corrected());
        a.uncorrected().add(b.uncorrected());
        return new LoadRun.Sample(Math.max(a.second(), b.second()), Math.max(a.length(), b.length()), a.corrected(),
            a.uncorrected(), a.sent() + b.sent(), a.received() + b.received(), a.behind() + b.behind(),
            a.inFlight() + b.inFlight());
    }

    /** @return a worker's result as the JSON tree it sends. */
    static Map<String, Object> toMap(final RunResult r)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("end_to_end", encode(r.endToEnd()));
        m.put("uncorrected", encode(r.uncorrected()));
        m.put("publish_ack", encode(r.publishAck()));
        m.put("messages", r.messages());
        m.put("expected_finals", r.expectedFinals());
        m.put("received_finals", r.receivedFinals());
        m.put("duplicates", r.duplicates());
        m.put("rejected", r.rejected());
        m.put("errors", new LinkedHashMap<>(r.errors()));
        m.put("measured_seconds", r.measuredSeconds());
        m.put("gc_count", r.gcCount());
        m.put("gc_millis", r.gcMillis());
        m.put("allocated_bytes", r.allocatedBytes());
        final CostMeter.Costs c = r.costs();
        m.put("costs", List.of(c.messages(), c.clientCpuNanos(), c.serverCpuNanos(), c.allocatedBytes(), c.youngGcs(),
            c.jitCpuNanos()));
        m.put("achieved_rate", r.achievedRate());
        final RunResult.Warmup w = r.warmup();
        m.put("warmup", List.of(w.lost(), w.duplicates(), w.errors(), w.rejected()));
        return m;
    }

    /** @return the result a worker sent ({@link #toMap}), with no intervals (the coordinator merges those). */
    static RunResult fromMap(final Map<?, ?> m)
    {
        final Map<String, Long> errors = new TreeMap<>();
        ((Map<?, ?>)m.get("errors")).forEach((code, n) -> errors.put((String)code, number(n)));
        final List<?> c = (List<?>)m.get("costs");
        final List<?> w = (List<?>)m.get("warmup");
        return new RunResult("nats", decode(m.get("end_to_end")), decode(m.get("uncorrected")),
            decode(m.get("publish_ack")), List.of(), "",
            number(m.get("messages")), number(m.get("expected_finals")), number(m.get("received_finals")),
            number(m.get("duplicates")), number(m.get("rejected")), errors,
            ((Number)m.get("measured_seconds")).doubleValue(), number(m.get("gc_count")), number(m.get("gc_millis")),
            number(m.get("allocated_bytes")), new CostMeter.Costs(number(c.get(0)), number(c.get(1)),
            number(c.get(2)), number(c.get(3)), number(c.get(4)), number(c.get(5))),
            ((Number)m.get("achieved_rate")).doubleValue(), new RunResult.Warmup(number(w.get(0)), number(w.get(1)),
            number(w.get(2)), number(w.get(3))));
    }

    /**
     * @param results   each worker's result.
     * @param intervals by second (from the measured part's start, in order), the sum of the workers' intervals;
     *                  all of them added up are the run's distribution.
     * @param measuredStartMillis about when the measured part began: the interval log's base time.
     * @return the run as a whole: the streamed histograms' latency, the results' counts and costs added up.
     */
    static RunResult merge(final List<RunResult> results, final Map<Long, LoadRun.Sample> intervals,
        final long measuredStartMillis)
    {
        final Histogram total = new Histogram(LoadRun.HIGHEST_US, 3);
        final Histogram uncorrected = new Histogram(LoadRun.HIGHEST_US, 3);
        final IntervalLog log = new IntervalLog("nats", measuredStartMillis);
        intervals.forEach((second, s) ->
        {
            total.add(s.corrected());
            uncorrected.add(s.uncorrected());
            if (second > 0)
            {
                log.add(new LoadRun.Sample(second, s.length(), s.corrected(), s.uncorrected(), s.sent(), s.received(),
                    s.behind(), s.inFlight()));
            }
        });
        final Histogram publishAck = new Histogram(LoadRun.HIGHEST_US, 3);
        final Map<String, Long> errors = new TreeMap<>();
        long messages = 0;
        long expected = 0;
        long received = 0;
        long duplicates = 0;
        long rejected = 0;
        double seconds = 0;
        long gcCount = 0;
        long gcMillis = 0;
        long allocated = 0;
        double achieved = 0;
        long[] costs = new long[6];
        long[] warmup = new long[4];
        for (final RunResult r : results)
        {
            publishAck.add(r.publishAck());
            r.errors().forEach((code, n) -> errors.merge(code, n, Long::sum));
            messages += r.messages();
            expected += r.expectedFinals();
            received += r.receivedFinals();
            duplicates += r.duplicates();
            rejected += r.rejected();
            seconds = Math.max(seconds, r.measuredSeconds());
            gcCount += r.gcCount();
            gcMillis += r.gcMillis();
            allocated += r.allocatedBytes();
            achieved += r.achievedRate();
            final CostMeter.Costs c = r.costs();
            costs = add(costs, c.messages(), c.clientCpuNanos(), -1, c.allocatedBytes(), c.youngGcs(),
                c.jitCpuNanos());
            final RunResult.Warmup w = r.warmup();
            warmup = add(warmup, w.lost(), w.duplicates(), w.errors(), w.rejected());
        }
        return new RunResult("nats", total, uncorrected, publishAck, log.rows(), log.text(), messages, expected,
            received, duplicates, rejected,
            errors, seconds, gcCount, gcMillis, allocated,
            new CostMeter.Costs(costs[0], costs[1], -1, costs[3], costs[4], costs[5]), achieved,
            new RunResult.Warmup(warmup[0], warmup[1], warmup[2], warmup[3]));
    }

    /**
     * @return {@code merged_final_hops} (the merged histogram's count), {@code sum_of_workers} (what the workers say
     * they recorded) and {@code exact}: those agree, and so does what they streamed.
     */
    static Map<String, Object> mergeCheck(final RunResult merged, final List<Map<String, Object>> perWorker)
    {
        final long streamed = perWorker.stream().mapToLong(w -> ((Number)w.get("streamed_final_hops")).longValue())
            .sum();
        final long recorded = perWorker.stream().mapToLong(w -> ((Number)w.get("recorded_final_hops")).longValue())
            .sum();
        final Map<String, Object> merge = new LinkedHashMap<>();
        merge.put("merged_final_hops", merged.endToEnd().getTotalCount());
        merge.put("sum_of_workers", recorded);
        merge.put("exact", merged.endToEnd().getTotalCount() == recorded && streamed == recorded);
        return merge;
    }

    private static long[] add(final long[] sums, final long... values)
    {
        for (int i = 0; i < sums.length; i++)
        {
            sums[i] += values[i];
        }
        return sums;
    }

    private static long number(final Object n)
    {
        return ((Number)n).longValue();
    }
}
