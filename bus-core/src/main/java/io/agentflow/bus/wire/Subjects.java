package io.agentflow.bus.wire;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

/**
 * The subject taxonomy, with every id that becomes a subject token validated first: a wildcard or separator
 * smuggled into an id ({@code "*"}, {@code ">"}, {@code "."}) would widen a subscription or a permission.
 * <pre>
 *   workflows.&lt;workflow_id&gt;.in | .out    agents.&lt;agent_id&gt;.in | .out
 *   tools.calls   tools.audit             system.control   system.health
 * </pre>
 * Thread-safe (stateless).
 */
public final class Subjects
{
    /** Longest id accepted as a token. NATS has no hard limit; short subjects keep the server's index small. */
    public static final int MAX_TOKEN_LENGTH = 128;

    public static final String TOOLS_CALLS = "tools.calls";
    public static final String TOOLS_AUDIT = "tools.audit";
    public static final String SYSTEM_CONTROL = "system.control";
    public static final String SYSTEM_HEALTH = "system.health";

    /** Where messages that fail verification or exhaust their deliveries are kept: {@code quarantine.<reason>}. */
    public static final String QUARANTINE_PREFIX = "quarantine.";

    private Subjects()
    {
    }

    public static String workflowIn(final String workflowId)
    {
        return "workflows." + token(workflowId, "workflow_id") + ".in";
    }

    public static String workflowOut(final String workflowId)
    {
        return "workflows." + token(workflowId, "workflow_id") + ".out";
    }

    public static String agentIn(final String agentId)
    {
        return "agents." + token(agentId, "agent_id") + ".in";
    }

    public static String agentOut(final String agentId)
    {
        return "agents." + token(agentId, "agent_id") + ".out";
    }

    /** @return the filter matching both directions of one workflow: {@code workflows.<id>.*}. */
    public static String workflowAll(final String workflowId)
    {
        return "workflows." + token(workflowId, "workflow_id") + ".*";
    }

    /** @return where the workflow index keeps the stream sequences of a workflow's messages on agent subjects. */
    public static String workflowIndex(final String workflowId)
    {
        return "index.workflows." + token(workflowId, "workflow_id");
    }

    /** @return whether {@code subject} is an agent subject ({@code agents.<id>.in|out}), the index's input. */
    public static boolean isAgentSubject(final String subject)
    {
        return subject.startsWith("agents.");
    }

    public static String quarantine(final String reason)
    {
        return QUARANTINE_PREFIX + token(reason, "reason");
    }

    /** @return where {@code consumer} writes its quarantine records for {@code reason} over NATS. */
    public static String quarantine(final String reason, final String consumer)
    {
        return quarantine(reason) + "." + token(consumer, "consumer");
    }

    /**
     * @return {@code id} when it is safe as one subject token: 1 to {@link #MAX_TOKEN_LENGTH} characters, none of
     * them {@code .}, {@code *}, {@code >}, whitespace or a control character.
     * @throws MessageError {@code validation_error} naming the offending character and its index.
     */
    public static String token(final String id, final String what)
    {
        if (null == id)
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, what, "must not be empty");
        }
        checkToken(id, 0, id.length(), what);
        return id;
    }

    /** Checks {@code s[start, end)} as one token, in place: no substring per check on the publish path. */
    private static void checkToken(final String s, final int start, final int end, final String what)
    {
        final int length = end - start;
        if (0 == length)
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, what, "must not be empty");
        }
        if (length > MAX_TOKEN_LENGTH)
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, what,
                "too long for a subject token: length=" + length + ", max=" + MAX_TOKEN_LENGTH);
        }
        for (int i = start; i < end; i++)
        {
            final char c = s.charAt(i);
            if ('.' == c || '*' == c || '>' == c || Character.isWhitespace(c) || Character.isSpaceChar(c)
                || Character.isISOControl(c) || Character.isSurrogate(c))
            {
                throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, what, String.format(
                    "not allowed in a subject token: U+%04X at index %d of \"%s\"", (int)c, i - start,
                    printable(s.substring(start, end))));
            }
        }
    }

    /**
     * Checks a subject to publish to: dot-separated non-empty tokens without wildcards, whitespace or controls.
     *
     * @throws MessageError {@code validation_error}.
     */
    public static String checkPublishSubject(final String subject)
    {
        if (null == subject || subject.isEmpty() || subject.length() > 1024)
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, "subject", "must be 1 to 1024 characters");
        }
        int tokenStart = 0;
        for (int i = 0; i <= subject.length(); i++)
        {
            if (i == subject.length() || '.' == subject.charAt(i))
            {
                checkToken(subject, tokenStart, i, "subject");
                tokenStart = i + 1;
            }
        }
        return subject;
    }

    /**
     * @return the pattern of {@code subject} for metric labels ({@code agents.*.in}), never a raw id, so label
     * values stay bounded.
     */
    public static String pattern(final String subject)
    {
        if (subject.startsWith("agents."))
        {
            return subject.endsWith(".in") ? "agents.*.in" : subject.endsWith(".out") ? "agents.*.out" : "agents.other";
        }
        if (subject.startsWith("workflows."))
        {
            return subject.endsWith(".in") ? "workflows.*.in" : subject.endsWith(".out") ? "workflows.*.out"
                : "workflows.other";
        }
        switch (subject)
        {
            case TOOLS_CALLS:
            case TOOLS_AUDIT:
            case SYSTEM_CONTROL:
            case SYSTEM_HEALTH:
                return subject;
            default:
                return subject.startsWith(QUARANTINE_PREFIX) ? "quarantine.*" : "other";
        }
    }

    /**
     * @return where the id token of an {@code agents.<id>.*} or {@code workflows.<id>.*} subject starts (it ends at
     * the next {@code .}), else -1. An index, so the per-message ordering key needs no substring.
     */
    public static int idTokenStart(final String subject)
    {
        final int start = subject.startsWith("agents.") ? 7 : subject.startsWith("workflows.") ? 10 : -1;
        return start >= 0 && subject.indexOf('.', start) > start ? start : -1;
    }

    private static String printable(final String id)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(id.length(), 40); i++)
        {
            final char c = id.charAt(i);
            sb.append(c < 0x20 || c == 0x7F ? String.format("\\u%04x", (int)c) : String.valueOf(c));
        }
        return id.length() > 40 ? sb + "..." : sb.toString();
    }
}
