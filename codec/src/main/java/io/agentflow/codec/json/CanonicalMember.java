package io.agentflow.codec.json;

import java.util.Arrays;

/**
 * Finds one top-level member of a canonical JSON object by walking over the others without reading them: no tree,
 * no map, no strings made. Only for bytes already validated as canonical (a {@code Json}'s): it trusts their
 * syntax, which is what lets it skip a value by its brackets and quotes alone.
 */
public final class CanonicalMember
{
    private CanonicalMember()
    {
    }

    /**
     * @param json canonical JSON bytes.
     * @param name the member's name as its canonical string content (a name with no escape in it).
     * @return the offset of the member's value in {@code json}, or -1 when {@code json} is not an object or has no
     * such member.
     */
    public static int valueOffset(final byte[] json, final byte[] name)
    {
        if (0 == json.length || '{' != json[0])
        {
            return -1;
        }
        int pos = 1;
        while ('"' == json[pos])
        {
            final int nameEnd = skipString(json, pos);   // one past the closing quote
            final boolean match = Arrays.equals(json, pos + 1, nameEnd - 1, name, 0, name.length);
            pos = nameEnd + 1;   // past ':'
            if (match)
            {
                return pos;
            }
            pos = skipValue(json, pos);
            if (',' != json[pos])
            {
                return -1;   // '}'
            }
            pos++;
        }
        return -1;
    }

    /** @return the offset just past the canonical value starting at {@code pos}. */
    public static int skipValue(final byte[] json, final int pos)
    {
        final byte c = json[pos];
        if ('"' == c)
        {
            return skipString(json, pos);
        }
        if ('{' == c || '[' == c)
        {
            int depth = 0;
            int i = pos;
            do
            {
                final byte b = json[i];
                if ('"' == b)
                {
                    i = skipString(json, i);
                    continue;
                }
                if ('{' == b || '[' == b)
                {
                    depth++;
                }
                else if ('}' == b || ']' == b)
                {
                    depth--;
                }
                i++;
            }
            while (depth > 0);
            return i;
        }
        int i = pos;   // a number or a literal: up to the next structural character
        while (i < json.length && ',' != json[i] && '}' != json[i] && ']' != json[i])
        {
            i++;
        }
        return i;
    }

    /** @return the offset just past the string whose opening quote is at {@code pos}. */
    private static int skipString(final byte[] json, final int pos)
    {
        int i = pos + 1;
        while ('"' != json[i])
        {
            i += '\\' == json[i] ? 2 : 1;
        }
        return i + 1;
    }
}
