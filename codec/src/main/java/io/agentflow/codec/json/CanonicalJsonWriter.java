package io.agentflow.codec.json;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes RFC 8785 (JCS) canonical JSON into a {@link GrowableBytes}: no whitespace, object members sorted by the
 * UTF-16 code units of their names (which is {@link String#compareTo}), ECMAScript numbers, minimal string escapes.
 * <p>
 * Trees are {@code Map<String, ?>}, {@code List<?>}, arrays of objects, {@code CharSequence}, {@code Number},
 * {@code Boolean} and {@code null}. Member names are sorted in scratch arrays kept per depth, so a warm writer
 * allocates nothing for a tree of known shape. Not thread-safe: one per thread.
 */
public final class CanonicalJsonWriter
{
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};

    private final int maxDepth;
    private String[][] keyScratch = new String[8][];

    public CanonicalJsonWriter()
    {
        this(JsonLimits.DEFAULT.maxDepth());
    }

    public CanonicalJsonWriter(final int maxDepth)
    {
        this.maxDepth = maxDepth;
    }

    /** Writes {@code value} canonically. @throws MessageError for values JSON cannot carry, or too deep a tree. */
    public void writeValue(final GrowableBytes out, final Object value)
    {
        writeValue(out, value, 0);
    }

    /** Writes a JSON string literal of {@code s} with JCS escaping, encoded as UTF-8. */
    public static void writeString(final GrowableBytes out, final CharSequence s)
    {
        final int n = s.length();
        int p = out.reserve(n * 3 + 2);   // worst case: every char takes 3 UTF-8 bytes; escapes take at most 6
        byte[] a = out.array();
        a[p++] = '"';
        int i = 0;
        // the common case first, without the per-char room check: printable ASCII that needs no escape, a byte
        // each, within what was reserved (the envelope's ids and names are all of this)
        for (char c; i < n && (c = s.charAt(i)) >= 0x20 && c < 0x80 && c != '"' && c != '\\'; i++)
        {
            a[p++] = (byte)c;
        }
        for (; i < n; i++)
        {
            if (p + 8 > a.length)
            {
                out.advanceTo(p);
                p = out.reserve(n * 3 + 8);
                a = out.array();
            }
            final char c = s.charAt(i);
            if (c < 0x80)
            {
                if (c >= 0x20 && c != '"' && c != '\\')
                {
                    a[p++] = (byte)c;
                }
                else
                {
                    p = writeEscape(a, p, c);
                }
            }
            else if (c < 0x800)
            {
                a[p++] = (byte)(0xC0 | c >> 6);
                a[p++] = (byte)(0x80 | c & 0x3F);
            }
            else if (Character.isSurrogate(c))
            {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1)))
                {
                    final int cp = Character.toCodePoint(c, s.charAt(++i));
                    a[p++] = (byte)(0xF0 | cp >> 18);
                    a[p++] = (byte)(0x80 | cp >> 12 & 0x3F);
                    a[p++] = (byte)(0x80 | cp >> 6 & 0x3F);
                    a[p++] = (byte)(0x80 | cp & 0x3F);
                }
                else
                {
                    out.advanceTo(p);
                    throw new MessageError(
                        ErrorCode.SERIALIZATION_ERROR,
                        "lone surrogate in string: index=" + i + ", char=\\u" + Integer.toHexString(c),
                        Map.of("index", i),
                        null);
                }
            }
            else
            {
                a[p++] = (byte)(0xE0 | c >> 12);
                a[p++] = (byte)(0x80 | c >> 6 & 0x3F);
                a[p++] = (byte)(0x80 | c & 0x3F);
            }
        }
        a[p++] = '"';
        out.advanceTo(p);
    }

    /** Writes the JCS form of a finite double. */
    public static void writeNumber(final GrowableBytes out, final double v)
    {
        if (!Double.isFinite(v))
        {
            throw MessageError.of(ErrorCode.SERIALIZATION_ERROR, "not a finite number: " + v);
        }
        final int p = out.reserve(JcsNumbers.MAX_CHARS);
        out.advanceTo(JcsNumbers.write(v, out.array(), p));
    }

    /** Writes an integer, which must be within +-(2^53 - 1) so that it is exact as a JSON number. */
    public static void writeNumber(final GrowableBytes out, final long v)
    {
        if (v > JcsNumbers.MAX_SAFE_INTEGER || v < -JcsNumbers.MAX_SAFE_INTEGER)
        {
            throw MessageError.of(
                ErrorCode.SERIALIZATION_ERROR,
                "integer outside +-(2^53-1) cannot be represented exactly: " + v);
        }
        final int p = out.reserve(JcsNumbers.MAX_CHARS);
        out.advanceTo(JcsNumbers.write(v, out.array(), p));
    }

    static int writeEscape(final byte[] a, final int pos, final char c)
    {
        int p = pos;
        a[p++] = '\\';
        switch (c)
        {
            case '"': a[p++] = '"'; break;
            case '\\': a[p++] = '\\'; break;
            case '\b': a[p++] = 'b'; break;
            case '\f': a[p++] = 'f'; break;
            case '\n': a[p++] = 'n'; break;
            case '\r': a[p++] = 'r'; break;
            case '\t': a[p++] = 't'; break;
            default:
                a[p++] = 'u';
                a[p++] = '0';
                a[p++] = '0';
                a[p++] = HEX[c >> 4];
                a[p++] = HEX[c & 0xF];
        }
        return p;
    }

    private void writeValue(final GrowableBytes out, final Object value, final int depth)
    {
        if (null == value)
        {
            out.put(NULL);
        }
        else if (value instanceof CharSequence)
        {
            writeString(out, (CharSequence)value);
        }
        else if (value instanceof Boolean)
        {
            out.put((Boolean)value ? TRUE : FALSE);
        }
        else if (value instanceof Number)
        {
            writeNumber(out, (Number)value);
        }
        else if (value instanceof Map)
        {
            checkDepth(depth);
            writeObject(out, (Map<?, ?>)value, depth);
        }
        else if (value instanceof List)
        {
            checkDepth(depth);
            final List<?> list = (List<?>)value;
            out.put((byte)'[');
            for (int i = 0, n = list.size(); i < n; i++)
            {
                if (i > 0)
                {
                    out.put((byte)',');
                }
                writeValue(out, list.get(i), depth + 1);
            }
            out.put((byte)']');
        }
        else if (value instanceof Object[])
        {
            writeValue(out, Arrays.asList((Object[])value), depth);
        }
        else if (value instanceof RawCanonicalJson)
        {
            ((RawCanonicalJson)value).writeCanonicalTo(out);
        }
        else
        {
            throw MessageError.of(
                ErrorCode.SERIALIZATION_ERROR,
                "not a JSON value: " + value.getClass().getName() + " (use a Map, List, String, Number, Boolean, "
                    + "null, or a dsl-json converter)");
        }
    }

    private void writeObject(final GrowableBytes out, final Map<?, ?> map, final int depth)
    {
        final int size = map.size();
        if (depth >= keyScratch.length)
        {
            keyScratch = Arrays.copyOf(keyScratch, Math.max(depth + 1, keyScratch.length * 2));
        }
        String[] keys = keyScratch[depth];
        if (null == keys || keys.length < size)
        {
            keys = new String[Math.max(size, 8)];
            keyScratch[depth] = keys;
        }
        int i = 0;
        for (final Object key : map.keySet())
        {
            if (!(key instanceof String))
            {
                throw MessageError.of(ErrorCode.SERIALIZATION_ERROR, "object member names must be strings: " + key);
            }
            keys[i++] = (String)key;
        }
        Arrays.sort(keys, 0, size);   // String order is UTF-16 code unit order, exactly what JCS asks for
        out.put((byte)'{');
        for (i = 0; i < size; i++)
        {
            if (i > 0)
            {
                out.put((byte)',');
            }
            final String key = keys[i];
            writeString(out, key);
            out.put((byte)':');
            writeValue(out, map.get(key), depth + 1);
        }
        out.put((byte)'}');
        Arrays.fill(keys, 0, size, null);   // do not keep the caller's strings alive
    }

    private static void writeNumber(final GrowableBytes out, final Number n)
    {
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte)
        {
            writeNumber(out, n.longValue());
        }
        else if (n instanceof Double)
        {
            writeNumber(out, n.doubleValue());
        }
        else if (n instanceof Float)
        {
            // the decimal a person wrote (0.1f), not the binary expansion of the float (0.10000000149011612)
            writeNumber(out, Double.parseDouble(n.toString()));
        }
        else if (n instanceof BigInteger)
        {
            final BigInteger big = (BigInteger)n;
            if (big.bitLength() > 53)
            {
                throw MessageError.of(
                    ErrorCode.SERIALIZATION_ERROR,
                    "integer outside +-(2^53-1) cannot be represented exactly: " + big);
            }
            writeNumber(out, big.longValue());
        }
        else if (n instanceof BigDecimal)
        {
            writeNumber(out, n.doubleValue());
        }
        else
        {
            writeNumber(out, n.doubleValue());
        }
    }

    private void checkDepth(final int depth)
    {
        if (depth >= maxDepth)
        {
            throw new MessageError(
                ErrorCode.SERIALIZATION_ERROR,
                "nesting too deep: maxDepth=" + maxDepth,
                Map.of("max_depth", maxDepth),
                null);
        }
    }
}
