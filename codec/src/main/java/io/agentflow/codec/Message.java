package io.agentflow.codec;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * One message of wire contract v1: an immutable, validated envelope around a JSON payload. Every instance satisfies
 * every rule of the contract; the constructor is the one place those rules are checked. Built messages carry the
 * hash of their canonical form; decoded messages carry the hash they arrived with, already verified.
 * <p>
 * Usage:
 * <pre>{@code
 * Message m = Message.builder()
 *     .from("planner").to("worker-7").type(MessageType.REQUEST)
 *     .payload(Map.of("task", "summarize", "doc", 42))
 *     .metadata(Map.of("workflow_id", "wf-1"))
 *     .build();                       // id, ts and envelope_hash filled in
 * }</pre>
 * Thread-safe (immutable).
 */
public final class Message implements EnvelopeFields
{
    private final String id;
    private final String traceId;
    private final String spanId;
    private final String from;
    private final String to;
    private final MessageType type;
    private final Json payload;
    private final Json metadata;
    private final CostInfo cost;
    private final long tsMicros;
    private final String tsText;   // the ts as received when it is not in the form we write, else null
    private final String envelopeHash;
    private static final Object UNRESOLVED = new Object();
    private static final byte[] WORKFLOW_ID = "workflow_id".getBytes(StandardCharsets.US_ASCII);
    // derived from metadata on first use; one volatile field, so a racing reader sees UNRESOLVED or the answer
    private volatile Object workflowId = UNRESOLVED;

    Message(
        final String id,
        final String traceId,
        final String spanId,
        final String from,
        final String to,
        final MessageType type,
        final Json payload,
        final Json metadata,
        final CostInfo cost,
        final long tsMicros,
        final String tsText,
        final String envelopeHash)
    {
        this.id = require(id, "$.id");
        this.traceId = require(traceId, "$.trace_id");
        this.spanId = require(spanId, "$.span_id");
        this.from = require(from, "$.from");
        this.to = require(to, "$.to");
        this.type = Objects.requireNonNull(type, "type");
        this.payload = null == payload ? Json.NULL : payload;
        this.metadata = require(metadata, "$.metadata");
        this.cost = require(cost, "$.cost");
        this.tsMicros = tsMicros;
        this.tsText = tsText;
        this.envelopeHash = envelopeHash;

        if (!UlidGenerator.isValid(id))
        {
            throw invalid("$.id", "expected a ULID (26 Crockford base32 chars, first 0-7), got \"" + id + "\"");
        }
        ContractRules.checkTrace(traceId, spanId);
        ContractRules.checkParty("$.from", from);
        ContractRules.checkParty("$.to", to);
        if (!metadata.isObject())
        {
            throw MessageError.atPath(ErrorCode.SCHEMA_ERROR, "$.metadata", "must be a JSON object, got " + metadata);
        }
        Timestamps.checkRange(tsMicros);
        if (null != envelopeHash && !Hex.isLowerHex(envelopeHash, 64))
        {
            throw invalid("$.envelope_hash", "expected 64 lowercase hex digits, got \"" + envelopeHash + "\"");
        }
    }

    public static Builder builder()
    {
        return new Builder();
    }

    /** @return a builder holding this message's values, for making a changed copy (which gets a new hash). */
    public Builder toBuilder()
    {
        final Builder b = new Builder()
            .id(id).traceId(traceId).spanId(spanId).from(from).to(to).type(type)
            .payload(payload).metadata(metadata).cost(cost).tsMicros(tsMicros);
        b.tsText = tsText;   // the same instant keeps the spelling it came with, unless a new time is set
        return b;
    }

    public String id()
    {
        return id;
    }

    /** @return the W3C trace id (32 lowercase hex), or "" when the message carries no trace. */
    @Override
    public String traceId()
    {
        return traceId;
    }

    @Override
    public String spanId()
    {
        return spanId;
    }

    @Override
    public String from()
    {
        return from;
    }

    @Override
    public String to()
    {
        return to;
    }

    @Override
    public MessageType type()
    {
        return type;
    }

    @Override
    public Json payload()
    {
        return payload;
    }

    @Override
    public Json metadata()
    {
        return metadata;
    }

    public CostInfo cost()
    {
        return cost;
    }

    @Override
    public double costDollars()
    {
        return cost.dollars();
    }

    @Override
    public long costTokens()
    {
        return cost.tokens();
    }

    @Override
    public void writeId(final io.agentflow.codec.json.GrowableBytes out)
    {
        io.agentflow.codec.json.CanonicalJsonWriter.writeString(out, id);
    }

    @Override
    public long tsMicros()
    {
        return tsMicros;
    }

    public Instant ts()
    {
        return Timestamps.toInstant(tsMicros);
    }

    /**
     * @return the {@code ts} member as received when a sender wrote another RFC 3339 spelling than ours (an offset,
     * nanoseconds): the hash covers the text, so it is kept and written again as it was. {@code null} when it is in
     * the form this library writes from {@link #tsMicros()} (UTC, six fractional digits, {@code Z}).
     */
    @Override
    public String tsText()
    {
        return tsText;
    }

