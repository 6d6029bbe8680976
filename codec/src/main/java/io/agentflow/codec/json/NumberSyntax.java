package io.agentflow.codec.json;

/**
 * The RFC 8259 number grammar: {@code -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?}.
 */
final class NumberSyntax
{
    private NumberSyntax()
    {
    }

    /**
     * @return the end of the number literal starting at {@code i}, or minus the offset of the first bad byte.
     */
    static int scan(final byte[] b, final int start, final int end)
    {
        int i = start;
        if (i < end && '-' == b[i])
        {
            i++;
        }
        if (i >= end)
        {
            return -i;
        }
        if ('0' == b[i])
        {
            i++;
        }
        else if (b[i] >= '1' && b[i] <= '9')
        {
            i = digits(b, i, end);
        }
        else
        {
            return -i;
        }
        if (i < end && '.' == b[i])
        {
            i++;
            if (i >= end || !isDigit(b[i]))
            {
                return -i;
            }
            i = digits(b, i, end);
        }
        if (i < end && ('e' == b[i] || 'E' == b[i]))
        {
            i++;
            if (i < end && ('+' == b[i] || '-' == b[i]))
            {
                i++;
            }
            if (i >= end || !isDigit(b[i]))
            {
                return -i;
            }
            i = digits(b, i, end);
        }
        return i;
    }

    /** @return whether the literal (already scanned) has neither fraction nor exponent. */
    static boolean isIntegerLiteral(final byte[] b, final int start, final int end)
    {
        for (int i = start; i < end; i++)
        {
            final byte c = b[i];
            if ('.' == c || 'e' == c || 'E' == c)
            {
                return false;
            }
        }
        return true;
    }

    private static int digits(final byte[] b, final int start, final int end)
    {
        int i = start;
        while (i < end && isDigit(b[i]))
        {
            i++;
        }
        return i;
    }

    private static boolean isDigit(final byte c)
    {
        return c >= '0' && c <= '9';
    }
}
