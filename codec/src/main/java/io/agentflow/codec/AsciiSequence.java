package io.agentflow.codec;

import java.nio.charset.StandardCharsets;

/**
 * A reusable CharSequence over bytes in place, one char per byte: how plain ASCII members (ids, times) are read
 * without a String. Re-pointed per use; not thread-safe.
 */
final class AsciiSequence implements CharSequence
{
    private byte[] bytes;
    private int offset;
    private int length;

    AsciiSequence wrap(final byte[] bytes, final int offset, final int length)
    {
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
        return this;
    }

    boolean contentEquals(final CharSequence other)
    {
        if (other.length() != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (other.charAt(i) != (char)(bytes[offset + i] & 0xFF))
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public int length()
    {
        return length;
    }

    @Override
    public char charAt(final int index)
    {
        return (char)(bytes[offset + index] & 0xFF);
    }

    @Override
    public CharSequence subSequence(final int start, final int end)
    {
        return new String(bytes, offset + start, end - start, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString()
    {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }
}
