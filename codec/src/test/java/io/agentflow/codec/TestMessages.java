package io.agentflow.codec;

import org.erdtman.jcs.JsonCanonicalizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shared fixtures: a realistic message, and hashing by an independent RFC 8785 implementation (erdtman's
 * java-json-canonicalization), so tests do not check the codec against itself.
 */
final class TestMessages
{
    static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String SPAN_ID = "00f067aa0ba902b7";

    private TestMessages()
    {
    }

    static Message realistic()
    {
        final Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("task", "summarize the quarterly report, highlighting risks \u2014 and cite sources \u00e9\u00e8");
        payload.put("documents", List.of(
            Map.of("id", "doc-1", "pages", 12, "score", 0.875, "tags", List.of("finance", "q3")),
            Map.of("id", "doc-2", "pages", 3, "score", 0.5, "tags", List.of("legal"))));
        payload.put("limits", Map.of("max_tokens", 4096, "temperature", 0.2, "stop", List.of("\n\n", "END")));
        payload.put("flags", Map.of("stream", true, "cache", false, "notes", "none"));
        payload.put("history", List.of("first step done", "second step pending", 1e-7, -42, 1.5e300));
        return Message.builder()
            .from("orchestrator-1")
            .to("worker-42")
            .type(MessageType.REQUEST)
            .traceId(TRACE_ID)
            .spanId(SPAN_ID)
            .payload(payload)
            .metadata(Map.of("workflow_id", "wf-7", "attempt", 1, "priority", "high", "tenant", "acme", "region",
                "eu-1"))
            .cost(new CostInfo(0.0125, 1234))
            .tsMicros(1_795_720_010_123_456L)
            .build();
    }

    /** @return the canonical bytes of {@code tree} with a fresh envelope_hash computed independently. */
    static byte[] independentlyHashed(final Map<String, Object> tree)
    {
        final Map<String, Object> withoutHash = new LinkedHashMap<>(tree);
        withoutHash.remove("envelope_hash");
        final Map<String, Object> withHash = new LinkedHashMap<>(tree);
        withHash.put("envelope_hash", sha256Hex(jcs(toJson(withoutHash))));
        return jcs(toJson(withHash));
    }

    static byte[] jcs(final String json)
    {
        try
        {
            return new JsonCanonicalizer(json).getEncodedUTF8();
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException(ex);
        }
    }

    static String sha256Hex(final byte[] bytes)
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** A plain, non-canonical JSON rendering (insertion order, spaces) used as input to other implementations. */
    static String toJson(final Object value)
    {
        final StringBuilder sb = new StringBuilder();
        append(sb, value);
        return sb.toString();
    }

    static byte[] utf8(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void append(final StringBuilder sb, final Object value)
    {
        if (value instanceof Map)
        {
            sb.append("{ ");
            boolean first = true;
            for (final Map.Entry<?, ?> e : ((Map<?, ?>)value).entrySet())
            {
                sb.append(first ? "" : ", ");
                first = false;
                append(sb, e.getKey());
                sb.append(": ");
                append(sb, e.getValue());
            }
            sb.append(" }");
        }
        else if (value instanceof List)
        {
            sb.append('[');
            boolean first = true;
            for (final Object o : (List<?>)value)
            {
                sb.append(first ? "" : ", ");
                first = false;
                append(sb, o);
            }
            sb.append(']');
        }
        else if (value instanceof String)
        {
            sb.append('"');
            for (final char c : ((String)value).toCharArray())
            {
                if (c < 0x20 || c == '"' || c == '\\' || c > 0x7E)
                {
                    sb.append(String.format("\\u%04X", (int)c));   // escape more than JCS does: not canonical
                }
                else
                {
                    sb.append(c);
                }
            }
            sb.append('"');
        }
        else
        {
            sb.append(value);
        }
    }
}
