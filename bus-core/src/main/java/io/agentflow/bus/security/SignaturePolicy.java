package io.agentflow.bus.security;

import io.agentflow.bus.wire.SubjectPattern;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which subjects need signed envelopes: {@code AF_BUS_SIGNATURE_POLICY} is a comma-separated list of
 * {@code pattern=mode}, first match wins, where a pattern is a subject with NATS wildcards ({@code agents.*.in},
 * {@code system.>}, {@code >} for the rest) and a mode one of {@code none}, {@code verify-if-present},
 * {@code require}. Subjects no entry matches get {@code none}. Example:
 * {@code system.control=require,agents.*.in=require,>=verify-if-present}.
 */
public final class SignaturePolicy
{
    /** What a receiver does about signatures on a subject. */
    public enum Mode
    {
        /** Signatures are ignored. */
        NONE,
        /** An unsigned message passes; a signed one must verify with a trusted key. */
        VERIFY_IF_PRESENT,
        /** Every message must carry a valid signature by a trusted key. */
        REQUIRE
    }

    public static final SignaturePolicy NONE = new SignaturePolicy(List.of());

    private record Rule(SubjectPattern pattern, Mode mode)
    {
    }

    private final List<Rule> rules;
    private final boolean none;   // checked per received message: computed once

    private SignaturePolicy(final List<Rule> rules)
    {
        this.rules = List.copyOf(rules);
        this.none = rules.stream().allMatch(r -> Mode.NONE == r.mode());
    }

    public static SignaturePolicy parse(final String spec)
    {
        if (null == spec || spec.isBlank())
        {
            return NONE;
        }
        final List<Rule> rules = new ArrayList<>();
        for (final String entry : spec.split(","))
        {
            final String[] kv = entry.trim().split("=", 2);
            if (2 != kv.length || kv[0].isBlank())
            {
                throw invalid(spec, "'" + entry.trim() + "' is not pattern=mode");
            }
            final Mode mode;
            try
            {
                mode = Mode.valueOf(kv[1].trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            }
            catch (final IllegalArgumentException ex)
            {
                throw invalid(spec, "mode '" + kv[1].trim() + "' is not none, verify-if-present or require");
            }
            rules.add(new Rule(new SubjectPattern(kv[0].trim()), mode));
        }
        return new SignaturePolicy(rules);
    }

    public Mode modeFor(final String subject)
    {
        for (final Rule rule : rules)
        {
            if (rule.pattern().matches(subject))
            {
                return rule.mode();
            }
        }
        return Mode.NONE;
    }

    public boolean isNone()
    {
        return none;
    }

    private static MessageError invalid(final String spec, final String why)
    {
        return MessageError.atPath(ErrorCode.VALIDATION_ERROR, Signatures.POLICY_ENV, why + " in: " + spec);
    }
}
