package io.agentflow.bus.security;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogTextTest
{
    @Test
    void shouldReturnCleanTextAsItIs()
    {
        final String clean = "worker-42 \u00e9t\u00e9 \u4e16\u754c";
        assertSame(clean, LogText.safe(clean));
        assertNull(LogText.safe(null));
    }

    @Test
    void shouldEscapeLineBreaksControlsAndBidi()
    {
        assertEquals("a\\u000aWARN b\\u000d\\u0009\\u007f\\u0085", LogText.safe("a\nWARN b\r\t\u007f\u0085"));
        assertEquals("x\\u202ey\\u2066z\\u200f\\u061c\\u2028", LogText.safe("x\u202Ey\u2066z\u200F\u061C\u2028"));
    }

    @Test
    void shouldCutLongText()
    {
        final String cut = LogText.safe("\n" + "a".repeat(10_000));
        assertTrue(cut.startsWith("\\u000aaaa"));
        assertTrue(cut.endsWith("... (10001 chars)"), cut.substring(cut.length() - 30));
        assertTrue(cut.length() < LogText.MAX_LENGTH + 32);
    }
}
