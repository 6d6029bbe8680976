package io.agentflow.bus.runtime;

/**
 * The duplicate-id window of every subscription: the ids of the last {@code capacity} handled messages (a second
 * delivery of a handled message within it is acknowledged without calling the handler again), each ULID held as its
 * 128-bit value in two longs, in an open-addressing table (linear probing, deletion by
 * backward shift) beside a FIFO of insertion order that decides what is forgotten. A slot's two longs sit side by
 * side in one array, so a probe touches one cache line; {@code (0, 0)} marks an empty slot, and the one ULID with
 * that value is remembered in a flag of its own. Both grow by doubling as ids come, up to what the capacity needs
 * (5.6 MiB for the default 100,000), so a quiet subscription holds a few KiB; once grown, nothing is allocated.
 * Thread-safe (handler shards share it). Agrona's sets key 64 bits at most; a set of the ids as Strings would
 * allocate a String per received id on the envelope path, for no gain in time (perf-reports/agrona.md).
 */
public final class RecentUlids
{
    private static final byte[] DIGITS = digits();

    private final int capacity;
    private final int maxSlots;
    private long[] table;   // slot i: table[2i] high, table[2i + 1] low
    private int mask;
    private long[] fifo;    // entry k: fifo[2k] high, fifo[2k + 1] low
    private int fifoEntries;
    private int fifoHead;
    private int size;
    private boolean zeroPresent;
    private long hi;   // the id being looked at, parsed once per call (under the lock)
    private long lo;

    public RecentUlids(final int capacity)
    {
        this.capacity = capacity;
        this.maxSlots = Integer.highestOneBit(Math.max(2, capacity) * 4 - 1);   // load factor <= 1/2 when full
        final int slots = Math.min(maxSlots, 64);
        table = new long[2 * slots];
        mask = slots - 1;
        fifoEntries = Math.max(1, Math.min(capacity, 32));
        fifo = new long[2 * fifoEntries];
    }

    /**
     * Remembers the ULID written as 26 ASCII characters at {@code ascii[offset]} unless it is already remembered,
     * forgetting the oldest when the window is full. One parse and one probe: a subscription claims an id before
     * its handler runs and {@link #forget}s it if the handler fails, so a copy that arrives meanwhile is a duplicate.
     *
     * @return whether it was new.
     */
    public synchronized boolean addIfAbsent(final byte[] ascii, final int offset)
    {
        if (0 == capacity)
        {
            return true;
        }
        parse(ascii, offset);
        return insertIfAbsent();
    }

    /** @return whether the ULID {@code id} is remembered: the {@code Message} path asks before it handles. */
    public synchronized boolean contains(final CharSequence id)
    {
        if (0 == capacity)
        {
            return false;
        }
        parse(id);
        return present();
    }

    /** Remembers the ULID {@code id}: the {@code Message} path adds what it handled. */
    public synchronized void add(final CharSequence id)
    {
        if (0 != capacity)
        {
            parse(id);
            insertIfAbsent();
        }
    }

    private boolean insertIfAbsent()
    {
        if (present())
        {
            return false;
        }
        if (size == capacity)
        {
            remove(fifo[2 * fifoHead], fifo[2 * fifoHead + 1]);   // forget the oldest
            fifoHead = (fifoHead + 1) % fifoEntries;
            size--;
        }
        else
        {
            growIfFull();
        }
        if (0 == hi && 0 == lo)
        {
            zeroPresent = true;
        }
        else
        {
            place(hi, lo);
        }
        final int tail = (fifoHead + size) % fifoEntries;
        fifo[2 * tail] = hi;
        fifo[2 * tail + 1] = lo;
        size++;
        return true;
    }

    /**
     * Forgets the ULID at {@code ascii[offset]} (a handler failed: it must come again). Its place in the insertion
     * order stays until it comes round, where removing an absent id does nothing; a window therefore remembers up
     * to {@code capacity} ids, fewer after failures.
     */
    public synchronized void forget(final byte[] ascii, final int offset)
    {
        if (0 == capacity)
        {
            return;
        }
        parse(ascii, offset);
        remove(hi, lo);
    }

