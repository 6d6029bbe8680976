package io.agentflow.jmh;

import io.agentflow.codec.CostInfo;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The realistic message the benchmarks share: about 1 KiB of payload with nested maps, arrays, strings and numbers,
 * and metadata of 5 entries.
 */
public final class SampleMessages
{
    private SampleMessages()
    {
    }

    public static Map<String, Object> payload()
    {
        final Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("task", "Summarize the attached quarterly filings and list the three largest risks, citing pages.");
        final List<Object> documents = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            final Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("id", "doc-" + (1000 + i));
            doc.put("title", "Quarterly filing part " + i + ": revenue, margins and outlook");
            doc.put("pages", 12 + i * 7);
            doc.put("score", 0.875 - i * 0.125);
            doc.put("tags", List.of("finance", "q" + (i % 4 + 1), "reviewed"));
            documents.add(doc);
        }
        payload.put("documents", documents);
        final Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("max_tokens", 4096);
        limits.put("temperature", 0.2);
        limits.put("top_p", 0.95);
        limits.put("stop", List.of("\n\nHuman:", "END"));
        payload.put("limits", limits);
        payload.put("history", List.of("retrieved 4 documents", "ranked by relevance", "drafting summary"));
        payload.put("budget", Map.of("usd", 1.25, "remaining_usd", 0.8125, "calls", 3));
        payload.put("notes", "R\u00e9sum\u00e9 requested by the caf\u00e9 team \u2014 keep it short.");
        return payload;
    }

    public static Map<String, Object> metadata()
    {
        final Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("workflow_id", "wf-20261126-0042");
        metadata.put("step", 3);
        metadata.put("tenant", "acme-research");
        metadata.put("priority", "high");
        metadata.put("retry", 0);
        return metadata;
    }

    public static Message message()
    {
        return Message.builder()
            .from("orchestrator-1")
            .to("worker-42")
            .type(MessageType.REQUEST)
            .traceId("4bf92f3577b34da6a3ce929d0e0e4736")
            .spanId("00f067aa0ba902b7")
            .payload(payload())
            .metadata(metadata())
            .cost(new CostInfo(0.0125, 1234))
            .build();
    }

    /** The message as a plain tree, the form a Jackson-based implementation would hold it in. */
    public static Map<String, Object> messageTree(final Message m)
    {
        final Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("id", m.id());
        tree.put("trace_id", m.traceId());
        tree.put("span_id", m.spanId());
        tree.put("from", m.from());
        tree.put("to", m.to());
        tree.put("type", m.type().wireName());
        tree.put("payload", payload());
        tree.put("metadata", metadata());
        tree.put("cost", Map.of("dollars", m.cost().dollars(), "tokens", m.cost().tokens()));
        tree.put("ts", io.agentflow.codec.Timestamps.format(m.tsMicros()));
        return tree;
    }
}
