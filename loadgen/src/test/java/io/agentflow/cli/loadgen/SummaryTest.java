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

        final Map<String, Object> s = Summary.of(r, null, Pattern.REQUEST_REPLY, 100, 1024, 2000, TARGET_US, Map.of());
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

        final Map<String, Object> s = Summary.of(result("nats", ours, 0, 0), result("raw-jnats", raw, 0, 0), Pattern.REQUEST_REPLY, 10,
            64, 20, TARGET_US, Map.of());

        final Map<?, ?> ratio = (Map<?, ?>)s.get("ratio");
        assertEquals(1.0, ratio.get("throughput"));
        assertEquals(2.0, (Double)ratio.get("p95"), 0.01);
        assertEquals("raw-jnats", ((Map<?, ?>)s.get("baseline")).get("transport"));
    }

    private static RunResult result(final String transport, final Histogram h, final long lost, final long rejected)
    {
        final long finals = h.getTotalCount();
        return new RunResult(transport, h, new Histogram(3), List.of(), finals * 2, finals + lost, finals, 0, rejected,
            Map.of(), 10.0, 0, 0, 0);
    }

    /** HdrHistogram keeps 3 significant digits: compare within that precision. */
    private static void assertNear(final long expected, final Object actual)
    {
        assertEquals(expected, ((Number)actual).doubleValue(), expected * 0.001 + 1, "value " + actual);
    }
}
