package io.agentflow.bus.runtime;

import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.JsonLimits;
import io.agentflow.codec.json.JsonReader;

import java.util.Map;

/**
 * Reads {@code metadata.workflow_id} from stored bytes for the workflow index. It does not verify them: the index
 * only points, and replay verifies every message it reads, so a tampered message is still reported by the replay of
 * the workflow it claims. Bytes that are no JSON object within the limits, or a workflow id that is no valid subject
 * token, give {@code null}: such a message is in no workflow's index. Thread-safe (a reader per call).
 */
public final class WorkflowIds
{
    private WorkflowIds()
    {
    }

    /** @return the workflow id of the envelope at {@code bytes[offset, offset + length)}, or {@code null}. */
    public static String of(final byte[] bytes, final int offset, final int length, final JsonLimits limits)
    {
        try
        {
            final Object tree = new JsonReader(limits).read(bytes, offset, length);
            if (tree instanceof Map<?, ?> envelope && envelope.get("metadata") instanceof Map<?, ?> metadata
                && metadata.get("workflow_id") instanceof String id)
            {
                return Subjects.token(id, "workflow_id");
            }
        }
        catch (final MessageError ignored)
        {
            // malformed bytes or an id that cannot be a subject token: nothing to index
        }
        return null;
    }
}
