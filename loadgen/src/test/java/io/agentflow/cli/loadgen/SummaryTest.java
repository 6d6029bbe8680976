package io.agentflow.cli.loadgen;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SummaryTest
{
    private static final long TARGET_US = 15_000;

    @Test
    void shouldReportPercentilesOfAKnownHistogram()
    {
        final Histogram h = new Histogram(3_600_000_000L, 3);
        for (int us = 1; us <= 10_000; us++)   // 1 us .. 10 ms, one each
        {
            h.recordValue(us);
        }
        final RunResult r = result("nats", h, 0, 0);

        final Map<String, Object> s = Summary.of(r, List.of(), Pattern.REQUEST_REPLY, 100, 1024, 2000, TARGET_US, Map.of());
        final Map<?, ?> l = (Map<?, ?>)s.get("latency_us");

        assertNear(5000, l.get("p50"));
        assertNear(9500, l.get("p95"));
        assertNear(9900, l.get("p99"));
        assertNear(9990, l.get("p999"));
        assertNear(10000, l.get("max"));
        assertEquals(true, s.get("pass"));
        assertEquals(TARGET_US, s.get("target_p95_us"));
        // 10000 final hops of request-reply flows = 20000 messages over the 10 measured seconds
        assertEquals(2000.0, s.get("rate_achieved"));
    }

    @Test
    void shouldFailOnAMissedTargetOrAnyLoss()
    {
        final Histogram slow = new Histogram(3_600_000_000L, 3);
        slow.recordValueWithCount(20_000, 100);
        assertFalse(Summary.passed(result("nats", slow, 0, 0), TARGET_US));

        final Histogram fast = new Histogram(3_600_000_000L, 3);
        fast.recordValueWithCount(100, 100);
        assertTrue(Summary.passed(result("nats", fast, 0, 0), TARGET_US));
        assertFalse(Summary.passed(result("nats", fast, 1, 0), TARGET_US), "one lost");
        assertFalse(Summary.passed(result("nats", fast, 0, 1), TARGET_US), "one refused by verification");
    }

    @Test
    void shouldGiveRatiosAgainstTheBaseline()
    {
        final Histogram ours = new Histogram(3_600_000_000L, 3);
        ours.recordValueWithCount(2_000, 100);
        final Histogram raw = new Histogram(3_600_000_000L, 3);
        raw.recordValueWithCount(1_000, 100);

        final RunResult noid = result("raw-jnats-noid", raw, 0, 0, new CostMeter.Costs(1000, 20_000_000, -1,
            1_000_000, 0, 0));
        final Map<String, Object> s = Summary.of(result("nats", ours, 0, 0, new CostMeter.Costs(1000, 60_000_000,
            40_000_000, 3_000_000, 1, 0)), List.of(result("raw-jnats", raw, 0, 0, new CostMeter.Costs(2000, 100_000_000,
            80_000_000, 4_000_000, 0, 0)), noid), Pattern.REQUEST_REPLY, 10, 64, 20, TARGET_US, Map.of());

        final Map<?, ?> ratio = (Map<?, ?>)s.get("ratio");
        assertEquals(1.0, ratio.get("throughput"));
        assertEquals(2.0, (Double)ratio.get("p95"), 0.01);
        assertEquals(1.2, (Double)ratio.get("client_cpu_per_message"), 1e-9, "60 us against 50 us a message");
        assertEquals(1.5, (Double)ratio.get("allocation_per_message"), 1e-9, "3000 B against 2000 B a message");
        assertEquals("raw-jnats", ((Map<?, ?>)s.get("baseline")).get("transport"));
        assertEquals(40.0, ((Map<?, ?>)s.get("baseline")).get("server_cpu_us_per_message"));
        final Map<?, ?> againstNoid = (Map<?, ?>)((Map<?, ?>)s.get("ratios")).get("raw-jnats-noid");
        assertEquals(3.0, (Double)againstNoid.get("client_cpu_per_message"), 1e-9);
        assertEquals(-1.0, ((Map<?, ?>)((Map<?, ?>)s.get("baselines")).get("raw-jnats-noid"))
            .get("server_cpu_us_per_message"), "not measured");
    }

    private static RunResult result(final String transport, final Histogram h, final long lost, final long rejected)
    {
        return result(transport, h, lost, rejected, CostMeter.Costs.NONE);
    }

    private static RunResult result(final String transport, final Histogram h, final long lost, final long rejected,
        final CostMeter.Costs costs)
    {
        final long finals = h.getTotalCount();
        return new RunResult(transport, h, h, new Histogram(3), List.of(), "", finals * 2, finals + lost, finals, 0,
            rejected,
            Map.of(), 10.0, 0, 0, 0, costs, finals * 2 / 10.0, new RunResult.Warmup(0, 0, 0, 0));
    }

    /** HdrHistogram keeps 3 significant digits: compare within that precision. */
    private static void assertNear(final long expected, final Object actual)
    {
        assertEquals(expected, ((Number)actual).doubleValue(), expected * 0.001 + 1, "value " + actual);
    }
}
