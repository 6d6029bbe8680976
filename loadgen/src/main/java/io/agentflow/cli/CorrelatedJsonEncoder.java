package io.agentflow.cli;

import io.agentflow.bus.observe.MessageLog;
import net.logstash.logback.encoder.LogstashEncoder;

import java.util.Arrays;
import java.util.List;

/**
 * The command line's JSON log lines, with the correlation fields chosen by {@code AGENTFLOW_LOG_FIELDS} (the design:
 * dev writes {@code trace_id, span_id, message_id}, prod adds {@code workflow_id}; default all five). Other MDC
 * entries (an audit line's {@code expected_hash}, {@code actual_hash}) are always written.
 */
public final class CorrelatedJsonEncoder extends LogstashEncoder
{
    /** Every correlation field the bus puts in the MDC ({@link MessageLog}). */
    static final List<String> FIELDS = List.of(MessageLog.TRACE_ID, MessageLog.SPAN_ID, MessageLog.MESSAGE_ID,
        MessageLog.WORKFLOW_ID, MessageLog.AGENT_ID);

    /** @param csv the correlation fields to write, comma-separated (checked by {@link CliEnvironment}). */
    public void setCorrelationFields(final String csv)
    {
        final List<String> wanted = parse(csv);
        FIELDS.stream().filter(f -> !wanted.contains(f)).forEach(this::addExcludeMdcKeyName);
    }

    static List<String> parse(final String csv)
    {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
