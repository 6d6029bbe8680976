package io.agentflow.bus.pipeline;

import io.agentflow.codec.EnvelopeFields;
import io.agentflow.codec.MessageError;
import io.agentflow.codec.MessageType;
import io.agentflow.codec.json.GrowableBytes;
import io.agentflow.codec.Json;
import io.agentflow.codec.json.RawCanonicalJson;

/**
 * One pre-allocated slot of the publish ring: a mutable message (filled by the publisher between
 * {@link PublishPipeline#claim()} and {@link PublishPipeline#commit(long)}), the reusable buffers the pipeline
 * encodes into, and the outcome the completion stage reports. Strings and JSON members are references the
 * publisher keeps (constants, pooled {@link Json} values): filling a slot copies nothing and allocates nothing.
 * Only the pipeline's threads touch a slot between commit and completion.
 */
public final class PublishEvent implements EnvelopeFields
{
    static final int ID_LENGTH = 26;

    // filled by the publisher
    String subject;
    private String from = "";
    private String to = "";
    private MessageType type = MessageType.EVENT;
    private RawCanonicalJson payload = Json.NULL;
    private RawCanonicalJson metadata = Json.EMPTY_OBJECT;
    private String traceId = "";
    private String spanId = "";
    private double costDollars;
    private long costTokens;
    PublishCallback callback;
    long tag;

    // filled by the pipeline, or the id by the publisher (a retry)
    final byte[] id = new byte[ID_LENGTH];
    boolean idChosen;
    long tsMicros;
    final GrowableBytes wire = new GrowableBytes(2048);
    private byte[] exact = new byte[0];
    long ringSequence;
    Object pending;
    long streamSequence;
    MessageError error;

    /** Resets the message fields to their defaults; {@link PublishPipeline#claim()} does this for the publisher. */
    void clear()
    {
        subject = null;
        from = "";
        to = "";
        type = MessageType.EVENT;
        payload = Json.NULL;
        metadata = Json.EMPTY_OBJECT;
        traceId = "";
        spanId = "";
        costDollars = 0;
        costTokens = 0;
        callback = null;
        tag = 0;
        idChosen = false;
        pending = null;
        streamSequence = 0;
        error = null;
    }

    public PublishEvent subject(final String subject)
    {
        this.subject = subject;
        return this;
    }

    public PublishEvent from(final String from)
    {
        this.from = from;
        return this;
    }

    public PublishEvent to(final String to)
    {
        this.to = to;
        return this;
    }

    public PublishEvent type(final MessageType type)
    {
        this.type = type;
        return this;
    }

    /** @param payload canonical JSON the publisher keeps unchanged until the callback (e.g. a pooled {@link Json}). */
    public PublishEvent payload(final RawCanonicalJson payload)
    {
        this.payload = payload;
        return this;
    }

    public PublishEvent metadata(final RawCanonicalJson metadata)
    {
        this.metadata = metadata;
        return this;
    }

    public PublishEvent trace(final String traceId, final String spanId)
    {
        this.traceId = traceId;
        this.spanId = spanId;
        return this;
    }

    public PublishEvent cost(final double dollars, final long tokens)
    {
        this.costDollars = dollars;
        this.costTokens = tokens;
        return this;
    }

    /**
     * Publishes under an id the publisher chose instead of a new one: how a publish that failed or timed out is
     * retried safely, since the broker (JetStream's duplicate window, the in-process stream's) stores an id once and
     * acknowledges the repeat with the first one's sequence. Copies 26 characters into the slot.
     *
     * @throws MessageError ({@code validation_error}) when {@code ulid} is not a ULID in canonical form.
     */
    public PublishEvent id(final CharSequence ulid)
    {
        if (!io.agentflow.codec.UlidGenerator.isValid(ulid))
        {
            throw MessageError.atPath(io.agentflow.codec.ErrorCode.VALIDATION_ERROR, "$.id",
                "expected a ULID (26 Crockford base32 characters, the first 0-7)");
        }
        for (int i = 0; i < ID_LENGTH; i++)
        {
            id[i] = (byte)ulid.charAt(i);
        }
        idChosen = true;
        return this;
    }

    /** @return whether the publisher chose the id ({@link #id(CharSequence)}) rather than the pipeline. */
    public boolean idChosen()
    {
        return idChosen;
    }

    /** @param callback told the outcome, with {@code tag}; one instance for all publishes, no lambda per message. */
    public PublishEvent onComplete(final PublishCallback callback, final long tag)
    {
        this.callback = callback;
        this.tag = tag;
        return this;
    }

    /** @return the encoded envelope as an array of exactly its length, reused while the length stays the same. */
    public byte[] exactWire()
    {
        if (exact.length != wire.length())
        {
            exact = new byte[wire.length()];   // only when the size changes: steady loads reuse it
        }
        System.arraycopy(wire.array(), 0, exact, 0, exact.length);
        return exact;
    }

    /**
     * Lets go of the exact-length array: a transport that may still hold it (a publish that timed out) calls this
     * so that the slot's next publish writes into a new one.
     */
    public void abandonWire()
    {
        exact = new byte[0];
    }

    /** @return the slot's position in the ring for this publish: {@code ringSequence & (ring size - 1)} is the slot. */
    public long ringSequence()
    {
        return ringSequence;
    }

    /** @return the id as a String: for transports whose API takes one (an allocation at that edge). */
    public String idString()
    {
        return new String(id, 0, ID_LENGTH, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** @return the subject set by the publisher. */
    public String subject()
    {
        return subject;
    }

    /** @return the encode buffer's array; the envelope is its first {@link #wireLength()} bytes. */
    public byte[] wireArray()
    {
        return wire.array();
    }

    public int wireLength()
    {
        return wire.length();
    }

    /** For sinks: the transport's handle of the send, read back by {@link PipelineSink#complete}. */
    public void pending(final Object handle)
    {
        this.pending = handle;
    }

    public Object pending()
    {
        return pending;
    }

    /** For sinks: stored at {@code sequence}. */
    public void completed(final long sequence)
    {
        this.streamSequence = sequence;
    }

    /** For sinks: failed, told to the publisher's callback. */
    public void failed(final MessageError failure)
    {
        this.error = failure;
    }

    @Override
    public double costDollars()
    {
        return costDollars;
    }

    @Override
    public long costTokens()
    {
        return costTokens;
    }

    @Override
    public String from()
    {
        return from;
    }

    @Override
    public void writeId(final GrowableBytes out)
    {
        out.put((byte)'"');
        final int p = out.reserve(ID_LENGTH);
        System.arraycopy(id, 0, out.array(), p, ID_LENGTH);
        out.advanceTo(p + ID_LENGTH);
        out.put((byte)'"');
    }

    @Override
    public RawCanonicalJson metadata()
    {
        return metadata;
    }

    @Override
    public RawCanonicalJson payload()
    {
        return payload;
    }

    @Override
    public String spanId()
    {
        return spanId;
    }

    @Override
    public String to()
    {
        return to;
    }

    @Override
    public String traceId()
    {
        return traceId;
    }

    @Override
    public long tsMicros()
    {
        return tsMicros;
    }

    @Override
    public MessageType type()
    {
        return type;
    }
}
