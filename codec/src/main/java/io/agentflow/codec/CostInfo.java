package io.agentflow.codec;

import io.agentflow.codec.json.JcsNumbers;

/**
 * What a message cost to produce: {@code {"dollars": number >= 0, "tokens": integer >= 0}}.
 * Tokens are bounded by 2^53 - 1 so that every receiver reads the same integer from the JSON number.
 */
public record CostInfo(double dollars, long tokens)
{
    public static final CostInfo ZERO = new CostInfo(0, 0);

    public CostInfo
    {
        if (!(dollars >= 0) || Double.isInfinite(dollars))
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, "$.cost.dollars", "must be a finite number >= 0, got "
                + dollars);
        }
        if (tokens < 0 || tokens > JcsNumbers.MAX_SAFE_INTEGER)
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, "$.cost.tokens", "must be an integer in 0..2^53-1, got "
                + tokens);
        }
        if (0.0 == dollars)
        {
            dollars = 0.0;   // -0.0 and 0.0 are the same JSON number; keep one so equals() agrees with the wire
        }
    }
}
