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

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0.5", "0.000001", "100000000000000000000", "123456789012345", "1.5", "-42",
        "0.1", "1e+21", "1e-7", "1.2345678901234567", "9007199254740992", "5e-324", "-1.7976931348623157e+308"})
    void shouldAcceptCanonicalNumbers(final String number)
    {
        assertTrue(scan("{\"n\":" + number + "}"), number);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-0", "-0.0", "1.", "01", "1.50", "0.0000001", "1000000000000000000000", "9007199254740993",
        "1E+21", "1e21", "1.0e-7", "+1", ".5", "1e-07", "0.10000000000000001", "-", "1e", "--1"})
    void shouldRefuseOtherSpellingsOfNumbers(final String number)
    {
        assertFalse(scan("{\"n\":" + number + "}"), number);
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
