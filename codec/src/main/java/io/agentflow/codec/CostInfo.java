package io.agentflow.codec;

/**
 * What a message cost to produce: {@code {"dollars": number >= 0, "tokens": integer >= 0}}.
 * Tokens are bounded by 2^53 - 1 so that every receiver reads the same integer from the JSON number.
 */
public record CostInfo(double dollars, long tokens)
{
    public static final CostInfo ZERO = new CostInfo(0, 0);

    public CostInfo
    {
        ContractRules.checkCost(dollars, tokens);
        if (0.0 == dollars)
        {
            dollars = 0.0;   // -0.0 and 0.0 are the same JSON number; keep one so equals() agrees with the wire
        }
    }
}
