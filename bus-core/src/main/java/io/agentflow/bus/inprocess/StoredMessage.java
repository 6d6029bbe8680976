package io.agentflow.bus.inprocess;

import io.agentflow.codec.Message;

/**
 * One stored message: its wire bytes (what was hashed) at {@code buffer[offset, offset + length)}, the immutable
 * Message they encode when kept, and whether this process's encoder wrote them (then they are canonical and
 * follow the contract by construction, and a receiver's SHA-256 check of them is a full verification; bytes
 * from elsewhere get the full decode). The buffer is a shared segment, rewritten only after every registered
 * reader's gate has passed the record, and the record itself is then reused for a later message: a reader keeps
 * its gate at or below what it holds, or keeps a {@link #detached()} copy instead. Written by the stream's
 * writer before it publishes the sequence; read-only to readers.
 */
public final class StoredMessage
{
    private long sequence;
    private String subject;
    private byte[] buffer;
    private int offset;
    private int length;
    private Message message;
    private boolean encodedHere;
    private long storedAtNanos;
    private long storedAtEpochMicros;

    StoredMessage(final long sequence, final String subject, final byte[] buffer, final int offset, final int length,
        final Message message, final boolean encodedHere, final long storedAtNanos, final long storedAtEpochMicros)
    {
        set(sequence, subject, buffer, offset, length, message, encodedHere, storedAtNanos, storedAtEpochMicros);
    }

    StoredMessage set(final long sequence, final String subject, final byte[] buffer, final int offset,
        final int length, final Message message, final boolean encodedHere, final long storedAtNanos,
        final long storedAtEpochMicros)
    {
        this.sequence = sequence;
        this.subject = subject;
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        this.message = message;
        this.encodedHere = encodedHere;
        this.storedAtNanos = storedAtNanos;
        this.storedAtEpochMicros = storedAtEpochMicros;
        return this;
    }

    public long sequence()
    {
        return sequence;
    }

    public String subject()
    {
        return subject;
    }

    public byte[] buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public int length()
    {
        return length;
    }

    /** @return the immutable Message the bytes encode, when the publisher's instance was kept; else null. */
    public Message message()
    {
        return message;
    }

    public boolean encodedHere()
    {
        return encodedHere;
    }

    public long storedAtNanos()
    {
        return storedAtNanos;
    }

    public long storedAtEpochMicros()
    {
        return storedAtEpochMicros;
    }

    /** @return a copy of the wire bytes. */
    public byte[] bytes()
    {
        return java.util.Arrays.copyOfRange(buffer, offset, offset + length);
    }

    /** @return this record over a private copy of its bytes: for keeping it past the reader's gate. */
    public StoredMessage detached()
    {
        return new StoredMessage(sequence, subject, bytes(), 0, length, message, encodedHere, storedAtNanos,
            storedAtEpochMicros);
    }
}
