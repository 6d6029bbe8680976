package io.agentflow.bus.runtime;

import io.agentflow.codec.UlidGenerator;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    private static byte[] ascii(final String id)
    {
        return id.getBytes(StandardCharsets.US_ASCII);
    }

    /** Against a model (an insertion-ordered set trimmed to the window) over many ids, claims, repeats and failures. */
    @Test
    void remembersExactlyTheLastCapacityIdsClaimed()
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
                // an id placed at an offset inside a larger buffer, as in an envelope
                final byte[] buffer = ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.US_ASCII);
                final boolean expected = !model.contains(id);
                assertEquals(expected, ids.addIfAbsent(buffer, 7), "seed " + seed + " capacity " + capacity + " " + i);
                if (expected)
                {
                    model.add(id);
                    if (model.size() > capacity)
                    {
                        model.remove(model.iterator().next());
                    }
                }
                assertFalse(ids.addIfAbsent(buffer, 7), "just claimed");
            }
        }
    }

    /** The Message path asks by the id String and remembers after handling: the same window as the claims. */
    @Test
    void idsAskedAndAddedAsStringsShareTheWindowWithClaimedBytes()
    {
        final RecentUlids ids = new RecentUlids(3);
        final UlidGenerator generator = new UlidGenerator();
        final List<String> handled = List.of(generator.next(), generator.next(), generator.next(), generator.next());
        assertFalse(ids.contains(handled.get(0)));
        for (final String id : handled)
        {
            ids.add(id);
            ids.add(id);   // a second add of a remembered id changes nothing
        }
        assertFalse(ids.contains(handled.get(0)), "forgotten: the window holds three");
        assertTrue(ids.contains(handled.get(1)) && ids.contains(handled.get(2)) && ids.contains(handled.get(3)));
        assertFalse(ids.addIfAbsent(ascii(handled.get(3)), 0), "the bytes of a String-added id are a duplicate");
        final String claimed = generator.next();
        assertTrue(ids.addIfAbsent(ascii(claimed), 0));
        assertTrue(ids.contains(claimed));
        assertFalse(ids.contains(handled.get(1)), "the claim pushed the oldest out");
    }

    @Test
    void aForgottenIdIsNewAgainAndOthersStay()
    {
        final RecentUlids ids = new RecentUlids(8);
        final UlidGenerator generator = new UlidGenerator();
        final byte[] failed = ascii(generator.next());
        final byte[] other = ascii(generator.next());
        assertTrue(ids.addIfAbsent(failed, 0));
        assertTrue(ids.addIfAbsent(other, 0));
        ids.forget(failed, 0);
        assertFalse(ids.addIfAbsent(other, 0));
        assertTrue(ids.addIfAbsent(failed, 0), "a redelivery after a failure is handled");
        assertFalse(ids.addIfAbsent(failed, 0));
    }

    @Test
    void theUlidWhoseValueIsZeroIsRememberedAndForgottenLikeAnyOther()
    {
        final RecentUlids ids = new RecentUlids(2);
        final byte[] zero = ascii("00000000000000000000000000");
        final UlidGenerator generator = new UlidGenerator();
        assertTrue(ids.addIfAbsent(zero, 0));
        assertFalse(ids.addIfAbsent(zero, 0));
        ids.addIfAbsent(ascii(generator.next()), 0);
        ids.addIfAbsent(ascii(generator.next()), 0);
        assertTrue(ids.addIfAbsent(zero, 0), "pushed out of the window");
    }

    @Test
    void aZeroWindowRemembersNothing()
    {
        final RecentUlids ids = new RecentUlids(0);
        final byte[] id = ascii(new UlidGenerator().next());
        assertTrue(ids.addIfAbsent(id, 0));
        assertTrue(ids.addIfAbsent(id, 0));
    }
}
