package io.agentflow.codec;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.CanonicalJsonWriter;
import io.agentflow.codec.json.GrowableBytes;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Writes a message's canonical wire form and its envelope hash in one pass, into a reusable buffer.
 * <p>
 * Members of contract v1 sorted by UTF-16 code units are fixed, so the writer emits them in order and leaves a gap
 * of exactly {@link #HASH_MEMBER_LENGTH} bytes for the hash member:
 * <pre>
 *   {"cost":{"dollars":0.25,"tokens":10},"envelope_hash":"&lt;64 hex&gt;","from":...,"type":"event"}
 *   |------------ hashed ---------------|------- gap, filled last ---------|------ hashed --------|
 * </pre>
 * The digest is fed the two hashed ranges in place (no copy), which is exactly the canonical form without the hash
 * member, then the hex is written into the gap. Once warm, encoding allocates nothing.
 * Not thread-safe: one per thread ({@link #threadLocal()} for convenience paths).
 */
public final class EnvelopeEncoder
{
    /** {@code "envelope_hash":"<64 hex>",} */
    public static final int HASH_MEMBER_LENGTH = 83;
    static final int DIGEST_LENGTH = 32;

    private static final ThreadLocal<EnvelopeEncoder> THREAD_LOCAL = ThreadLocal.withInitial(EnvelopeEncoder::new);

    private static final byte[] COST_DOLLARS = ascii("{\"cost\":{\"dollars\":");
    private static final byte[] TOKENS = ascii(",\"tokens\":");
    private static final byte[] HASH_NAME = ascii("\"envelope_hash\":\"");
    private static final byte[] FROM = ascii("\"from\":");
    private static final byte[] ID = ascii(",\"id\":");
    private static final byte[] METADATA = ascii(",\"metadata\":");
    private static final byte[] PAYLOAD = ascii(",\"payload\":");
    private static final byte[] SPAN_ID = ascii(",\"span_id\":");
    private static final byte[] TO = ascii(",\"to\":");
    private static final byte[] TRACE_ID = ascii(",\"trace_id\":");
    private static final byte[] TS = ascii(",\"ts\":\"");
    private static final byte[] TYPE = ascii("\",\"type\":\"");
    private static final byte[][] TYPE_NAMES = typeNames();

    private final MessageDigest sha256 = newSha256();
    private final byte[] digest = new byte[DIGEST_LENGTH];
    private final GrowableBytes scratch;
    private long encodings;   // plain counts: an encoder belongs to one thread
    private long hashes;

    public EnvelopeEncoder()
    {
        this.scratch = new GrowableBytes(2048);
    }

    /**
     * An encoder whose own buffer holds at most {@code maxBytes}: a decoder's, re-encoding what it received, so the
     * canonical form of hostile input cannot outgrow the receive limit ({@code serialization_error} when it would).
     */
    public EnvelopeEncoder(final int maxBytes)
    {
        this.scratch = new GrowableBytes(2048, maxBytes);
    }

    /** @return this thread's encoder. */
    public static EnvelopeEncoder threadLocal()
    {
        return THREAD_LOCAL.get();
    }

    /**
     * Writes the wire form of {@code m} into {@code out} (reset first), computing the hash afresh.
     */
    public void encode(final EnvelopeFields m, final GrowableBytes out)
    {
        encodings++;
        out.reset();
        writeCost(m, out);
        final int gap = out.length();
        out.advanceTo(out.reserve(HASH_MEMBER_LENGTH) + HASH_MEMBER_LENGTH);
        final int rest = out.length();
        writeFromOnwards(m, out);

        final byte[] a = out.array();
        sha256.update(a, 0, gap);
        sha256.update(a, rest, out.length() - rest);
        finishDigest();
        System.arraycopy(HASH_NAME, 0, a, gap, HASH_NAME.length);
        Hex.encode(digest, 0, DIGEST_LENGTH, a, gap + HASH_NAME.length);
        a[gap + HASH_MEMBER_LENGTH - 2] = '"';
        a[gap + HASH_MEMBER_LENGTH - 1] = ',';
    }

    /**
     * Writes the wire form of a message with the hash it already carries, without hashing again. Safe because a
     * {@link Message} is immutable and its hash was computed by its builder or verified by the decoder; this is
     * what transports send. {@link #encode} recomputes, for callers that want the proof of work done here.
     */
    public byte[] wireBytes(final Message m)
    {
        return wire(m).toByteArray();
    }

    /**
     * {@link #wireBytes} into this encoder's own buffer, for a caller that copies the bytes anyway (the in-process
     * stream): valid until this encoder's next call.
     */
    public GrowableBytes wire(final Message m)
    {
        final String hash = m.envelopeHash();
        if (null == hash)
        {
            encode(m, scratch);
            return scratch;
        }
        encode(m, scratch, hash);
        return scratch;
    }

    /**
     * Writes the wire form of {@code m} into {@code out} (reset first) with a hash already known to be its own,
     * without hashing: for the members of an immutable {@link Message}, whose builder computed the hash or whose
     * decoder verified it. Anything else uses {@link #encode(EnvelopeFields, GrowableBytes)}.
     */
    public void encode(final EnvelopeFields m, final GrowableBytes out, final String hash)
    {
        encodings++;
        out.reset();
        writeCost(m, out);
        out.put(HASH_NAME);
        final int p = out.reserve(66);
        final byte[] a = out.array();
        for (int i = 0; i < 64; i++)
        {
            a[p + i] = (byte)hash.charAt(i);
        }
        a[p + 64] = '"';
        a[p + 65] = ',';
        out.advanceTo(p + 66);
        writeFromOnwards(m, out);
    }

    /** @return the lowercase hex SHA-256 of the canonical form of {@code m} without the hash member. */
    public String hash(final Message m)
    {
        encode(m, scratch);
        return new String(scratch.array(), hashOffset(scratch.array()), 64, StandardCharsets.US_ASCII);
    }

    /** @return the wire form as a String. */
    public String encodeToString(final Message m)
    {
        encode(m, scratch);
        return scratch.toString();
    }

    /** @return the wire form as a new array. */
    public byte[] encodeToBytes(final Message m)
    {
        encode(m, scratch);
        return scratch.toByteArray();
    }

    /** Hashes two ranges of {@code a} as one message into this encoder's digest array; used by the decoder. */
    byte[] digestOf(final byte[] a, final int start1, final int end1, final int start2, final int end2)
    {
        sha256.update(a, start1, end1 - start1);
        sha256.update(a, start2, end2 - start2);
        finishDigest();
        return digest;
    }

    /** @return where the 64 hex digits of the hash start in an encoded envelope (for a signer reading them). */
    public static int hashOffset(final byte[] a)
    {
        int i = COST_DOLLARS.length;
        while ('}' != a[i])
        {
            i++;
        }
        return i + 2 + HASH_NAME.length;
    }

    private static void writeCost(final EnvelopeFields m, final GrowableBytes out)
    {
        out.put(COST_DOLLARS);
        CanonicalJsonWriter.writeNumber(out, m.costDollars());
        out.put(TOKENS);
        CanonicalJsonWriter.writeNumber(out, m.costTokens());
        out.put((byte)'}');
        out.put((byte)',');
    }

    private void writeFromOnwards(final EnvelopeFields m, final GrowableBytes out)
    {
        out.put(FROM);
        CanonicalJsonWriter.writeString(out, m.from());
        out.put(ID);
        m.writeId(out);
        out.put(METADATA);
        final int metadataAt = out.length();
        m.metadata().writeCanonicalTo(out);
        if (out.length() == metadataAt || '{' != out.array()[metadataAt])
        {
            // a Message was checked when built; a pooled event's metadata is any RawCanonicalJson, checked here
            throw MessageError.atPath(ErrorCode.SCHEMA_ERROR, "$.metadata", "must be a JSON object");
        }
        out.put(PAYLOAD);
        m.payload().writeCanonicalTo(out);
        out.put(SPAN_ID);
        CanonicalJsonWriter.writeString(out, m.spanId());
        out.put(TO);
        CanonicalJsonWriter.writeString(out, m.to());
        out.put(TRACE_ID);
        CanonicalJsonWriter.writeString(out, m.traceId());
        out.put(TS);
        final String tsText = m.tsText();
        if (null != tsText)
        {
            out.put(tsText.getBytes(StandardCharsets.US_ASCII));   // as received: RFC 3339 is plain ASCII
        }
        else
        {
            final int p = out.reserve(Timestamps.LENGTH);
            Timestamps.write(m.tsMicros(), out.array(), p);
            out.advanceTo(p + Timestamps.LENGTH);
        }
        out.put(TYPE);
        out.put(TYPE_NAMES[m.type().ordinal()]);
        out.put((byte)'"');
        out.put((byte)'}');
    }

    /** @return envelopes this encoder has written (canonical encodings), since it was made: for tests and diagnostics. */
    public long encodings()
    {
        return encodings;
    }

    /** @return SHA-256 digests this encoder has computed, since it was made: for tests and diagnostics. */
    public long hashes()
    {
        return hashes;
    }

    private void finishDigest()
    {
        hashes++;
        try
        {
            sha256.digest(digest, 0, DIGEST_LENGTH);
        }
        catch (final DigestException ex)
        {
            throw new IllegalStateException("SHA-256 digest buffer too small", ex);   // cannot happen: 32 bytes
        }
    }

    static MessageDigest newSha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("every JDK has SHA-256", ex);
        }
    }

    private static byte[][] typeNames()
    {
        final MessageType[] types = MessageType.values();
        final byte[][] names = new byte[types.length][];
        for (final MessageType t : types)
        {
            names[t.ordinal()] = ascii(t.wireName());
        }
        return names;
    }

    private static byte[] ascii(final String s)
    {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
