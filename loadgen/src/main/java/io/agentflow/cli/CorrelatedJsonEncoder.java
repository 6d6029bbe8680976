package io.agentflow.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import io.agentflow.bus.observe.MessageLog;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line's JSON log lines: one object per event with {@code timestamp} (ISO-8601 with offset),
 * {@code message}, {@code logger_name}, {@code thread_name}, {@code level}, {@code stack_trace} when there is one, and
 * the MDC's entries as top-level members, of which the correlation fields are those chosen by
 * {@code AGENTFLOW_LOG_FIELDS} (the design: dev writes {@code trace_id, span_id, message_id}, prod adds
 * {@code workflow_id}; default all five). Other MDC entries (an audit line's {@code expected_hash},
 * {@code actual_hash}) are always written. The member names are those of logstash-logback-encoder, which this
 * replaces: it brought Jackson (2 MB of the command line's jar) for one JSON object per line.
 */
public final class CorrelatedJsonEncoder extends EncoderBase<ILoggingEvent>
{
    /** Every correlation field the bus puts in the MDC ({@link MessageLog}). */
    static final List<String> FIELDS = List.of(MessageLog.TRACE_ID, MessageLog.SPAN_ID, MessageLog.MESSAGE_ID,
        MessageLog.WORKFLOW_ID, MessageLog.AGENT_ID);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")
        .withZone(ZoneOffset.systemDefault());
    private static final byte[] NONE = new byte[0];
    /** MDC keys that would repeat a member of every line: a JSON object's names are unique. */
    private static final Set<String> RESERVED = Set.of("timestamp", "message", "logger_name", "thread_name", "level",
        "stack_trace");

    private Set<String> excluded = Set.of();

    /** @param csv the correlation fields to write, comma-separated (checked by {@link CliEnvironment}). */
    public void setCorrelationFields(final String csv)
    {
        final List<String> wanted = parse(csv);
        excluded = Set.copyOf(FIELDS.stream().filter(f -> !wanted.contains(f)).toList());
    }

    static List<String> parse(final String csv)
    {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @Override
    public byte[] headerBytes()
    {
        return NONE;
    }

    @Override
    public byte[] footerBytes()
    {
        return NONE;
    }

    @Override
    public byte[] encode(final ILoggingEvent event)
    {
        final StringBuilder json = new StringBuilder(256).append('{');
        member(json, "timestamp", TIME.format(Instant.ofEpochMilli(event.getTimeStamp())));
        member(json.append(','), "message", event.getFormattedMessage());
        member(json.append(','), "logger_name", event.getLoggerName());
        member(json.append(','), "thread_name", event.getThreadName());
        member(json.append(','), "level", event.getLevel().toString());
        for (final Map.Entry<String, String> e : event.getMDCPropertyMap().entrySet())
        {
            if (!excluded.contains(e.getKey()) && !RESERVED.contains(e.getKey()))
            {
                member(json.append(','), e.getKey(), e.getValue());
            }
        }
        if (null != event.getThrowableProxy())
        {
            member(json.append(','), "stack_trace", ThrowableProxyUtil.asString(event.getThrowableProxy()));
        }
        return json.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void member(final StringBuilder json, final String name, final String value)
    {
        string(json, name);
        json.append(':');
        string(json, null == value ? "" : value);
    }

    /** A JSON string: quotes, backslashes, controls and unpaired surrogates escaped. */
    static void string(final StringBuilder json, final String s)
    {
        json.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            final boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length()
                && Character.isLowSurrogate(s.charAt(i + 1));
            if (paired)
            {
                json.append(c).append(s.charAt(++i));
            }
            else if ('"' == c || '\\' == c)
            {
                json.append('\\').append(c);
            }
            else if (c < 0x20 || Character.isSurrogate(c) || 0x7f == c)
            {
                switch (c)
                {
                    case '\n' -> json.append("\\n");
                    case '\r' -> json.append("\\r");
                    case '\t' -> json.append("\\t");
                    default -> json.append(String.format("\\u%04x", (int)c));
                }
            }
            else
            {
                json.append(c);
            }
        }
        json.append('"');
    }
}
