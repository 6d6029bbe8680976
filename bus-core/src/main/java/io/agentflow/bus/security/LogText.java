package io.agentflow.bus.security;

/**
 * Text from messages made safe for a log line: a value an agent chose ({@code to}, {@code metadata.workflow_id}, an
 * id that failed validation, a subject, an error's detail) must not be able to end the line and forge the next one in
 * a text log, nor reorder what a reader sees with bidirectional controls. Control characters (C0, DEL, C1), the line
 * and paragraph separators and the bidi embeddings, overrides, isolates and marks are written as a backslash,
 * {@code u} and four hex digits; longer texts are cut. Clean text, the usual case on every delivery, is returned as it is, allocating nothing.
 */
public final class LogText
{
    static final int MAX_LENGTH = 256;

    private LogText()
    {
    }

    /** @return {@code text} escaped and bounded as above, for a log line; {@code null} stays {@code null}. */
    public static String safe(final String text)
    {
        return escaped(text, MAX_LENGTH);
    }

    /** @return {@code text} escaped as above but not cut: one line of output (the command line's answers). */
    public static String escape(final String text)
    {
        return escaped(text, Integer.MAX_VALUE);
    }

    private static String escaped(final String text, final int maxLength)
    {
        if (null == text)
        {
            return null;
        }
        int i = 0;
        while (i < text.length() && !unsafe(text.charAt(i)))
        {
            i++;
        }
        if (i == text.length() && text.length() <= maxLength)
        {
            return text;
        }
        final StringBuilder sb = new StringBuilder(Math.min(text.length(), maxLength) + 16);
        sb.append(text, 0, Math.min(i, maxLength));
        for (; i < text.length() && sb.length() < maxLength; i++)
        {
            final char c = text.charAt(i);
            if (unsafe(c))
            {
                sb.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        if (i < text.length())
        {
            sb.append("... (").append(text.length()).append(" chars)");
        }
        return sb.toString();
    }

    private static boolean unsafe(final char c)
    {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F)
            || c == 0x061C   // Arabic letter mark
            || c == 0x200E || c == 0x200F   // LRM, RLM
            || (c >= 0x2028 && c <= 0x202E)   // line and paragraph separators, LRE RLE PDF LRO RLO
            || (c >= 0x2066 && c <= 0x2069);   // LRI RLI FSI PDI
    }
}
