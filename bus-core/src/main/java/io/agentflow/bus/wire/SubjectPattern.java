package io.agentflow.bus.wire;

/**
 * NATS subject matching: {@code *} matches one token, {@code >} (last) one or more. Matching walks the subject in
 * place, token by token, without splitting it: it runs for every stored message a reader looks at. Immutable,
 * thread-safe.
 */
public final class SubjectPattern
{
    private final String[] tokens;

    public SubjectPattern(final String pattern)
    {
        this.tokens = pattern.split("\\.", -1);
    }

    public boolean matches(final String subject)
    {
        int start = 0;
        for (int i = 0; i < tokens.length; i++)
        {
            if (start > subject.length())
            {
                return false;   // the subject has fewer tokens than the pattern
            }
            final String token = tokens[i];
            if (">".equals(token))
            {
                return i == tokens.length - 1;   // and the subject has a token here (checked above)
            }
            int end = subject.indexOf('.', start);
            if (end < 0)
            {
                end = subject.length();
            }
            if (!"*".equals(token)
                && !(token.length() == end - start && subject.regionMatches(start, token, 0, token.length())))
            {
                return false;
            }
            start = end + 1;
        }
        return start == subject.length() + 1;   // every token of the subject was consumed
    }
}
