package io.agentflow.codec.json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CanonicalScannerTest
{
    @ParameterizedTest
    @ValueSource(strings = {
        "{}", "{\"a\":1}", "{\"a\":[1,2.5,\"x\",true,false,null,{}]}", "{\"\\n\":0,\"a\":0}", "{\"a\":\"\\u001f\"}",
        "{\"a\":1e+21,\"b\":1e-7,\"c\":0.000001,\"d\":-5}", "{\"\ud83d\ude00\":1,\"\ufb33\":2}"})
    void shouldAcceptCanonicalObjects(final String json)
    {
        assertTrue(scan(json), json);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{ }", "{\"a\": 1}", "{\"b\":1,\"a\":2}", "{\"a\":1,\"a\":1}", "{\"a\":1.0}", "{\"a\":1E2}", "{\"a\":-0}",
        "{\"a\":100e0}", "{\"a\":0.0000001}", "{\"a\":\"\\u000a\"}", "{\"a\":\"\\/\"}", "{\"a\":\"\\u0041\"}",
        "{\"a\":\"\\u001F\"}", "{\"\ufb33\":1,\"\ud83d\ude00\":2}", "[1]", "\"a\"", "{\"a\":1}\n", "{\"a\":tru}",
        "{\"a\":[1,]}", "{\"a\":\"\u0001\"}"})
    void shouldRefuseAnythingNotExactlyCanonical(final String json)
    {
        assertFalse(scan(json), json);
    }

    @Test
    void shouldRecordTopLevelMemberSpans()
    {
        final byte[] b = "{\"a\":{\"x\":1},\"b\":\"s\"}".getBytes(StandardCharsets.UTF_8);
        final CanonicalScanner scanner = new CanonicalScanner();
        assertTrue(scanner.scanObject(b, 0, b.length));
        assertEquals(2, scanner.members());
        assertEquals("\"a\"", new String(b, scanner.nameStart(0), scanner.nameEnd(0) - scanner.nameStart(0)));
        assertEquals("{\"x\":1}", new String(b, scanner.valueStart(0), scanner.valueEnd(0) - scanner.valueStart(0)));
        assertEquals("\"s\"", new String(b, scanner.valueStart(1), scanner.valueEnd(1) - scanner.valueStart(1)));
    }

    @Test
    void shouldRefuseBeyondTheDepthLimit()
    {
        final String deep = "{\"a\":" + "[".repeat(70) + "]".repeat(70) + "}";
        assertFalse(scan(deep));
    }

    private static boolean scan(final String json)
    {
        final byte[] b = json.getBytes(StandardCharsets.UTF_8);
        return new CanonicalScanner().scanObject(b, 0, b.length);
    }
}
