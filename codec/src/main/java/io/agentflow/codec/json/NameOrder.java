package io.agentflow.codec.json;

import java.util.Arrays;

/**
 * The order RFC 8785 sorts member names in: UTF-16 code units. For names of plain ASCII and other characters whose
 * UTF-8 order is their UTF-16 order, the bytes are compared in place; the rest are decoded into two reusable
 * buffers first. Not thread-safe: one per scanner.
 */
final class NameOrder
{
    private char[] unitsA = new char[64];
    private char[] unitsB = new char[64];

    /**
     * @return below 0, 0 or above 0 as the name at {@code [aStart, aEnd)} sorts before, equal to or after the one at
     * {@code [bStart, bEnd)} (both quoted, already scanned); "special" names (escapes, chars above U+E000) are
     * compared as UTF-16 code units.
     */
    int compare(final byte[] b, final int aStart, final int aEnd, final boolean aSpecial, final int bStart,
        final int bEnd, final boolean bSpecial)
    {
        if (!aSpecial && !bSpecial)
        {
            // no escapes, no chars above U+E000: byte order is UTF-16 order. Names are short, so a plain loop
            // beats the vectorized mismatch's set-up cost.
            final byte[] a = b;
            final int aLength = aEnd - aStart;
            final int bLength = bEnd - bStart;
            final int n = Math.min(aLength, bLength) - 1;   // the closing quotes differ from any content byte
            for (int k = 1; k < n; k++)
            {
                final int diff = (a[aStart + k] & 0xFF) - (a[bStart + k] & 0xFF);
                if (0 != diff)
                {
                    return diff;
                }
            }
            return aLength - bLength;
        }
        final int na = decodeUnits(b, aStart + 1, aEnd - 1, true);
        final int nb = decodeUnits(b, bStart + 1, bEnd - 1, false);
        return Arrays.compare(unitsA, 0, na, unitsB, 0, nb);
    }

    /** Decodes an already scanned canonical string body into UTF-16 code units. */
    private int decodeUnits(final byte[] b, final int start, final int stop, final boolean intoA)
    {
        char[] units = intoA ? unitsA : unitsB;
        if (units.length < stop - start)
        {
            units = new char[Math.max(stop - start, units.length * 2)];
            if (intoA)
            {
                unitsA = units;
            }
            else
            {
                unitsB = units;
            }
        }
        int n = 0;
        int i = start;
        while (i < stop)
        {
            final int c = b[i] & 0xFF;
            if ('\\' == c)
            {
                final byte e = b[i + 1];
                switch (e)
                {
                    case 'b': units[n++] = '\b'; i += 2; break;
                    case 'f': units[n++] = '\f'; i += 2; break;
                    case 'n': units[n++] = '\n'; i += 2; break;
                    case 'r': units[n++] = '\r'; i += 2; break;
                    case 't': units[n++] = '\t'; i += 2; break;
                    case 'u': units[n++] = (char)((b[i + 4] - '0') * 16 + CanonicalScanner.lowerHex(b[i + 5])); i += 6; break;
                    default: units[n++] = (char)e; i += 2; break;
                }
            }
            else if (c < 0x80)
            {
                units[n++] = (char)c;
                i++;
            }
            else
            {
                final int length = Utf8.sequenceLength(b, i, stop, c);
                final int cp = Utf8.codePoint(b, i, length);
                if (cp >= 0x10000)
                {
                    units[n++] = Character.highSurrogate(cp);
                    units[n++] = Character.lowSurrogate(cp);
                }
                else
                {
                    units[n++] = (char)cp;
                }
                i += length;
            }
        }
        return n;
    }
}
