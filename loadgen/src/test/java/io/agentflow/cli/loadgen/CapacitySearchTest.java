package io.agentflow.cli.loadgen;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The search's steps against a transport whose capacity is known (a rate holds when it is at most the capacity):
 * it must end with the capacity between the highest rate that held and the lowest that broke, those two within the
 * resolution, in a bounded number of probes. The end-to-end runs are in {@link LoadgenRunTest}.
 */
class CapacitySearchTest
{
    @ParameterizedTest(name = "capacity {0} from {1}, at most {2}")
    @CsvSource({"15300,10000,1000000", "9999,10000,1000000", "420000,10000,1000000", "1234,50000,1000000",
        "31,10000,1000000", "5000,1000,4000", "180000,20000,1000000"})
    void shouldBracketTheCapacityWithinTheResolution(final double capacity, final double start, final double max)
    {
        final List<Double> offered = new ArrayList<>();
        double held = 0;
        double broken = Double.POSITIVE_INFINITY;
        double rate = CapacitySearch.round(start);
        int halvings = 0;
        for (Double next = rate; null != next; next = CapacitySearch.next(held, broken, max, halvings))
        {
            if (0 == held && !offered.isEmpty())
            {
                halvings++;
            }
            rate = next;
            offered.add(rate);
            if (rate <= capacity)
            {
                held = Math.max(held, rate);
            }
            else
            {
                broken = Math.min(broken, rate);
            }
            assertTrue(offered.size() <= 14, "bounded: " + offered);
        }
        if (capacity >= max)
        {
            assertEquals(max, held, "capped: " + offered);
            assertTrue(Double.isInfinite(broken), offered.toString());
            return;
        }
        if (capacity < start / 64)
        {
            assertEquals(0.0, held, "nothing held down to 1/64 of the start: " + offered);
            return;
        }
        assertTrue(held <= capacity && broken > capacity, "bracketed: " + offered);
        assertTrue(broken <= held * 1.10 + CapacitySearch.round(held) / 100, "within 10%: " + offered);
    }

    @ParameterizedTest
    @CsvSource({"16250,16300", "15000,15000", "123456,123000", "12.5,12.5", "999.9,1000"})
    void shouldRoundToThreeSignificantDigits(final double rate, final double rounded)
    {
        assertEquals(rounded, CapacitySearch.round(rate), 1e-9);
    }

    @ParameterizedTest
    @CsvSource({"10000,10900,1000000,0", "0,20000,1000000,6", "1000000,Infinity,1000000,0"})
    void shouldStop(final double held, final double broken, final double max, final int halvings)
    {
        assertNull(CapacitySearch.next(held, broken, max, halvings));
    }

    @org.junit.jupiter.api.Test
    void shouldTakeTheMiddleValue()
    {
        assertEquals(15000.0, CapacitySearch.median(List.of(17500.0, 12500.0, 15000.0)));
        assertEquals(14000.0, CapacitySearch.median(List.of(12000.0, 16000.0)));
    }
}
