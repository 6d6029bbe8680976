package io.agentflow.codec.json;

import io.agentflow.codec.ErrorCode;
import io.agentflow.codec.MessageError;

/**
 * Bounds on what the reader accepts, so that no input can exhaust the stack or the heap.
 *
 * @param maxBytes largest input accepted; the default is 1 MiB, NATS' default {@code max_payload}.
 * @param maxDepth deepest nesting of arrays and objects accepted; the default is 64.
 */
public record JsonLimits(int maxBytes, int maxDepth)
{
    public static final int MAX_BYTES_DEFAULT = 1024 * 1024;
    public static final int MAX_DEPTH_DEFAULT = 64;
    public static final JsonLimits DEFAULT = new JsonLimits(MAX_BYTES_DEFAULT, MAX_DEPTH_DEFAULT);

    public JsonLimits
    {
        if (maxBytes < 2 || maxDepth < 1 || maxDepth > 10_000)
        {
            throw MessageError.of(
                ErrorCode.VALIDATION_ERROR,
                "invalid limits: maxBytes=" + maxBytes + " (>= 2), maxDepth=" + maxDepth + " (1..10000)");
        }
    }
}
