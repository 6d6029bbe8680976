package io.agentflow.bus.runtime;

import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.EnvelopeView;
import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.JsonLimits;
import io.agentflow.codec.json.JsonReader;

import java.util.Map;

/**
 * Reads {@code metadata.workflow_id} from stored bytes for the workflow index. It does not verify them: the index
 * only points, and replay verifies every message it reads, so a tampered message is still reported by the replay of
 * the workflow it claims. The metadata member is located in place ({@link EnvelopeView}, by the contract's member
 * order) and only it is parsed, not the payload; bytes the view cannot walk are parsed whole. Bytes that are not
 * canonical may be located wrongly, which costs nothing: they fail verification wherever a replay reads them. Bytes
 * that are no JSON object within the limits, or a workflow id that is no valid subject token, give {@code null}: such
 * a message is in no workflow's index. Thread-safe (a view and a reader per call).
 */
public final class WorkflowIds
{
    private WorkflowIds()
    {
    }

    /** @return the workflow id of the envelope at {@code bytes[offset, offset + length)}, or {@code null}. */
    public static String of(final byte[] bytes, final int offset, final int length, final JsonLimits limits)
    {
        final JsonReader reader = new JsonReader(limits);
        Object metadata;
        try
        {
            final EnvelopeView view = new EnvelopeView().wrap(bytes, offset, length);
            metadata = reader.read(bytes, view.metadataOffset(), view.metadataLength());
        }
        catch (final RuntimeException notCanonical)
        {
            try
            {
                metadata = reader.read(bytes, offset, length) instanceof Map<?, ?> envelope
                    ? envelope.get("metadata") : null;
            }
            catch (final MessageError malformed)
            {
                return null;
            }
        }
        try
        {
            return metadata instanceof Map<?, ?> m && m.get("workflow_id") instanceof String id
                ? Subjects.token(id, "workflow_id") : null;
        }
        catch (final MessageError notAToken)
        {
            return null;
        }
    }
}
