package io.agentflow.bus.wire;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubjectPatternTest
{
    @Test
    void wildcardsMatchAsNatsDoes()
    {
        assertTrue(new SubjectPattern("agents.*.in").matches("agents.a-1.in"));
        assertFalse(new SubjectPattern("agents.*.in").matches("agents.a-1.out"));
        assertFalse(new SubjectPattern("agents.*.in").matches("agents.a.b.in"));
        assertFalse(new SubjectPattern("agents.*").matches("agents"));
        assertTrue(new SubjectPattern("workflows.>").matches("workflows.w.in"));
        assertFalse(new SubjectPattern("workflows.>").matches("workflows"));
        assertTrue(new SubjectPattern("tools.calls").matches("tools.calls"));
        assertFalse(new SubjectPattern("tools.calls").matches("tools.callsx"));
        assertFalse(new SubjectPattern("tools.calls").matches("tools.call"));
    }

    /** Against the plain definition (split both on '.', compare token by token) over random short subjects. */
    @Test
    void agreesWithSplittingOnRandomSubjects()
    {
        final Random random = new Random();
        final long seed = random.nextLong();
        random.setSeed(seed);
        final String[] alphabet = {"a", "b", "ab", "", "*", ">"};
        for (int n = 0; n < 200_000; n++)
        {
            final String pattern = join(random, alphabet, 1 + random.nextInt(4));
            final String subject = join(random, new String[]{"a", "b", "ab", ""}, 1 + random.nextInt(5));
            assertEquals(bySplitting(pattern, subject), new SubjectPattern(pattern).matches(subject),
                "seed " + seed + ": " + pattern + " ~ " + subject);
        }
    }

    private static String join(final Random random, final String[] alphabet, final int tokens)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < tokens; i++)
        {
            sb.append(0 == i ? "" : ".").append(alphabet[random.nextInt(alphabet.length)]);
        }
        return sb.toString();
    }

    private static boolean bySplitting(final String pattern, final String subject)
    {
        final String[] tokens = pattern.split("\\.", -1);
        final String[] parts = subject.split("\\.", -1);
        for (int i = 0; i < tokens.length; i++)
        {
            if (">".equals(tokens[i]))
            {
                return i == tokens.length - 1 && parts.length > i;
            }
            if (i >= parts.length || !("*".equals(tokens[i]) || tokens[i].equals(parts[i])))
            {
                return false;
            }
        }
        return parts.length == tokens.length;
    }
}
