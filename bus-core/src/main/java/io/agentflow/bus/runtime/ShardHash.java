package io.agentflow.bus.runtime;

import net.openhft.hashing.Access;
import net.openhft.hashing.LongHashFunction;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The ordering key's hash, which picks a handler shard: XXH64 from zero-allocation-hashing, reading its input through
 * {@code charAt} and VarHandles rather than the library's own {@code sun.misc.Unsafe} access. Its XXH3 and its
 * {@code hashBytes}/{@code hashChars} shortcuts use Unsafe's memory-access methods, on whose first call JDK 24 and later
 * print a warning to every user (JEP 498), and which a JDK after 26 may remove; this path calls none of them (a
 * JDK 25 process running the bus prints nothing: {@code Jdk25WarningsTest}). Thread-safe (stateless).
 */
public final class ShardHash
{
    private static final LongHashFunction XX = LongHashFunction.xx();
    private static final Access<CharSequence> CHARS = Access.toCharSequence(ByteOrder.LITTLE_ENDIAN);
    private static final Access<byte[]> BYTES = new ByteArrayAccess(ByteOrder.LITTLE_ENDIAN);

    private ShardHash()
    {
    }

    /** @return the hash of {@code s[start, start + length)}, without a substring. */
    public static long chars(final CharSequence s, final int start, final int length)
    {
        return XX.hash(s, CHARS, 2L * start, 2L * length);
    }

    public static long chars(final CharSequence s)
    {
        return chars(s, 0, s.length());
    }

    /** @return the hash of {@code bytes[offset, offset + length)}. */
    public static long bytes(final byte[] bytes, final int offset, final int length)
    {
        return XX.hash(bytes, BYTES, offset, length);
    }

    /** Reads a byte array in one byte order through VarHandles: what the library's Unsafe access did, supported. */
    private static final class ByteArrayAccess extends Access<byte[]>
    {
        private final ByteOrder order;
        private final VarHandle longs;
        private final VarHandle ints;
        private final VarHandle shorts;

        ByteArrayAccess(final ByteOrder order)
        {
            this.order = order;
            this.longs = MethodHandles.byteArrayViewVarHandle(long[].class, order);
            this.ints = MethodHandles.byteArrayViewVarHandle(int[].class, order);
            this.shorts = MethodHandles.byteArrayViewVarHandle(short[].class, order);
        }

        @Override
        public long getLong(final byte[] input, final long offset)
        {
            return (long)longs.get(input, (int)offset);
        }

        @Override
        public long getUnsignedInt(final byte[] input, final long offset)
        {
            return Integer.toUnsignedLong(getInt(input, offset));
        }

        @Override
        public int getInt(final byte[] input, final long offset)
        {
            return (int)ints.get(input, (int)offset);
        }

        @Override
        public int getUnsignedShort(final byte[] input, final long offset)
        {
            return Short.toUnsignedInt((short)getShort(input, offset));
        }

        @Override
        public int getShort(final byte[] input, final long offset)
        {
            return (short)shorts.get(input, (int)offset);
        }

        @Override
        public int getUnsignedByte(final byte[] input, final long offset)
        {
            return Byte.toUnsignedInt(input[(int)offset]);
        }

        @Override
        public int getByte(final byte[] input, final long offset)
        {
            return input[(int)offset];
        }

        @Override
        public ByteOrder byteOrder(final byte[] input)
        {
            return order;
        }

        @Override
        protected Access<byte[]> reverseAccess()
        {
            return new ByteArrayAccess(ByteOrder.LITTLE_ENDIAN == order ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        }
    }
}
