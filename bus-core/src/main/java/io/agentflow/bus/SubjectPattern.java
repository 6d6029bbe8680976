package io.agentflow.bus;

/**
 * NATS subject matching: {@code *} matches one token, {@code >} (last) one or more. Immutable, thread-safe.
 */
final class SubjectPattern
{
    private final String[] tokens;

    SubjectPattern(final String pattern)
    {
        this.tokens = pattern.split("\\.", -1);
    }

    boolean matches(final String subject)
    {
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
