package io.agentflow.codec.json;

/**
 * Strict UTF-8 checks shared by the reader and the canonical scanner: no overlong forms, no encoded surrogates,
 * nothing above U+10FFFF (RFC 3629), which is what I-JSON requires.
 */
final class Utf8
{
    private Utf8()
    {
    }

    /**
     * @return the length (2 to 4) of the well-formed multi-byte sequence starting at {@code i}, whose lead byte is
     * {@code lead} (0x80 or above), or -1 when it is not well formed.
     */
    static int sequenceLength(final byte[] b, final int i, final int end, final int lead)
    {
        if (lead >= 0xC2 && lead <= 0xDF)
        {
            return i + 1 < end && isContinuation(b[i + 1]) ? 2 : -1;
        }
        if (lead >= 0xE0 && lead <= 0xEF)
        {
            if (i + 2 >= end)
            {
                return -1;
            }
            final int b1 = b[i + 1] & 0xFF;
            final boolean secondOk = 0xE0 == lead ? b1 >= 0xA0 && b1 <= 0xBF        // no overlong
                : 0xED == lead ? b1 >= 0x80 && b1 <= 0x9F                            // no surrogates
                : b1 >= 0x80 && b1 <= 0xBF;
            return secondOk && isContinuation(b[i + 2]) ? 3 : -1;
        }
        if (lead >= 0xF0 && lead <= 0xF4)
        {
            if (i + 3 >= end)
            {
                return -1;
            }
            final int b1 = b[i + 1] & 0xFF;
            final boolean secondOk = 0xF0 == lead ? b1 >= 0x90 && b1 <= 0xBF        // no overlong
                : 0xF4 == lead ? b1 >= 0x80 && b1 <= 0x8F                            // not above U+10FFFF
                : b1 >= 0x80 && b1 <= 0xBF;
            return secondOk && isContinuation(b[i + 2]) && isContinuation(b[i + 3]) ? 4 : -1;
        }
        return -1;
    }

    /** Decodes the code point of a sequence already checked by {@link #sequenceLength}. */
    static int codePoint(final byte[] b, final int i, final int length)
    {
        final int lead = b[i] & 0xFF;
        switch (length)
        {
            case 2:
                return (lead & 0x1F) << 6 | b[i + 1] & 0x3F;
            case 3:
                return (lead & 0x0F) << 12 | (b[i + 1] & 0x3F) << 6 | b[i + 2] & 0x3F;
            default:
                return (lead & 0x07) << 18 | (b[i + 1] & 0x3F) << 12 | (b[i + 2] & 0x3F) << 6 | b[i + 3] & 0x3F;
        }
    }

    private static boolean isContinuation(final byte b)
    {
        return (b & 0xC0) == 0x80;
    }
}
