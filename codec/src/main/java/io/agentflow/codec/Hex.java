package io.agentflow.codec;

/**
 * Lowercase hex without garbage: digests and ids are written straight into caller buffers.
 */
final class Hex
{
    private static final byte[] DIGITS = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

    private Hex()
    {
    }

    static void encode(final byte[] src, final int srcOffset, final int count, final byte[] dst, final int dstOffset)
    {
        for (int i = 0; i < count; i++)
        {
            final int v = src[srcOffset + i] & 0xFF;
            dst[dstOffset + (i << 1)] = DIGITS[v >>> 4];
            dst[dstOffset + (i << 1) + 1] = DIGITS[v & 0xF];
        }
    }

    /** @return whether {@code hex[offset, offset + 2 * count)} is the lowercase hex of {@code bytes[0, count)}. */
    static boolean equals(final byte[] bytes, final int count, final byte[] hex, final int offset)
    {
        int diff = 0;
        for (int i = 0; i < count; i++)
        {
            final int v = bytes[i] & 0xFF;
            diff |= DIGITS[v >>> 4] ^ hex[offset + (i << 1)];
            diff |= DIGITS[v & 0xF] ^ hex[offset + (i << 1) + 1];
        }
        return 0 == diff;
    }

    static boolean isLowerHex(final CharSequence s, final int length)
    {
        if (s.length() != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            final char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f'))
            {
                return false;
            }
        }
        return true;
    }

    static boolean isAllZeros(final CharSequence s)
    {
        for (int i = 0; i < s.length(); i++)
        {
            if ('0' != s.charAt(i))
            {
                return false;
            }
        }
        return true;
    }
}
