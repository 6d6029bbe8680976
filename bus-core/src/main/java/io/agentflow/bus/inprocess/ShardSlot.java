package io.agentflow.bus.inprocess;

/** One pre-allocated hand-off of a verified envelope from an in-process reader to a handler shard. */
final class ShardSlot
{
    StoredMessage stored;
    byte[] canonical;   // the stored record's segment, or a re-encoding of foreign bytes
    int offset;
    int length;
    long deliveryCount;
    int shard;

    /** @return this slot, now holding {@code canonical} for stored message {@code s}. */
    ShardSlot fill(final StoredMessage s, final byte[] canonical, final long deliveryCount, final int shard)
    {
        this.stored = s;
        this.canonical = canonical;
        this.offset = offsetIn(canonical, s);
        this.length = lengthIn(canonical, s);
        this.deliveryCount = deliveryCount;
        this.shard = shard;
        return this;
    }

    /** Where the envelope lies in {@code canonical}: the record's range of its segment, or all of a re-encoding. */
    static int offsetIn(final byte[] canonical, final StoredMessage s)
    {
        return canonical == s.buffer() ? s.offset() : 0;
    }

    static int lengthIn(final byte[] canonical, final StoredMessage s)
    {
        return canonical == s.buffer() ? s.length() : canonical.length;
    }
}
