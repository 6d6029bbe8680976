package io.agentflow.codec;

import com.dslplatform.json.DslJson;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.CanonicalJsonWriter;
import io.agentflow.codec.json.CanonicalMember;
import io.agentflow.codec.json.GrowableBytes;
import io.agentflow.codec.json.JsonLimits;
import io.agentflow.codec.json.JsonReader;
import io.agentflow.codec.json.RawCanonicalJson;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * An immutable JSON value held in its RFC 8785 canonical bytes: a message's {@code payload} and {@code metadata}.
 * A value is validated and canonicalized once, where it enters (a tree, raw bytes, or an application object through
 * dsl-json); encoding an envelope then copies its bytes, which is what keeps encoding cheap.
 * <p>
 * {@link #tree()} parses on each call and returns a fresh, mutable tree. Thread-safe.
 */
public final class Json implements RawCanonicalJson
{
    public static final Json EMPTY_OBJECT = new Json(new byte[]{'{', '}'});
    public static final Json NULL = new Json(new byte[]{'n', 'u', 'l', 'l'});

    private final byte[] canonical;

    private Json(final byte[] canonical)
    {
        this.canonical = canonical;
    }

    /**
     * Canonicalizes a tree of {@code Map<String, ?>}, {@code List<?>}, {@code String}, {@code Number},
     * {@code Boolean} and {@code null}.
     */
    public static Json of(final Object tree)
    {
        if (tree instanceof Json)
        {
            return (Json)tree;
        }
        return of(tree, Integer.MAX_VALUE - 8);
    }

    /** As {@link #of(Object)}, refusing ({@code serialization_error}) a canonical form longer than {@code maxBytes}. */
    public static Json of(final Object tree, final int maxBytes)
    {
        if (tree instanceof Json)
        {
            return (Json)tree;
        }
        final GrowableBytes out = new GrowableBytes(256, maxBytes);
        new CanonicalJsonWriter().writeValue(out, tree);
        return new Json(out.toByteArray());
    }

    /** Validates UTF-8 JSON bytes as I-JSON within the default limits and canonicalizes them. */
    public static Json parse(final byte[] json)
    {
        return parse(json, 0, json.length, JsonLimits.DEFAULT);
    }

    public static Json parse(final String json)
    {
        return parse(json.getBytes(StandardCharsets.UTF_8));
    }

    public static Json parse(final byte[] json, final int offset, final int length, final JsonLimits limits)
    {
        return of(new JsonReader(limits).read(json, offset, length));
    }

    /** Serializes an application object with dsl-json, then validates and canonicalizes the result. */
    public static Json fromObject(final Object value, final DslJson<?> dslJson)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try
        {
            dslJson.serialize(value, out);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new MessageError(
                ErrorCode.SERIALIZATION_ERROR,
                "dsl-json could not serialize " + (null == value ? "null" : value.getClass().getName()) + ": "
                    + ex.getMessage(),
                Map.of(),
                ex);
        }
        return parse(out.toByteArray());
    }

    /** Wraps bytes already known to be canonical (checked by the caller, e.g. the canonical scanner). */
    static Json trustedCanonical(final byte[] bytes, final int offset, final int length)
    {
        if (2 == length && '{' == bytes[offset] && '}' == bytes[offset + 1])
        {
            return EMPTY_OBJECT;
        }
        return new Json(Arrays.copyOfRange(bytes, offset, offset + length));
    }

    /** Reads into an application type with dsl-json. */
    public <T> T toObject(final Class<T> type, final DslJson<?> dslJson)
    {
        try
        {
            return dslJson.deserialize(type, canonical, canonical.length);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new MessageError(
                ErrorCode.SERIALIZATION_ERROR,
                "dsl-json could not read " + type.getName() + ": " + ex.getMessage(),
                Map.of(),
                ex);
        }
    }

    /** @return a fresh tree of this value (LinkedHashMap, ArrayList, String, Long, Double, Boolean, null). */
    public Object tree()
    {
        return new JsonReader().read(canonical);
    }

    /**
     * Reads one member of this object without parsing the others (the way to read a field or two of a large
     * payload, or the bus's own {@code workflow_id} on every delivery).
     *
     * @param name a member name with no character that JSON escapes (quote, backslash, controls).
     * @return the member's value as {@link #tree()} would give it, or null when this is not an object or has no
     * such member (or the member is JSON null).
     */
    public Object member(final String name)
    {
        return member(name.getBytes(StandardCharsets.UTF_8));
    }

    /** As {@link #member(String)}, the name already in UTF-8: what the bus reads per delivery allocates nothing. */
    Object member(final byte[] name)
    {
        final int start = CanonicalMember.valueOffset(canonical, name);
        if (start < 0)
        {
            return null;
        }
        final int end = CanonicalMember.skipValue(canonical, start);
        if ('"' == canonical[start] && noEscape(start + 1, end - 1))
        {
            return new String(canonical, start + 1, end - start - 2, StandardCharsets.UTF_8);
        }
        return new JsonReader().read(canonical, start, end - start);
    }

    private boolean noEscape(final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            if ('\\' == canonical[i])
            {
                return false;
            }
        }
        return true;
    }

    public boolean isObject()
    {
        return '{' == canonical[0];
    }

    /** @return a copy of the canonical bytes. */
    public byte[] toBytes()
    {
        return canonical.clone();
    }

    public int length()
    {
        return canonical.length;
    }

    @Override
    public void writeCanonicalTo(final GrowableBytes out)
    {
        out.put(canonical, 0, canonical.length);
    }

    /** @return the canonical JSON text. */
    @Override
    public String toString()
    {
        return new String(canonical, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof Json && Arrays.equals(canonical, ((Json)o).canonical);
    }

    @Override
    public int hashCode()
    {
        return Arrays.hashCode(canonical);
    }
}
