package io.agentflow.codec;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.JcsNumbers;

import java.util.List;
import java.util.Map;

/**
 * The decoder's typing of member values read from a tree or from canonical bytes: strings and the cost object, with
 * the {@code schema_error} or {@code validation_error} that names the member when a value has the wrong kind or
 * range. Static and thread-safe.
 */
final class TypedMembers
{
    private TypedMembers()
    {
    }

    static String string(final Object value, final String member)
    {
        if (value instanceof String)
        {
            return (String)value;
        }
        throw MessageError.atPath(ErrorCode.SCHEMA_ERROR, "$." + member, "must be a string, got " + kind(value));
    }

    static CostInfo cost(final Object value)
    {
        if (value instanceof CostInfo)
        {
            return (CostInfo)value;
        }
        if (!(value instanceof Map))
        {
            throw MessageError.atPath(ErrorCode.SCHEMA_ERROR, "$.cost", "must be an object, got " + kind(value));
        }
        final Map<?, ?> cost = (Map<?, ?>)value;
        for (final Object name : cost.keySet())
        {
            if (!"dollars".equals(name) && !"tokens".equals(name))
            {
                throw MessageError.atPath(ErrorCode.SCHEMA_ERROR, "$.cost." + name, "unknown member");
            }
        }
        final Object dollars = cost.get("dollars");
        final Object tokens = cost.get("tokens");
        if (!(dollars instanceof Number))
        {
            throw MessageError.atPath(ErrorCode.SCHEMA_ERROR, "$.cost.dollars", "must be a number, got " + kind(dollars));
        }
        if (!(tokens instanceof Number))
        {
            throw MessageError.atPath(ErrorCode.SCHEMA_ERROR, "$.cost.tokens", "must be a number, got " + kind(tokens));
        }
        return cost(((Number)dollars).doubleValue(), ((Number)tokens).doubleValue());   // longs here are <= 2^53
    }

    static CostInfo cost(final double dollars, final double tokens)
    {
        if (tokens != Math.rint(tokens))
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, "$.cost.tokens", "must be an integer, got " + tokens);
        }
        if (tokens > JcsNumbers.MAX_SAFE_INTEGER)
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, "$.cost.tokens", "must be an integer in 0..2^53-1, got "
                + tokens);
        }
        return new CostInfo(dollars, (long)tokens);
    }

    /** @return the JSON kind of a tree value, for errors. */
    static String kind(final Object value)
    {
        if (null == value)
        {
            return "null";
        }
        if (value instanceof Map)
        {
            return "object";
        }
        if (value instanceof List)
        {
            return "array";
        }
        if (value instanceof Number)
        {
            return "number";
        }
        return value instanceof Boolean ? "boolean" : "string";
    }
}
