package io.agentflow.codec.json;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * A reusable, growable byte array with a write position: the output of the canonical writer. It grows by doubling
 * and never shrinks, so once warm a writer reusing it allocates nothing. An optional limit bounds what it may hold:
 * decoding hostile input re-encodes it, and canonical numbers can be five times longer than the ones received
 * ({@code 1e20} is {@code 100000000000000000000}), so the limit stops that growth as it happens. Not thread-safe: one
 * per thread.
 */
public final class GrowableBytes
{
    private static final int UNBOUNDED = Integer.MAX_VALUE - 8;

    private final int limit;
    private byte[] array;
    private int length;

    public GrowableBytes()
    {
        this(1024);
    }

    public GrowableBytes(final int initialCapacity)
    {
        this(initialCapacity, UNBOUNDED);
    }

    /** @param limit the most bytes it may hold; a write past it fails with a {@code serialization_error}. */
    public GrowableBytes(final int initialCapacity, final int limit)
    {
        this.limit = limit;
        this.array = new byte[Math.max(16, Math.min(initialCapacity, limit))];
    }

    /** @return the backing array; valid bytes are {@code [0, length())}. The array may change after a write. */
    public byte[] array()
    {
        return array;
    }

    public int length()
    {
        return length;
    }

    public GrowableBytes reset()
    {
        length = 0;
        return this;
    }

    /** Moves the write position back to {@code newLength}, which must not exceed {@link #length()}. */
    public void truncate(final int newLength)
    {
        length = newLength;
    }

    /** Makes room for {@code extra} more bytes and returns the write position, for callers writing directly. */
    public int reserve(final int extra)
    {
        final int required = length + extra;
        if (required > array.length)
        {
            grow(required);
        }
        return length;
    }

    /** Sets the write position after a direct write into {@link #array()} following {@link #reserve(int)}. */
    public void advanceTo(final int newLength)
    {
        length = newLength;
    }

    public void put(final byte b)
    {
        if (length == array.length)
        {
            grow(length + 1);
        }
        array[length++] = b;
    }

    public void put(final byte[] src, final int offset, final int count)
    {
        final int position = reserve(count);
        System.arraycopy(src, offset, array, position, count);
        length = position + count;
    }

    public void put(final byte[] src)
    {
        put(src, 0, src.length);
    }

    public byte[] toByteArray()
    {
        return Arrays.copyOf(array, length);
    }

    @Override
    public String toString()
    {
        return new String(array, 0, length, StandardCharsets.UTF_8);
    }

    private void grow(final int required)
    {
        if (required < 0 || required > limit)
        {
            throw new MessageError(ErrorCode.SERIALIZATION_ERROR,
                "canonical form too large: more than " + limit + " bytes",
                Map.of("max_bytes", limit), null);
        }
        final int doubled = array.length << 1;
        array = Arrays.copyOf(array, doubled < 0 ? limit : Math.min(limit, Math.max(doubled, required)));
    }
}
