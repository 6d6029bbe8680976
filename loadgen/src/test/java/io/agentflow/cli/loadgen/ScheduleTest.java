package io.agentflow.cli.loadgen;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ScheduleTest
{
    private static final long START = 1_000_000_000L;

    @Test
    void shouldPlaceFlowsAtAFixedRateFromTheStart()
    {
        final Schedule schedule = new Schedule(START, 1000, 10, () -> START);
        assertEquals(START, schedule.intendedNanos(0));
        assertEquals(START + 1_000_000, schedule.intendedNanos(1));
        assertEquals(START + 9_000_000, schedule.intendedNanos(9));
    }

    @Test
    void shouldChargeAStallToEveryFlowItDelayed()
    {
        // 1000 flows/s; the sender stalls 50 ms at flow 0, then sends the backlog at once (at t = 50 ms)
        final AtomicLong clock = new AtomicLong(START + 50_000_000);
        final Schedule schedule = new Schedule(START, 1000, 100, clock::get);
        final long stalledAt = clock.get();
        long sum = 0;
        for (int flow = 0; flow < 50; flow++)
        {
            final long intended = schedule.awaitTurn(flow);   // behind schedule: returns at once
            sum += Schedule.latencyNanos(intended, stalledAt);
        }
        // measured from intended times: 50 ms, 49 ms, ... 1 ms, not the ~0 a naive "since I sent it" gives
        assertEquals(1_275_000_000L, sum);   // sum of (50 - f) ms for f = 0..49
        assertEquals(50_000_000, Schedule.latencyNanos(schedule.intendedNanos(0), stalledAt));
    }

    @Test
    void shouldWaitForAFlowThatIsNotDueYet()
    {
        final AtomicLong clock = new AtomicLong(START);
        final Schedule schedule = new Schedule(START, 10, 5, () -> clock.addAndGet(1_000_000));   // time moves
        final long intended = schedule.awaitTurn(1);
        assertEquals(START + 100_000_000, intended);
        assertEquals(true, clock.get() >= intended, "returned only once the clock reached the intended time");
    }

    @Test
    void shouldNeverReportNegativeLatency()
    {
        assertEquals(0, Schedule.latencyNanos(START, START - 5));
    }
}
