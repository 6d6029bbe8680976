package io.agentflow.bus;

import io.agentflow.codec.UlidGenerator;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class RecentUlidsTest
{
    @Test
    void aUlidIsItsOneHundredTwentyEightBitValue()
    {
        final String max = "7ZZZZZZZZZZZZZZZZZZZZZZZZZ";
        assertEquals(-1L, RecentUlids.value(max)[0]);
        assertEquals(-1L, RecentUlids.value(max)[1]);
        final String id = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
        final String crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        BigInteger expected = BigInteger.ZERO;
        for (final char c : id.toCharArray())
        {
            expected = expected.shiftLeft(5).add(BigInteger.valueOf(crockford.indexOf(c)));
        }
        assertEquals(expected.shiftRight(64).longValue(), RecentUlids.value(id)[0]);
        assertEquals(expected.longValue(), RecentUlids.value(id)[1]);
    }

    /** Against a model (an insertion-ordered set trimmed to the window) over many ids, adds and repeats. */
    @Test
    void remembersExactlyTheLastCapacityIdsAdded()
    {
        final Random random = new Random();
        final long seed = random.nextLong();
        random.setSeed(seed);
        for (final int capacity : new int[]{1, 2, 7, 64, 1000})
        {
            final RecentUlids ids = new RecentUlids(capacity);
            final LinkedHashSet<String> model = new LinkedHashSet<>();
            final List<String> seen = new ArrayList<>();
            final UlidGenerator generator = new UlidGenerator();
            for (int i = 0; i < 20_000; i++)
            {
                final String id = seen.isEmpty() || random.nextInt(3) > 0 ? generator.next()
                    : seen.get(random.nextInt(seen.size()));
                seen.add(id);
                assertEquals(model.contains(id), ids.contains(id), "seed " + seed + " capacity " + capacity + " " + i);
                if (random.nextBoolean())
                {
                    if (!model.contains(id))
                    {
                        model.add(id);
                        if (model.size() > capacity)
                        {
                            model.remove(model.iterator().next());
                        }
                    }
                    ids.add(id);
                }
            }
        }
    }

    @Test
    void theUlidWhoseValueIsZeroIsRememberedAndForgottenLikeAnyOther()
    {
        final RecentUlids ids = new RecentUlids(2);
        final String zero = "00000000000000000000000000";
        final UlidGenerator generator = new UlidGenerator();
        ids.add(zero);
        assertEquals(true, ids.contains(zero));
        ids.add(generator.next());
        ids.add(generator.next());
        assertFalse(ids.contains(zero));
    }

    @Test
    void aZeroWindowRemembersNothing()
    {
        final RecentUlids ids = new RecentUlids(0);
        final String id = new UlidGenerator().next();
        ids.add(id);
        assertFalse(ids.contains(id));
    }
}
