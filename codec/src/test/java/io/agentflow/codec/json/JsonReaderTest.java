package io.agentflow.codec.json;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonReaderTest
{
    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "+1", ".5", "1.", "1e", "-", "NaN",
        "Infinity", "tru", "nul", "[1 2]", "\"abc", "\"\\x\"", "\"\\u12g4\"", "'a'", "1 2", "{\"a\":1}x", "[\"\t\"]",
        "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1,\"b\":1}}", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
        "1e400", "-1e400", "[1e309]"})
    void shouldRejectWhatIsNotIJsonWithSerializationError(final String input)
    {
        final MessageError e = assertThrows(MessageError.class, () -> read(input.getBytes(StandardCharsets.UTF_8)));
        assertEquals(ErrorCode.SERIALIZATION_ERROR, e.code(), e.getMessage());
        assertTrue(e.getMessage().length() > 5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"c0af", "e080af", "eda080", "edbfbf", "f08282ac", "f4908080", "f5808080", "80", "ff", "e282"})
    void shouldRejectInvalidUtf8(final String hex)
    {
        final byte[] inner = hexBytes(hex);
        final byte[] doc = new byte[inner.length + 2];
        doc[0] = '"';
        System.arraycopy(inner, 0, doc, 1, inner.length);
        doc[doc.length - 1] = '"';
        final MessageError e = assertThrows(MessageError.class, () -> read(doc));
        assertEquals(ErrorCode.SERIALIZATION_ERROR, e.code());
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }

    @Test
    void shouldNameTheDuplicateMemberAndItsOffset()
    {
        final MessageError e = assertThrows(MessageError.class, () -> read("{\"a\":1, \"a\":2}".getBytes()));
        assertEquals("a", e.details().get("name"));
        assertEquals(8, e.details().get("offset"));
    }

    @Test
    void shouldAcceptTheMaximumDepthAndRejectOneMore()
    {
        final int max = JsonLimits.MAX_DEPTH_DEFAULT;
        read(("[".repeat(max) + "]".repeat(max)).getBytes());
        final MessageError e = assertThrows(MessageError.class,
            () -> read(("[".repeat(max + 1) + "]".repeat(max + 1)).getBytes()));
        assertEquals(max, e.details().get("max_depth"));
    }

    @Test
    void shouldNotOverflowTheStackOnAbsurdNesting()
    {
        final byte[] deep = "[".repeat(500_000).getBytes();
        assertThrows(MessageError.class, () -> read(deep));
    }

    @Test
    void shouldEnforceTheSizeLimit()
    {
        final JsonReader small = new JsonReader(new JsonLimits(16, 8));
        final MessageError e = assertThrows(MessageError.class, () -> small.read("\"0123456789abcdef\"".getBytes()));
        assertEquals(16, e.details().get("max_bytes"));
    }

    @Test
    void shouldReadEveryKindOfValue()
    {
        final Object tree = read(("{\"s\":\"a\\u00e9\\ud83d\\ude00\\n\", \"i\":-12, \"d\":1.5, \"e\":1e2, \"t\":true,"
            + " \"f\":false, \"n\":null, \"a\":[], \"o\":{}, \"big\":9007199254740993}").getBytes());
        final Map<?, ?> map = (Map<?, ?>)tree;
        assertEquals("a\u00e9\ud83d\ude00\n", map.get("s"));
        assertEquals(-12L, map.get("i"));
        assertEquals(1.5, map.get("d"));
        assertEquals(100.0, map.get("e"));
        assertEquals(Boolean.TRUE, map.get("t"));
        assertEquals(Boolean.FALSE, map.get("f"));
        assertTrue(map.containsKey("n"));
        assertNull(map.get("n"));
        assertEquals(List.of(), map.get("a"));
        assertEquals(Map.of(), map.get("o"));
        assertEquals(9.007199254740992E15, map.get("big"), "beyond 2^53 a literal is a double, as JCS treats it");
    }

    @Test
    void shouldReadRawMultibyteUtf8()
    {
        final String s = "\u00e9\u20ac\ud83d\ude00";
        assertEquals(s, read(("\"" + s + "\"").getBytes(StandardCharsets.UTF_8)));
        assertArrayEquals(new Object[]{s}, ((List<?>)read(("[\"" + s + "\"]").getBytes(StandardCharsets.UTF_8)))
            .toArray());
    }

    private static Object read(final byte[] input)
    {
        return new JsonReader().read(input);
    }

    static byte[] hexBytes(final String hex)
    {
        final byte[] b = new byte[hex.length() / 2];
        for (int i = 0; i < b.length; i++)
        {
            b[i] = (byte)Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
