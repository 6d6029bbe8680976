package io.agentflow.codec;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.CanonicalScanner;
import io.agentflow.codec.json.JsonLimits;
import io.agentflow.codec.json.JsonReader;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and verifies received envelopes. Nothing comes out of {@link #decode} that has not passed every contract
 * rule and the hash check; everything else is a {@link MessageError}.
 * <p>
 * Two paths:
 * <ul>
 *   <li>fast: the {@link CanonicalScanner} confirms in one pass that the bytes are exactly canonical, the members
 *   are read from the spans it recorded, and the bytes are hashed in place with the hash member cut out;</li>
 *   <li>full: anything else is parsed strictly into a tree, checked, re-canonicalized and hashed. A message that is
 *   intact but was re-serialized on the way (whitespace, member order, escapes) verifies here.</li>
 * </ul>
 * Both paths agree by construction: canonical bytes re-canonicalize to themselves.
 * Not thread-safe: one per thread, reusable.
 */
public final class EnvelopeDecoder
{
    static final String[] NAMES = {
        "cost", "envelope_hash", "from", "id", "metadata", "payload", "span_id", "to", "trace_id", "ts", "type"};
    private static final int COST = 0;
    private static final int HASH = 1;
    private static final int FROM = 2;
    private static final int ID = 3;
    private static final int METADATA = 4;
    private static final int PAYLOAD = 5;
    private static final int SPAN_ID = 6;
    private static final int TO = 7;
    private static final int TRACE_ID = 8;
    private static final int TS = 9;
    private static final int TYPE = 10;
    private static final byte[][] QUOTED_NAMES = quotedNames();
    private static final byte[] COST_PREFIX = "{\"cost\":{".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HASH_PREFIX = ",\"envelope_hash\":\"".getBytes(StandardCharsets.US_ASCII);

    private final CanonicalScanner scanner;
    private final JsonReader reader;
    private final EnvelopeEncoder encoder;   // re-encodes within the receive limit
    private final int maxBytes;
    private final Object[] values = new Object[NAMES.length];
    private final CanonicalMembers members = new CanonicalMembers();

    public EnvelopeDecoder()
    {
        this(JsonLimits.DEFAULT);
    }

    public EnvelopeDecoder(final JsonLimits limits)
    {
        this.scanner = new CanonicalScanner(limits);
        this.reader = new JsonReader(limits);
        this.encoder = new EnvelopeEncoder(limits.maxBytes());
        this.maxBytes = limits.maxBytes();
    }

    public Message decode(final byte[] bytes)
    {
        return decode(bytes, 0, bytes.length);
    }

    /**
     * Parses, validates and verifies one envelope.
     *
     * @throws MessageError {@code serialization_error} for bytes that are not I-JSON within the limits,
     *                      {@code schema_error} for missing, unknown or mistyped members, {@code validation_error}
     *                      for values breaking a rule, {@code hash_mismatch} when the hash does not match. Details
     *                      carry the message {@code id} whenever it could be read.
     */
    public Message decode(final byte[] bytes, final int offset, final int length)
    {
        if (scanner.scanObject(bytes, offset, length) && hasContractMembers(bytes))
        {
            return decodeCanonical(bytes, offset, length);
        }
        return decodeFull(bytes, offset, length);
    }

    /**
     * The fast check alone: finds the hash member where canonical layout puts it (right after {@code cost}) and
     * hashes the bytes around it in place. It checks integrity of the bytes, not the contract: delivery uses
     * {@link #decode}, which also validates. Allocates nothing.
     */
    public HashCheck checkHash(final byte[] bytes, final int offset, final int length)
    {
        final int end = offset + length;
        if (length < 120 || !Arrays.equals(bytes, offset, offset + COST_PREFIX.length, COST_PREFIX, 0,
            COST_PREFIX.length))
        {
            return HashCheck.NOT_LOCATED;
        }
        int i = offset + COST_PREFIX.length;
        final int searchEnd = Math.min(end, i + 64);   // canonical cost is two short numbers
        while (i < searchEnd && '}' != bytes[i])
        {
            i++;
        }
        final int memberStart = i + 2;   // after "},"
        final int hexStart = i + 1 + HASH_PREFIX.length;
        final int memberEnd = hexStart + 66;   // 64 hex, closing quote, comma
        if (i >= searchEnd || memberEnd > end
            || !Arrays.equals(bytes, i + 1, hexStart, HASH_PREFIX, 0, HASH_PREFIX.length)
            || '"' != bytes[hexStart + 64] || ',' != bytes[hexStart + 65])
        {
            return HashCheck.NOT_LOCATED;
        }
        final byte[] digest = encoder.digestOf(bytes, offset, memberStart, memberEnd, end);
        return Hex.equals(digest, EnvelopeEncoder.DIGEST_LENGTH, bytes, hexStart) ? HashCheck.MATCH
            : HashCheck.MISMATCH;
    }

    /**
     * The receive path's check that allocates nothing: whether {@code bytes[offset, offset + length)} is exactly
     * canonical, follows every rule of the contract, and hashes to its {@code envelope_hash}, read in place. What
     * this accepts, {@link #decode} accepts and re-encodes to the same bytes (the fuzz target checks that), so a
     * receiver may hand these bytes to an {@link EnvelopeView}. {@code false} says only "not on the fast path":
     * {@link #decode} then names the failure, or accepts bytes that are intact but not canonical.
     */
    public boolean verifyInPlace(final byte[] bytes, final int offset, final int length)
    {
        final CanonicalScanner s = scanner;
        if (!s.scanObject(bytes, offset, length) || !hasContractMembers(bytes)
            || !members.isUlid(bytes, s.valueStart(ID), s.valueEnd(ID))
            || !CanonicalMembers.isNonEmptyString(bytes, s.valueStart(FROM), s.valueEnd(FROM))
            || !CanonicalMembers.isNonEmptyString(bytes, s.valueStart(TO), s.valueEnd(TO))
            || !members.isType(bytes, s.valueStart(TYPE), s.valueEnd(TYPE))
            || '{' != bytes[s.valueStart(METADATA)]
            || !members.isTrace(bytes, s.valueStart(TRACE_ID), s.valueEnd(TRACE_ID), s.valueStart(SPAN_ID),
                s.valueEnd(SPAN_ID))
            || !members.isHash(bytes, s.valueStart(HASH), s.valueEnd(HASH))
            || !CanonicalMembers.isCost(bytes, s.valueStart(COST), s.valueEnd(COST))
            || !members.isTimestamp(bytes, s.valueStart(TS), s.valueEnd(TS)))
        {
            return false;
        }
        final byte[] digest = encoder.digestOf(bytes, offset, s.nameStart(HASH), s.nameStart(FROM), offset + length);
        return Hex.equals(digest, EnvelopeEncoder.DIGEST_LENGTH, bytes, s.valueStart(HASH) + 1);
    }

    private boolean hasContractMembers(final byte[] bytes)
    {
        if (scanner.members() != NAMES.length)
        {
            return false;
        }
        for (int i = 0; i < NAMES.length; i++)
        {
            if (!scanner.nameEquals(bytes, i, QUOTED_NAMES[i]))
            {
                return false;
            }
        }
        return true;
    }

    private Message decodeCanonical(final byte[] bytes, final int offset, final int length)
    {
        final CanonicalScanner s = scanner;
        final Object id = canonicalString(bytes, s.valueStart(ID), s.valueEnd(ID));
        try
        {
            for (int i = 0; i < NAMES.length; i++)
            {
                final int start = s.valueStart(i);
                final int end = s.valueEnd(i);
                if (METADATA == i || PAYLOAD == i)
                {
                    values[i] = Json.trustedCanonical(bytes, start, end - start);
                }
                else if (COST == i)
                {
                    values[i] = canonicalCost(bytes, start, end);
                }
                else
                {
                    values[i] = ID == i ? id : canonicalString(bytes, start, end);
                }
            }
        }
        catch (final MessageError ex)
        {
            Arrays.fill(values, null);
            throw id instanceof String ? ex.withDetail("id", id) : ex;
        }
        final Message m = toMessage();
        final byte[] digest = encoder.digestOf(bytes, offset, s.nameStart(HASH), s.nameStart(FROM), offset + length);
        if (!Hex.equals(digest, EnvelopeEncoder.DIGEST_LENGTH, bytes, s.valueStart(HASH) + 1))
        {
            final byte[] hex = new byte[64];
            Hex.encode(digest, 0, EnvelopeEncoder.DIGEST_LENGTH, hex, 0);
            throw mismatch(m, new String(hex, StandardCharsets.US_ASCII));
        }
        return m;
    }

    /**
     * Computes the envelope hash of a message given as JSON in any layout. Its {@code envelope_hash} member may be
     * absent or hold anything; every other member must follow the contract.
     *
     * @return 64 lowercase hex digits.
     * @throws MessageError when the bytes are not I-JSON or the message breaks the contract.
     */
    public String hashOf(final byte[] bytes, final int offset, final int length)
    {
        final Object tree = reader.read(bytes, offset, length);
        if (tree instanceof Map)
        {
            @SuppressWarnings("unchecked")
            final Map<Object, Object> map = (Map<Object, Object>)tree;
            map.put("envelope_hash", "0".repeat(64));   // stands in until the real hash is known
        }
        return encoder.hash(fromTree(tree));
    }

    /** A canonical string member of plain ASCII becomes a String in one copy; anything else goes to the reader. */
    private Object canonicalString(final byte[] bytes, final int start, final int end)
    {
        if ('"' == bytes[start])
        {
            for (int k = start + 1; k < end - 1; k++)
            {
                final byte c = bytes[k];
                if ('\\' == c || c < 0)
                {
                    return reader.read(bytes, start, end - start);
                }
            }
            return new String(bytes, start + 1, end - start - 2, StandardCharsets.ISO_8859_1);
        }
        return reader.read(bytes, start, end - start);
    }

    /** Canonical cost is exactly {"dollars":N,"tokens":N}; anything else goes to the reader for its error. */
    private Object canonicalCost(final byte[] bytes, final int start, final int end)
    {
        final int comma = CanonicalMembers.costComma(bytes, start, end);
        if (comma < 0)
        {
            return reader.read(bytes, start, end - start);
        }
        return TypedMembers.cost(CanonicalMembers.dollars(bytes, start, comma),
            CanonicalMembers.tokens(bytes, comma, end));
    }

    private Message decodeFull(final byte[] bytes, final int offset, final int length)
    {
        final Message m = fromTree(reader.read(bytes, offset, length));
        final String expected = encoder.hash(m);
        if (!expected.equals(m.envelopeHash()))
        {
            throw mismatch(m, expected);
        }
        return m;
    }

    private Message fromTree(final Object tree)
    {
        if (!(tree instanceof Map))
        {
            throw MessageError.atPath(ErrorCode.SCHEMA_ERROR, "$", "a message must be a JSON object");
        }
        final Map<?, ?> map = (Map<?, ?>)tree;
        final Object id = map.get("id");
        try
        {
            for (final Object name : map.keySet())
            {
                if (Arrays.binarySearch(NAMES, name) < 0)
                {
                    throw MessageError.atPath(ErrorCode.SCHEMA_ERROR, "$." + name, "unknown member");
                }
            }
            for (int i = 0; i < NAMES.length; i++)
            {
                if (!map.containsKey(NAMES[i]))
                {
                    throw MessageError.atPath(ErrorCode.SCHEMA_ERROR, "$." + NAMES[i], "is required");
                }
                values[i] = map.get(NAMES[i]);
            }
            values[PAYLOAD] = Json.of(values[PAYLOAD], maxBytes);
            values[METADATA] = Json.of(values[METADATA], maxBytes);
        }
        catch (final MessageError ex)
        {
            throw id instanceof String ? ex.withDetail("id", id) : ex;
        }
        return toMessage();
    }

    private Message toMessage()
    {
        final Object[] v = values;
        final Object id = v[ID];
        try
        {
            return new Message(
                TypedMembers.string(v[ID], NAMES[ID]),
                TypedMembers.string(v[TRACE_ID], NAMES[TRACE_ID]),
                TypedMembers.string(v[SPAN_ID], NAMES[SPAN_ID]),
                TypedMembers.string(v[FROM], NAMES[FROM]),
                TypedMembers.string(v[TO], NAMES[TO]),
                MessageType.fromWireName(TypedMembers.string(v[TYPE], NAMES[TYPE])),
                (Json)v[PAYLOAD],
                (Json)v[METADATA],
                TypedMembers.cost(v[COST]),
                Timestamps.parse(TypedMembers.string(v[TS], NAMES[TS]), "$.ts"),
                Timestamps.isContractForm((String)v[TS]) ? null : (String)v[TS],
                TypedMembers.string(v[HASH], NAMES[HASH]));
        }
        catch (final MessageError ex)
        {
            throw id instanceof String ? ex.withDetail("id", id) : ex;
        }
        finally
        {
            Arrays.fill(v, null);
        }
    }

    private static MessageError mismatch(final Message m, final String expected)
    {
        final Map<String, Object> details = new LinkedHashMap<>();
        details.put("id", m.id());
        details.put("expected", expected);
        details.put("actual", m.envelopeHash());
        return new MessageError(
            ErrorCode.HASH_MISMATCH,
            "envelope_hash does not match the canonical form: expected=" + expected + ", actual=" + m.envelopeHash(),
            details,
            null);
    }

    private static byte[][] quotedNames()
    {
        final byte[][] quoted = new byte[NAMES.length][];
        for (int i = 0; i < NAMES.length; i++)
        {
            quoted[i] = ('"' + NAMES[i] + '"').getBytes(StandardCharsets.US_ASCII);
        }
        return quoted;
    }
}
