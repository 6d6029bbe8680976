package io.agentflow.bus.security;

import io.agentflow.bus.wire.SubjectPattern;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.util.List;

/**
 * Whom a trusted key may speak for: the agents it may sign as (the envelope's {@code from}; {@code *} for any) and the
 * subjects it may sign for (NATS patterns). Without it a key that one agent holds could sign as every agent and onto
 * {@code system.control}. A key registered without a grant speaks for the agent named like the key, on any subject
 * ({@link #agent(String)}): one key per agent, named after it, needs no grant at all.
 *
 * Immutable, thread-safe.
 */
public final class KeyGrant
{
    private final List<String> agents;
    private final List<String> subjects;
    private final SubjectPattern[] patterns;

    /**
     * @param agents   agent ids, or {@code *}.
     * @param subjects subject patterns ({@code >} for any).
     */
    public KeyGrant(final List<String> agents, final List<String> subjects)
    {
        this.agents = List.copyOf(agents);
        this.subjects = List.copyOf(subjects);
        if (this.agents.isEmpty() || this.subjects.isEmpty())
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, "key grant", "needs at least one agent and one "
                + "subject pattern: " + agents + " " + subjects);
        }
        this.patterns = this.subjects.stream().map(SubjectPattern::new).toArray(SubjectPattern[]::new);
    }

    public List<String> agents()
    {
        return agents;
    }

    public List<String> subjects()
    {
        return subjects;
    }

    @Override
    public String toString()
    {
        return "agents=" + String.join(",", agents) + " subjects=" + String.join(",", subjects);
    }

    /** @return the grant of a key that speaks for {@code agentId} alone, on any subject. */
    public static KeyGrant agent(final String agentId)
    {
        return new KeyGrant(List.of(agentId), List.of(">"));
    }

    /** @return whether a message from {@code from} on {@code subject} may carry this key's signature. */
    public boolean permits(final String from, final String subject)
    {
        if (!agents.contains("*") && !agents.contains(from))
        {
            return false;
        }
        for (final SubjectPattern pattern : patterns)
        {
            if (pattern.matches(subject))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads a grant file: {@code agents=a,b} and {@code subjects=p,q} lines ({@code #} starts a comment); a missing
     * line means the default (the key's own agent id, any subject).
     */
    public static KeyGrant parse(final String keyId, final String text)
    {
        List<String> agents = List.of(keyId);
        List<String> subjects = List.of(">");
        for (final String raw : text.split("\n"))
        {
            final String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final int eq = line.indexOf('=');
            final String name = eq < 0 ? line : line.substring(0, eq).strip();
            final List<String> values = eq < 0 ? List.of() : List.of(line.substring(eq + 1).split(",")).stream()
                .map(String::strip).filter(v -> !v.isEmpty()).toList();
            if ("agents".equals(name))
            {
                agents = values;
            }
            else if ("subjects".equals(name))
            {
                subjects = values;
            }
            else
            {
                throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, keyId + ".grant", "unknown line '" + line
                    + "': expected agents=... or subjects=...");
            }
        }
        return new KeyGrant(agents, subjects);
    }
}
