package io.agentflow.cli;

import io.agentflow.bus.observe.MessageLog;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The correlation fields of the shipped JSON log format are configurable (issue 22, the design's profiles): a
 * process logs one line inside a message's scope with the shipped logback.xml, and its JSON carries exactly the
 * fields {@code AGENTFLOW_LOG_FIELDS} names, all five by default.
 */
@Timeout(60)
class LogFieldsTest
{
    /** Logs one WARN line with a message's ids in the MDC. */
    public static final class Probe
    {
        public static void main(final String[] args)
        {
            final Message m = Message.builder().from("planner").to("worker-9").type(MessageType.REQUEST)
                .traceId("4bf92f3577b34da6a3ce929d0e0e4736").spanId("00f067aa0ba902b7")
                .metadata(Map.of("workflow_id", "wf-42")).build();
            try (MessageLog.Scope ignored = MessageLog.open(m, m.to()))
            {
                LoggerFactory.getLogger("probe").warn("probe line");
            }
        }
    }

    @Test
    void theJsonLinesCarryTheConfiguredCorrelationFields(@TempDir final Path dir) throws Exception
    {
        assertEquals(List.of("agent_id", "message_id", "span_id", "trace_id", "workflow_id"), fields(dir, null));
        assertEquals(List.of("message_id", "span_id", "trace_id"), fields(dir, "trace_id,span_id,message_id"));
        assertEquals(List.of("message_id", "span_id", "trace_id", "workflow_id"),
            fields(dir, "trace_id,span_id,message_id,workflow_id"));
    }

    /** @return the correlation fields of the probe's line, sorted. */
    private static List<String> fields(final Path dir, final String setting) throws Exception
    {
        final String shipped = Path.of(AgentFlow.class.getResource("/logback.xml").toURI()).toString();
        final Path err = dir.resolve("err-" + (null == setting ? "default" : setting.length()) + ".txt");
        final ProcessBuilder builder = new ProcessBuilder(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Dlogback.configurationFile=" + shipped, "-cp", System.getProperty("java.class.path"),
            Probe.class.getName())).redirectError(err.toFile()).redirectOutput(dir.resolve("out.txt").toFile());
        builder.environment().remove("AGENTFLOW_LOG_FIELDS");
        if (null != setting)
        {
            builder.environment().put("AGENTFLOW_LOG_FIELDS", setting);
        }
        final Process process = builder.start();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        final String line = Files.readAllLines(err, StandardCharsets.UTF_8).stream()
            .filter(l -> l.contains("probe line")).findFirst().orElseThrow(() -> new AssertionError("no probe line"));
        final Map<?, ?> json = (Map<?, ?>)new io.agentflow.codec.json.JsonReader().read(line.getBytes(
            StandardCharsets.UTF_8));
        final List<String> present = new ArrayList<>();
        for (final String f : CorrelatedJsonEncoder.FIELDS)
        {
            if (json.containsKey(f))
            {
                present.add(f);
            }
        }
        present.sort(null);
        return present;
    }
}