    /** @return the 64-hex SHA-256 of the canonical form without this member. */
    public String envelopeHash()
    {
        return envelopeHash;
    }

    /** @return {@code metadata.workflow_id} when it is a string, else {@code null}. */
    public String workflowId()
    {
        Object id = workflowId;
        if (UNRESOLVED == id)
        {
            final Object value = metadata.member(WORKFLOW_ID);   // read in place: the rest is not parsed
            id = value instanceof String ? value : null;
            workflowId = id;
        }
        return (String)id;
    }

    /** @return the canonical wire form, envelope_hash included. */
    @Override
    public String toString()
    {
        return EnvelopeEncoder.threadLocal().encodeToString(this);
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof Message))
        {
            return false;
        }
        final Message m = (Message)o;
        return tsMicros == m.tsMicros && Objects.equals(tsText, m.tsText) && id.equals(m.id) && traceId.equals(m.traceId) && spanId.equals(m.spanId)
            && from.equals(m.from) && to.equals(m.to) && type == m.type && payload.equals(m.payload)
            && metadata.equals(m.metadata) && cost.equals(m.cost) && Objects.equals(envelopeHash, m.envelopeHash);
    }

    @Override
    public int hashCode()
    {
        return id.hashCode();
    }

    private static <T> T require(final T value, final String path)
    {
        if (null == value)
        {
            throw MessageError.atPath(ErrorCode.SCHEMA_ERROR, path, "is required");
        }
        return value;
    }

    private static MessageError invalid(final String path, final String message)
    {
        return MessageError.atPath(ErrorCode.VALIDATION_ERROR, path, message);
    }

    /**
     * Fills defaults (a new ULID, the current time, no trace, empty metadata, zero cost, null payload), validates
     * and hashes. Not thread-safe.
     */
    public static final class Builder
    {
        private String id;
        private String traceId = "";
        private String spanId = "";
        private String from;
        private String to;
        private MessageType type;
        private Json payload = Json.NULL;
        private Json metadata = Json.EMPTY_OBJECT;
        private CostInfo cost = CostInfo.ZERO;
        private long tsMicros = Long.MIN_VALUE;
        private String tsText;

        private Builder()
        {
        }

        public Builder id(final String id)
        {
            this.id = id;
            return this;
        }

        public Builder traceId(final String traceId)
        {
            this.traceId = traceId;
            return this;
        }

        public Builder spanId(final String spanId)
        {
            this.spanId = spanId;
            return this;
        }

        public Builder from(final String from)
        {
            this.from = from;
            return this;
        }

        public Builder to(final String to)
        {
            this.to = to;
            return this;
        }

        public Builder type(final MessageType type)
        {
            this.type = type;
            return this;
        }

        /** @param payload a {@link Json} or a tree (Map, List, String, Number, Boolean, null). */
        public Builder payload(final Object payload)
        {
            this.payload = Json.of(payload);
            return this;
        }

        /** @param metadata a {@link Json} object or a {@code Map}. */
        public Builder metadata(final Object metadata)
        {
            this.metadata = Json.of(metadata);
            return this;
        }

        public Builder cost(final CostInfo cost)
        {
            this.cost = cost;
            return this;
        }

        public Builder tsMicros(final long tsMicros)
        {
            this.tsMicros = tsMicros;
            this.tsText = null;
            return this;
        }

        public Builder ts(final Instant ts)
        {
            return tsMicros(Timestamps.toMicros(ts));
        }

        /** @throws MessageError when a value breaks the contract, naming the field path. */
        public Message build()
        {
            if (null == type)
            {
                throw MessageError.atPath(ErrorCode.SCHEMA_ERROR, "$.type", "is required");
            }
            final Message unhashed = new Message(
                null == id ? UlidGenerator.shared().next() : id,
                traceId, spanId, from, to, type, payload, metadata, cost,
                Long.MIN_VALUE == tsMicros ? Timestamps.nowMicros() : tsMicros, tsText,
                null);
            return unhashed.withHash(EnvelopeEncoder.threadLocal().hash(unhashed));
        }
    }

    /**
     * @return this message with {@code hash}, which the encoder has just made from it; nothing is checked again (the
     * constructor validated the other values, and the encoder writes 64 lowercase hex digits).
     */
    private Message withHash(final String hash)
    {
        return new Message(this, hash);
    }

    private Message(final Message unhashed, final String hash)
    {
        this.id = unhashed.id;
        this.traceId = unhashed.traceId;
        this.spanId = unhashed.spanId;
        this.from = unhashed.from;
        this.to = unhashed.to;
        this.type = unhashed.type;
        this.payload = unhashed.payload;
        this.metadata = unhashed.metadata;
        this.cost = unhashed.cost;
        this.tsMicros = unhashed.tsMicros;
        this.tsText = unhashed.tsText;
        this.envelopeHash = hash;
    }
}
