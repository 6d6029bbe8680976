package io.agentflow.bus.wire;

import java.time.Duration;
import java.util.List;

/**
 * The design's streams, described once for both transports: JetStream provisions them as written here and the
 * in-process transport keeps the same names, subjects, ages and (capped) sizes. The duplicate window, the quarantine's
 * records per subject and the default consumers belong to the same contract.
 */
public final class Streams
{
    public static final String MESSAGES = "AF_MESSAGES";
    public static final String TOOLS = "AF_TOOLS";
    public static final String SYSTEM = "AF_SYSTEM";
    public static final String QUARANTINE = "AF_QUARANTINE";
    /** Where a workflow's messages on agent subjects are indexed by stream sequence (docs/bus.md, "Replay"). */
    public static final String WORKFLOW_INDEX = "AF_WORKFLOW_INDEX";
    /** The durable consumer of {@code AF_MESSAGES} that feeds the workflow index. */
    public static final String WORKFLOW_INDEXER = "workflow-indexer";
    public static final String WORKFLOW_PROCESSOR = "workflow-processor";
    public static final String AGENT_PROCESSOR = "agent-processor";
    /** The span within which a retried publish (the same {@code Nats-Msg-Id}) is stored once: JetStream's default. */
    public static final Duration DUPLICATE_WINDOW = Duration.ofMinutes(2);
    /** Quarantine records kept per {@code quarantine.<reason>.<consumer>} subject: one consumer's flood is bounded. */
    public static final long QUARANTINE_PER_SUBJECT = 64;
    /** The quarantine reason of a message whose handler failed on every delivery. */
    public static final String MAX_DELIVERIES = "max_deliveries";

    private static final long GB = 1024L * 1024 * 1024;

    /**
     * One stream.
     *
     * @param replicated    whether it takes the bus's replica count (else always 1).
     * @param maxPerSubject messages kept per subject, -1 for no limit.
     */
    public record Descriptor(String name, List<String> subjects, Duration maxAge, long maxBytes, boolean replicated,
        long maxPerSubject)
    {
    }

    /** Every stream, in the order {@code agentflow streams} prints them. */
    public static final List<Descriptor> ALL = List.of(
        new Descriptor(MESSAGES, List.of("workflows.*.*", "agents.*.*"), Duration.ofHours(168), 10 * GB, true, -1),
        new Descriptor(TOOLS, List.of("tools.*"), Duration.ofHours(720), 5 * GB, true, -1),
        new Descriptor(SYSTEM, List.of("system.*"), Duration.ofHours(24), GB, false, -1),
        new Descriptor(QUARANTINE, List.of("quarantine.>"), Duration.ofHours(720), GB, true, QUARANTINE_PER_SUBJECT),
        // kept as long as the messages it points at
        new Descriptor(WORKFLOW_INDEX, List.of("index.workflows.*"), Duration.ofHours(168), GB, true, -1));

    /** Their names, in the same order. */
    public static final List<String> NAMES = ALL.stream().map(Descriptor::name).toList();

    private Streams()
    {
    }

    /** @return the descriptor of stream {@code name}. */
    public static Descriptor named(final String name)
    {
        return ALL.stream().filter(d -> d.name().equals(name)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no stream " + name));
    }
}
