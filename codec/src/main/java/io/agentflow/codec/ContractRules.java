package io.agentflow.codec;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.JcsNumbers;

/**
 * The contract's rules for single members, written once: {@link Message} and {@link CostInfo} check them when built,
 * the publish pipeline's pooled events when committed, and {@link EnvelopeDecoder#verifyInPlace} on received bytes
 * (through the predicates, which allocate nothing). The checks throw a {@link MessageError} naming the member.
 */
public final class ContractRules
{
    private ContractRules()
    {
    }

    /** @return whether {@code traceId} and {@code spanId} are both empty, or 32 and 16 lowercase hex, not all zeros. */
    public static boolean isTrace(final CharSequence traceId, final CharSequence spanId)
    {
        return 0 == traceId.length() ? 0 == spanId.length() : isHexId(traceId, 32) && isHexId(spanId, 16);
    }

    /** @return whether the cost is a finite {@code dollars >= 0} and an integer {@code tokens} in 0..2^53-1. */
    public static boolean isCost(final double dollars, final double tokens)
    {
        return dollars >= 0 && !Double.isInfinite(dollars) && tokens >= 0 && tokens == Math.rint(tokens)
            && tokens <= JcsNumbers.MAX_SAFE_INTEGER;
    }

    /** @throws MessageError ({@code validation_error}) unless {@link #isTrace} holds, naming the member at fault. */
    public static void checkTrace(final String traceId, final String spanId)
    {
        if (!traceId.isEmpty() && !isHexId(traceId, 32))
        {
            throw invalid("$.trace_id", "expected 32 lowercase hex digits, not all zero, or \"\", got \"" + traceId
                + "\"");
        }
        if (traceId.isEmpty() ? !spanId.isEmpty() : !isHexId(spanId, 16))
        {
            throw invalid("$.span_id", traceId.isEmpty()
                ? "must be \"\" when trace_id is \"\", got \"" + spanId + "\""
                : "expected 16 lowercase hex digits, not all zero, got \"" + spanId + "\"");
        }
    }

    /** @throws MessageError ({@code validation_error}) for negative, infinite or NaN dollars, tokens out of range. */
    public static void checkCost(final double dollars, final long tokens)
    {
        if (!(dollars >= 0) || Double.isInfinite(dollars))
        {
            throw invalid("$.cost.dollars", "must be a finite number >= 0, got " + dollars);
        }
        if (tokens < 0 || tokens > JcsNumbers.MAX_SAFE_INTEGER)
        {
            throw invalid("$.cost.tokens", "must be an integer in 0..2^53-1, got " + tokens);
        }
    }

    /** @throws MessageError ({@code validation_error}) when {@code from} or {@code to} is empty. */
    public static void checkParty(final String path, final String party)
    {
        if (party.isEmpty())
        {
            throw invalid(path, "must not be empty");
        }
    }

    /**
     * The contract's member rules for what a publisher filled in, as cheaply as they can be checked: every member
     * present, non-empty {@code from} and {@code to}, the trace ids, the cost. The metadata's shape is checked by the
     * encoder as it writes it.
     *
     * @throws MessageError ({@code validation_error} or {@code schema_error}) naming the member.
     */
    public static void checkFilled(final EnvelopeFields f)
    {
        required(f.from(), "$.from");
        required(f.to(), "$.to");
        required(f.type(), "$.type");
        required(f.payload(), "$.payload");
        required(f.metadata(), "$.metadata");
        required(f.traceId(), "$.trace_id");
        required(f.spanId(), "$.span_id");
        checkParty("$.from", f.from());
        checkParty("$.to", f.to());
        checkTrace(f.traceId(), f.spanId());
        checkCost(f.costDollars(), f.costTokens());
    }

    private static void required(final Object value, final String path)
    {
        if (null == value)
        {
            throw MessageError.atPath(ErrorCode.SCHEMA_ERROR, path, "is required");
        }
    }

    private static boolean isHexId(final CharSequence s, final int length)
    {
        return Hex.isLowerHex(s, length) && !Hex.isAllZeros(s);
    }

    private static MessageError invalid(final String path, final String detail)
    {
        return MessageError.atPath(ErrorCode.VALIDATION_ERROR, path, detail);
    }
}
