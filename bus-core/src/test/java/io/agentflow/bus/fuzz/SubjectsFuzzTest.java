package io.agentflow.bus.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.error.MessageError;

/**
 * Coverage-guided fuzzing of the subject builders and the publish-subject check. Only a {@link MessageError} may
 * come out; a subject they accept must have exactly the tokens intended, none empty and none with a wildcard,
 * whitespace or control character, whatever the id (otherwise an id could widen a subscription or reach another
 * agent's inbox).
 */
class SubjectsFuzzTest
{
    @FuzzTest(maxExecutions = 500_000)
    void buildersAndChecks(final FuzzedDataProvider data)
    {
        final int which = data.consumeInt(0, 5);
        final String input = data.consumeRemainingAsString();
        try
        {
            switch (which)
            {
                case 0 -> expectTokens(Subjects.agentIn(input), 3, input);
                case 1 -> expectTokens(Subjects.agentOut(input), 3, input);
                case 2 -> expectTokens(Subjects.workflowIn(input), 3, input);
                case 3 -> expectTokens(Subjects.workflowOut(input), 3, input);
                case 4 -> expectTokens(Subjects.quarantine(input), 2, input);
                default -> expectTokens(Subjects.checkPublishSubject(input), -1, input);
            }
        }
        catch (final MessageError expected)
        {
            // refused with validation_error
        }
    }

    private static void expectTokens(final String subject, final int tokens, final String input)
    {
        final String[] parts = subject.split("\\.", -1);
        if (tokens >= 0 && parts.length != tokens)
        {
            throw new IllegalStateException("id " + input + " made " + parts.length + " tokens: " + subject);
        }
        for (final String part : parts)
        {
            if (part.isEmpty() || part.contains("*") || part.contains(">") || part.chars().anyMatch(c ->
                Character.isWhitespace(c) || Character.isISOControl(c)))
            {
                throw new IllegalStateException("unsafe token in accepted subject: " + subject);
            }
        }
    }
}
