package io.agentflow.bus.pipeline;

import io.agentflow.codec.MessageError;

/**
 * Told the outcome of a claimed publish, on the pipeline's completion thread; must not block. One instance serves
 * every publish (the {@code tag} tells them apart), so completing costs no allocation.
 */
@FunctionalInterface
public interface PublishCallback
{
    /**
     * @param tag            what the publisher set with {@link PublishEvent#onComplete}.
     * @param streamSequence where the broker stored the message (0 when the transport has no sequence).
     * @param error          {@code null} on success, else why it failed.
     */
    void onComplete(long tag, long streamSequence, MessageError error);
}
