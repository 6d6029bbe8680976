package io.agentflow.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import io.agentflow.codec.json.JsonReader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each log line is one strict JSON object (our own I-JSON reader parses it), whatever the text it carries. */
class CorrelatedJsonEncoderTest
{
    @Test
    void aLineIsOneJsonObjectWithTheCorrelationFieldsChosenAndEverythingEscaped()
    {
        final LoggerContext context = new LoggerContext();
        final String hostile = "quote \" backslash \\ newline \n tab \t nul \u0000 lone \ud800 pair \ud83d\ude00";
        final LoggingEvent event = new LoggingEvent("fqcn", context.getLogger("probe"), Level.WARN,
            "text {}", new IllegalStateException("boom"), new Object[]{hostile});
        event.setMDCPropertyMap(Map.of("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736", "workflow_id", "wf-1",
            "expected_hash", "ab", "message", "an MDC key that would repeat a member"));
        final CorrelatedJsonEncoder encoder = new CorrelatedJsonEncoder();
        encoder.setCorrelationFields("trace_id,span_id,message_id");

        final byte[] line = encoder.encode(event);

        assertEquals('\n', line[line.length - 1], "one line");
        final String text = new String(line, 0, line.length - 1, StandardCharsets.UTF_8);
        assertFalse(text.contains("\n"), text);
        final Map<?, ?> json = (Map<?, ?>)new JsonReader().read(text.replace("\\ud800", "?")
            .getBytes(StandardCharsets.UTF_8));   // I-JSON refuses the escaped lone surrogate itself
        assertEquals("text " + hostile.replace("\ud800", "?"), json.get("message"));
        assertEquals("WARN", json.get("level"));
        assertEquals("probe", json.get("logger_name"));
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", json.get("trace_id"));
        assertEquals("ab", json.get("expected_hash"), "other MDC entries are always written");
        assertFalse(json.containsKey("workflow_id"), "a correlation field not chosen");
        assertTrue(((String)json.get("stack_trace")).startsWith("java.lang.IllegalStateException: boom"),
            String.valueOf(json.get("stack_trace")));
        assertTrue(((String)json.get("timestamp")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d)"),
            String.valueOf(json.get("timestamp")));
        assertTrue(text.contains("lone \\ud800 pair"), "a lone surrogate is escaped, not written raw: " + text);
    }
}
