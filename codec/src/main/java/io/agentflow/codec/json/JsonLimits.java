package io.agentflow.codec.json;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

/**
 * Bounds on what the reader accepts, so that no input can exhaust the stack or the heap.
 *
 * @param maxBytes largest input accepted; the default is 1 MiB, NATS' default {@code max_payload}.
 * @param maxDepth deepest nesting of arrays and objects accepted; the default is 64.
 * @param maxValues most values (members, elements and the document itself) in one document; the default, 131072,
 *                  bounds the tree a 1 MiB input becomes (half a million {@code 0,} would be ~20 MB of boxed numbers
 *                  and list slots) while leaving room for large arrays such as embeddings.
 */
public record JsonLimits(int maxBytes, int maxDepth, int maxValues)
{
    public static final int MAX_BYTES_DEFAULT = 1024 * 1024;
    public static final int MAX_DEPTH_DEFAULT = 64;
    public static final int MAX_VALUES_DEFAULT = 128 * 1024;
    public static final JsonLimits DEFAULT = new JsonLimits(MAX_BYTES_DEFAULT, MAX_DEPTH_DEFAULT);

    public JsonLimits
    {
        if (maxBytes < 2 || maxDepth < 1 || maxDepth > 10_000 || maxValues < 1)
        {
            throw MessageError.of(
                ErrorCode.VALIDATION_ERROR,
                "invalid limits: maxBytes=" + maxBytes + " (>= 2), maxDepth=" + maxDepth + " (1..10000), maxValues="
                    + maxValues + " (>= 1)");
        }
    }

    /** Limits with the default bound on values. */
    public JsonLimits(final int maxBytes, final int maxDepth)
    {
        this(maxBytes, maxDepth, MAX_VALUES_DEFAULT);
    }
}
