package io.agentflow.codec.json;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CanonicalJsonWriterTest
{
    @ParameterizedTest
    @ValueSource(strings = {"sample-3.2.2", "sorting-3.2.3"})
    void shouldReproduceRfc8785ExamplesByteForByte(final String name) throws IOException
    {
        final byte[] input = resource("/rfc8785/" + name + ".json");
        final byte[] expected = resource("/rfc8785/" + name + ".canonical");

        final String ours = canonical(input);

        assertEquals(new String(expected, StandardCharsets.UTF_8), ours);
        assertEquals(new JsonCanonicalizer(input).getEncodedString(), ours, "independent RFC 8785 implementation");
    }

    @Test
    void shouldOrderNamesByUtf16CodeUnitsNotCodePoints()
    {
        // U+FB33 (one unit 0xFB33) sorts after U+1F600 (units 0xD83D 0xDE00) in UTF-16, before it by code point
        final Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("\ufb33", 1);
        tree.put("\ud83d\ude00", 2);
        tree.put("\ue000", 3);
        assertEquals("{\"\ud83d\ude00\":2,\"\ue000\":3,\"\ufb33\":1}", write(tree));
    }

    @Test
    void shouldEscapeOnlyWhatJcsEscapes()
    {
        assertEquals("\"\\u0000\\u001f\\b\\t\\n\\f\\r\\\"\\\\/\u007f\u2028\"",
            write("\u0000\u001f\b\t\n\f\r\"\\/\u007f\u2028"));
    }

    @Test
    void shouldRejectLoneSurrogates()
    {
        final MessageError e = assertThrows(MessageError.class, () -> write("a\ud800b"));
        assertEquals(ErrorCode.SERIALIZATION_ERROR, e.code());
    }

    @Test
    void shouldRejectIntegersThatDoublesCannotHold()
    {
        assertEquals("9007199254740991", write(9_007_199_254_740_991L));
        assertEquals(ErrorCode.SERIALIZATION_ERROR,
            assertThrows(MessageError.class, () -> write(9_007_199_254_740_993L)).code());
        assertEquals(ErrorCode.SERIALIZATION_ERROR,
            assertThrows(MessageError.class, () -> write(Double.NaN)).code());
    }

    @Test
    void shouldRejectValuesThatAreNotJson()
    {
        assertEquals(ErrorCode.SERIALIZATION_ERROR,
            assertThrows(MessageError.class, () -> write(new Object())).code());
        assertEquals(ErrorCode.SERIALIZATION_ERROR,
            assertThrows(MessageError.class, () -> write(Map.of(1, "x"))).code());
    }

    @Test
    void shouldRefuseTreesDeeperThanTheLimit()
    {
        Object tree = "leaf";
        for (int i = 0; i < JsonLimits.MAX_DEPTH_DEFAULT + 1; i++)
        {
            tree = List.of(tree);
        }
        final Object tooDeep = tree;
        assertThrows(MessageError.class, () -> write(tooDeep));
    }

    @Test
    void shouldWriteFloatsAsTheDecimalsPeopleWrote()
    {
        assertEquals("[0.1,1,2.5]", write(List.of(0.1f, 1.0f, 2.5)));
    }

    @Test
    void shouldProduceOutputTheScannerCallsCanonical()
    {
        final Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("z", List.of(1, 2.5, -0.0, 1e21, 1e-7, "\u0001", true, false, new ArrayList<>()));
        tree.put("\r", Map.of("\ud83d\ude00", "x", "\ufb33", "y", "a", Map.of()));
        tree.put("a", null);
        final byte[] bytes = write(tree).getBytes(StandardCharsets.UTF_8);
        assertTrue(new CanonicalScanner().scanObject(bytes, 0, bytes.length));
    }

    static String canonical(final byte[] json)
    {
        return write(new JsonReader().read(json));
    }

    static String write(final Object tree)
    {
        final GrowableBytes out = new GrowableBytes(16);   // small on purpose: exercises growth
        new CanonicalJsonWriter().writeValue(out, tree);
        return out.toString();
    }

    static byte[] resource(final String name) throws IOException
    {
        try (InputStream in = CanonicalJsonWriterTest.class.getResourceAsStream(name))
        {
            return in.readAllBytes();
        }
    }
}