    /** Doubles the FIFO when it is full and the table when it would pass half full, until capacity needs no more. */
    private void growIfFull()
    {
        if (size == fifoEntries)
        {
            final int entries = Math.min(capacity, 2 * fifoEntries);
            final long[] grown = new long[2 * entries];
            for (int k = 0; k < size; k++)
            {
                final int from = (fifoHead + k) % fifoEntries;
                grown[2 * k] = fifo[2 * from];
                grown[2 * k + 1] = fifo[2 * from + 1];
            }
            fifo = grown;
            fifoEntries = entries;
            fifoHead = 0;
        }
        final int slots = mask + 1;
        if (2 * (size + 1) > slots && slots < maxSlots)
        {
            final long[] old = table;
            table = new long[4 * slots];
            mask = 2 * slots - 1;
            for (int i = 0; i < slots; i++)
            {
                if (0 != old[2 * i] || 0 != old[2 * i + 1])
                {
                    place(old[2 * i], old[2 * i + 1]);
                }
            }
        }
    }

    private void place(final long high, final long low)
    {
        int i = index(high, low);
        while (!empty(i))
        {
            i = (i + 1) & mask;
        }
        table[2 * i] = high;
        table[2 * i + 1] = low;
    }

    private boolean present()
    {
        if (0 == hi && 0 == lo)
        {
            return zeroPresent;
        }
        for (int i = index(hi, lo); !empty(i); i = (i + 1) & mask)
        {
            if (table[2 * i] == hi && table[2 * i + 1] == lo)
            {
                return true;
            }
        }
        return false;
    }

    private void remove(final long oldHi, final long oldLo)
    {
        if (0 == oldHi && 0 == oldLo)
        {
            zeroPresent = false;
            return;
        }
        int i = index(oldHi, oldLo);
        while (!empty(i) && !(table[2 * i] == oldHi && table[2 * i + 1] == oldLo))
        {
            i = (i + 1) & mask;
        }
        if (empty(i))
        {
            return;
        }
        // backward-shift deletion: move later members of the probe run into the hole when their home allows
        int hole = i;
        int j = (i + 1) & mask;
        while (!empty(j))
        {
            final int home = index(table[2 * j], table[2 * j + 1]);
            if (((j - home) & mask) >= ((j - hole) & mask))
            {
                table[2 * hole] = table[2 * j];
                table[2 * hole + 1] = table[2 * j + 1];
                hole = j;
            }
            j = (j + 1) & mask;
        }
        table[2 * hole] = 0;
        table[2 * hole + 1] = 0;
    }

    private boolean empty(final int slot)
    {
        return 0 == table[2 * slot] && 0 == table[2 * slot + 1];
    }

    /** Spreads both halves: ids from one generator differ in the low bits of {@code lo} only (monotonic). */
    private int index(final long high, final long low)
    {
        return (int)mix(mix(high) ^ low) & mask;
    }

    private static long mix(final long v)   // MurmurHash3's 64-bit finalizer
    {
        long h = v;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    private void parse(final byte[] ascii, final int offset)
    {
        long high = 0;
        long low = 0;
        for (int k = 0; k < 26; k++)
        {
            high = (high << 5) | (low >>> 59);
            low = (low << 5) | digit((char)ascii[offset + k]);
        }
        hi = high;
        lo = low;
    }

    private void parse(final CharSequence id)   // a Message's id, which its constructor checked to be a ULID
    {
        long high = 0;
        long low = 0;
        for (int k = 0; k < 26; k++)
        {
            high = (high << 5) | (low >>> 59);
            low = (low << 5) | digit(id.charAt(k));
        }
        hi = high;
        lo = low;
    }

    /** @return the ULID's 128 bits (26 base32 digits, the first at most 7) as {high, low}; for tests. */
    public static long[] value(final String ulid)
    {
        final RecentUlids scratch = new RecentUlids(0);
        scratch.parse(ulid);
        return new long[]{scratch.hi, scratch.lo};
    }

    private static int digit(final char c)
    {
        return DIGITS[c & 0x7F];   // validated ids are ASCII; a table, since branching per char mispredicts
    }

    /** Crockford base32 as the generator writes it: 0-9, A-Z without I, L, O, U. */
    private static byte[] digits()
    {
        final byte[] digits = new byte[128];
        final String alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        for (int v = 0; v < alphabet.length(); v++)
        {
            digits[alphabet.charAt(v)] = (byte)v;
        }
        return digits;
    }
}
