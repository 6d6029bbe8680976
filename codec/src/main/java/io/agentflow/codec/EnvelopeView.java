package io.agentflow.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A flyweight over the bytes of one canonical envelope that has already been verified: members are read in place,
 * nothing is copied or allocated unless a method says so. One instance is reused for message after message (wrap,
 * read, wrap the next), as Agrona's buffers and SBE's flyweights are; it is valid only while its bytes are, so a
 * handler that keeps anything copies it out ({@link #toMessage()}, {@link #id()}).
 * <p>
 * The bytes must be canonical and follow the contract (the {@link EnvelopeEncoder} wrote them, or the
 * {@link EnvelopeDecoder} accepted them and they were re-encoded): the view locates members by the contract's
 * fixed member order and does not validate. Members are located on first access after a wrap, and only as far as
 * that access needs (see {@link #locate(int)}). Not thread-safe.
 */
public final class EnvelopeView
{
    private static final int MEMBERS = EnvelopeDecoder.NAMES.length;
    private static final int[] NAME_LENGTHS = nameLengths();
    private static final int HASH = 1;
    private static final int FROM = 2;
    private static final int ID = 3;
    private static final int METADATA = 4;
    private static final int PAYLOAD = 5;
    private static final int TRACE_ID = 8;
    private static final int TS = 9;
    private static final int TYPE = 10;
    private static final int HEAD = 1;
    private static final int TAIL = 2;
    private static final int ALL = 4;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101_0101_0101_0101L;
    private static final long HIGHS = 0x8080_8080_8080_8080L;
    private static final long QUOTES = '"' * ONES;
    private static final long BACKSLASHES = '\\' * ONES;
    private static final long CASE_BIT = 0x20 * ONES;
    private static final long OPENS = '{' * ONES;
    private static final long CLOSES = '}' * ONES;

    private final int[] starts = new int[MEMBERS];
    private final int[] ends = new int[MEMBERS];
    private final AsciiSequence text = new AsciiSequence();
    private byte[] bytes;
    private int offset;
    private int length;
    private int located;   // which of HEAD, TAIL, ALL are located since the last wrap

    /** Points this view at a verified canonical envelope, {@code bytes[offset, offset + length)}. */
    public EnvelopeView wrap(final byte[] bytes, final int offset, final int length)
    {
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
        this.located = 0;
        return this;
    }

    public byte[] buffer()
    {
        return bytes;
    }

    public int offset()
    {
        return offset;
    }

    public int length()
    {
        return length;
    }

    public MessageType type()
    {
        locateTail();
        // the contract allows four words, told apart by their first letter and, for the two r-words, the third
        final int at = starts[TYPE] + 1;
        switch (bytes[at])
        {
            case 'e':
                return MessageType.EVENT;
            case 'c':
                return MessageType.CONTROL;
            default:
                return 'q' == bytes[at + 2] ? MessageType.REQUEST : MessageType.RESPONSE;
        }
    }

    /** @return {@code ts} in microseconds since the epoch, UTC (any RFC 3339 spelling). */
    public long tsMicros()
    {
        return Timestamps.parse(stringMember(TS), "$.ts");
    }

    /** @return whether the {@code id} member is {@code id}, without making a String of it. */
    public boolean idEquals(final CharSequence id)
    {
        return stringMember(ID).contentEquals(id);
    }

    /** @return the id in place (valid until the next wrap): a ULID, plain ASCII. */
    public CharSequence idSequence()
    {
        return stringMember(ID);
    }

    /** @return the id as a new String (allocates). */
    public String id()
    {
        return stringMember(ID).toString();
    }

    /** @return the {@code envelope_hash} as a new String (allocates): 64 lowercase hex digits. */
    public String envelopeHash()
    {
        return stringMember(HASH).toString();
    }

    /** @return where the id's 26 ASCII characters (a ULID: the contract allows nothing else) start in the buffer. */
    public int idOffset()
    {
        locateHead();
        return starts[ID] + 1;
    }

    /** @return where the body of the {@code from} string (its canonical JSON, between the quotes) starts. */
    public int fromOffset()
    {
        locateHead();
        return starts[FROM] + 1;
    }

    public int fromLength()
    {
        locateHead();
        return ends[FROM] - starts[FROM] - 2;
    }

    /** @return whether the envelope carries a trace ({@code trace_id} not empty). */
    public boolean hasTrace()
    {
        locateTail();
        return ends[TRACE_ID] - starts[TRACE_ID] > 2;
    }

    /** @return where the payload's canonical JSON starts in {@link #buffer()}. */
    public int payloadOffset()
    {
        locateAll();
        return starts[PAYLOAD];
    }

    public int payloadLength()
    {
        locateAll();
        return ends[PAYLOAD] - starts[PAYLOAD];
    }

    public int metadataOffset()
    {
        locateAll();
        return starts[METADATA];
    }

    public int metadataLength()
    {
        locateAll();
        return ends[METADATA] - starts[METADATA];
    }

    /** @return the envelope as an immutable {@link Message} (allocates: decodes and verifies the bytes again). */
    public Message toMessage()
    {
        return new EnvelopeDecoder().decode(bytes, offset, length);
    }

    /** The body of a string member, between its quotes, as it stands in the bytes. */
    private AsciiSequence stringMember(final int member)
    {
        locate(member);
        return text.wrap(bytes, starts[member] + 1, ends[member] - starts[member] - 2);
    }

    /**
     * Locates as little as {@code member} needs. The members before {@code metadata} are found walking forward
     * from the start, {@code trace_id}, {@code ts} and {@code type} walking back from the end (their values are
     * fixed-format ASCII without escapes), and only the payload and what lies around it need the whole walk: a
     * handler that routes on type and time never pays for skipping the payload.
     */
    private void locate(final int member)
    {
        if (member <= ID)
        {
            locateHead();
        }
        else if (member >= TRACE_ID)
        {
            locateTail();
        }
        else
        {
            locateAll();
        }
    }

    private void locateHead()
    {
        if (0 != (located & HEAD))
        {
            return;
        }
        walk(ID);
        located |= HEAD;
    }

    private void locateAll()
    {
        if (0 != (located & ALL))
        {
            return;
        }
        walk(MEMBERS - 1);
        located |= HEAD | TAIL | ALL;
    }

    /** {@code ...,"trace_id":"<32 hex>" or "","ts":"<RFC 3339>","type":"<word>"}} read from the end. */
    private void locateTail()
    {
        if (0 != (located & TAIL))
        {
            return;
        }
        final int typeEnd = offset + length - 1;   // at the final '}'
        int typeStart = typeEnd - 2;
        while ('"' != bytes[typeStart])
        {
            typeStart--;
        }
        starts[TYPE] = typeStart;
        ends[TYPE] = typeEnd;
        ends[TS] = typeStart - NAME_LENGTHS[TYPE] - 1;   // before ,"type":
        int tsStart = ends[TS] - 2;   // any RFC 3339 spelling: back to its opening quote (it holds none)
        while ('"' != bytes[tsStart])
        {
            tsStart--;
        }
        starts[TS] = tsStart;
        ends[TRACE_ID] = starts[TS] - NAME_LENGTHS[TS] - 1;
        starts[TRACE_ID] = ends[TRACE_ID] - ('"' == bytes[ends[TRACE_ID] - 2] ? 2 : 34);
        located |= TAIL;
    }

    /** Walks forward from the start through member {@code last}: names are known (contract order), values skipped. */
    private void walk(final int last)
    {
        int i = offset + 1;   // after '{'
        for (int m = 0; m <= last; m++)
        {
            i += NAME_LENGTHS[m];   // "name":
            starts[m] = i;
            i = skipValue(i);
            ends[m] = i;
            i++;   // ',' or the final '}'
        }
    }

    private int skipValue(final int start)
    {
        final byte b = bytes[start];
        if ('"' == b)
        {
            return skipString(start);
        }
        if ('{' == b || '[' == b)
        {
            return skipContainer(start);
        }
        int i = start;   // number, true, false, null
        while (',' != bytes[i] && '}' != bytes[i])
        {
            i++;
        }
        return i;
    }

    /** @return the index just after the container opening at {@code start}; jumps 8 bytes at a time to the next
     *  quote or bracket (outside strings, canonical JSON has no other byte that ORed with 0x20 gives '{' or '}'). */
    private int skipContainer(final int start)
    {
        final int limit = offset + length;
        int depth = 0;
        int i = start;
        while (true)
        {
            while (i + 8 <= limit)
            {
                final long v = (long)LONGS.get(bytes, i);
                final long folded = v | CASE_BIT;   // '[' -> '{', ']' -> '}'
                final long hits = zeroBytes(v ^ QUOTES) | zeroBytes(folded ^ OPENS) | zeroBytes(folded ^ CLOSES);
                if (0 != hits)
                {
                    i += Long.numberOfTrailingZeros(hits) >>> 3;
                    break;
                }
                i += 8;
            }
            final byte c = bytes[i];
            if ('"' == c)
            {
                i = skipString(i);
                continue;
            }
            if ('{' == c || '[' == c)
            {
                depth++;
            }
            else if ('}' == c || ']' == c)
            {
                if (0 == --depth)
                {
                    return i + 1;
                }
            }
            i++;
        }
    }

    /** @return the index just after the closing quote of the string starting at {@code start}. */
    private int skipString(final int start)
    {
        final int limit = offset + length;
        int i = start + 1;
        while (true)
        {
            while (i + 8 <= limit)
            {
                final long v = (long)LONGS.get(bytes, i);
                final long hits = zeroBytes(v ^ QUOTES) | zeroBytes(v ^ BACKSLASHES);
                if (0 != hits)
                {
                    i += Long.numberOfTrailingZeros(hits) >>> 3;
                    break;
                }
                i += 8;
            }
            final byte c = bytes[i];
            if ('"' == c)
            {
                return i + 1;
            }
            i += '\\' == c ? 2 : 1;
        }
    }

    /** The high bit of each zero byte; a borrow can flag a byte above a true zero, never below, so the lowest
     *  flag is always real. */
    private static long zeroBytes(final long x)
    {
        return (x - ONES) & ~x & HIGHS;
    }

    private static int[] nameLengths()
    {
        final int[] lengths = new int[MEMBERS];
        for (int m = 0; m < MEMBERS; m++)
        {
            lengths[m] = EnvelopeDecoder.NAMES[m].getBytes(StandardCharsets.US_ASCII).length + 3;   // "name":
        }
        return lengths;
    }
}
