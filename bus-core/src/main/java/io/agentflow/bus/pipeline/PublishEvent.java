package io.agentflow.bus.pipeline;

import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.ContractRules;
import io.agentflow.codec.EnvelopeFields;
import io.agentflow.codec.Json;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.GrowableBytes;
import io.agentflow.codec.json.RawCanonicalJson;

/**
 * One pre-allocated slot of the publish ring: a mutable message (filled by the publisher between
 * {@link PublishPipeline#claim()} and {@link PublishPipeline#commit(long)}), the reusable buffers the pipeline
 * encodes into, and the outcome the transport reports. Strings and JSON members are references the
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
    private boolean sampled = true;
    private double costDollars;
    private long costTokens;
    PublishCallback callback;
    long tag;

    // filled by the pipeline, or the id by the publisher (a retry)
    final byte[] id = new byte[ID_LENGTH];
    boolean idChosen;
    boolean tsChosen;
    String knownHash;   // the hash of the Message this event copies, while nothing that is hashed was changed
    long tsMicros;
    final GrowableBytes wire = new GrowableBytes(2048);
    // exact-length copies of the wire, a few lengths kept: envelopes' lengths vary with their ids and numbers
    private final ExactLengthArrays exact = new ExactLengthArrays();
    long ringSequence;
    private String checkedSubject;   // the last subject this slot found valid: publishers reuse their Strings
    long streamSequence;
    String stream;
    boolean duplicate;
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
        sampled = true;
        costDollars = 0;
        costTokens = 0;
        callback = null;
        tag = 0;
        idChosen = false;
        tsChosen = false;
        knownHash = null;
        streamSequence = 0;
        stream = null;
        duplicate = false;
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
        knownHash = null;
        return this;
    }

    public PublishEvent to(final String to)
    {
        this.to = to;
        knownHash = null;
        return this;
    }

    public PublishEvent type(final MessageType type)
    {
        this.type = type;
        knownHash = null;
        return this;
    }

    /** @param payload canonical JSON the publisher keeps unchanged until the callback (e.g. a pooled {@link Json}). */
    public PublishEvent payload(final RawCanonicalJson payload)
    {
        this.payload = payload;
        knownHash = null;
        return this;
    }

    public PublishEvent metadata(final RawCanonicalJson metadata)
    {
        this.metadata = metadata;
        knownHash = null;
        return this;
    }

    public PublishEvent trace(final String traceId, final String spanId)
    {
        if (null != knownHash && !(traceId.equals(this.traceId) && spanId.equals(this.spanId)))
        {
            knownHash = null;   // the envelope changes: hashed afresh
        }
        this.traceId = traceId;
        this.spanId = spanId;
        return this;
    }

    /** @param sampled the trace's sampling decision, told to other clients in the {@code traceparent} header. */
    public PublishEvent sampled(final boolean sampled)
    {
        this.sampled = sampled;
        return this;
    }

    public boolean sampled()
    {
        return sampled;
    }

    /**
     * Fills every member from {@code message}, keeping its id and time: the event then encodes to the message's own
     * canonical bytes with its own hash (not computed again); a member set afterwards (new trace ids) makes it
     * hashed afresh. How {@code publish(Message)}
     * rides on the claim path. Copies references and 26 characters.
     */
    public PublishEvent message(final Message message)
    {
        from = message.from();
        to = message.to();
        type = message.type();
        payload = message.payload();
        metadata = message.metadata();
        traceId = message.traceId();
        spanId = message.spanId();
        costDollars = message.cost().dollars();
        costTokens = message.cost().tokens();
        copyId(message.id());
        tsMicros = message.tsMicros();
        tsChosen = true;
        knownHash = message.envelopeHash();   // written as it is unless trace() changes the ids: no second hash
        return this;
    }

    public PublishEvent cost(final double dollars, final long tokens)
    {
        this.costDollars = dollars;
        this.costTokens = tokens;
        knownHash = null;
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
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, "$.id",
                "expected a ULID (26 Crockford base32 characters, the first 0-7)");
        }
        copyId(ulid);
        knownHash = null;
        return this;
    }

    private void copyId(final CharSequence ulid)
    {
        for (int i = 0; i < ID_LENGTH; i++)
        {
            id[i] = (byte)ulid.charAt(i);
        }
        idChosen = true;
    }

    /** @return whether the publisher chose the id ({@link #id(CharSequence)}) rather than the pipeline. */
    public boolean idChosen()
    {
        return idChosen;
    }

    /**
     * The subject (literal tokens, no wildcards; checked once per distinct String), then the contract's member
     * rules ({@link ContractRules#checkFilled}). @throws MessageError naming the field.
     */
    void validate()
    {
        if (null == subject || subject != checkedSubject)
        {
            Subjects.checkPublishSubject(subject);
            checkedSubject = subject;
        }
        ContractRules.checkFilled(this);
    }

    /** @param callback told the outcome, with {@code tag}; one instance for all publishes, no lambda per message. */
    public PublishEvent onComplete(final PublishCallback callback, final long tag)
    {
        this.callback = callback;
        this.tag = tag;
        return this;
    }

    /**
     * @return the encoded envelope as an array of exactly its length: one of a few kept per slot, reused when a
     * later publish of the slot has the same length (loads with ids of a few lengths reuse them all).
     */
    public byte[] exactWire()
    {
        return exact.copyOf(wire);
    }

    /**
     * Lets go of the last exact-length array: a transport that may still hold it (a publish that timed out) calls
     * this so that the slot's next publish writes into a new one.
     */
    public void abandonWire()
    {
        exact.abandonLast();
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

    /** For sinks: stored at {@code sequence}. */
    public void completed(final long sequence)
    {
        this.streamSequence = sequence;
    }

    /** For sinks: stored at {@code sequence} of {@code stream}, or found there already ({@code duplicate}). */
    public void completed(final String stream, final long sequence, final boolean duplicate)
    {
        this.stream = stream;
        this.streamSequence = sequence;
        this.duplicate = duplicate;
    }

    /** @return the tag the publisher set with {@link #onComplete}. */
    public long tag()
    {
        return tag;
    }

    /** @return where the message was stored (0 before the outcome, or when the transport has no sequence). */
    public long streamSequence()
    {
        return streamSequence;
    }

    /** @return the stream that stored the message, when the transport said (else null). */
    public String stream()
    {
        return stream;
    }

    /** @return whether the broker had stored this id already (the sequence is the first copy's). */
    public boolean duplicate()
    {
        return duplicate;
    }

    /** @return why the publish failed, or null. */
    public MessageError error()
    {
        return error;
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
