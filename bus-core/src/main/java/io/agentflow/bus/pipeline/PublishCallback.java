package io.agentflow.bus.pipeline;

import io.agentflow.codec.error.MessageError;

/**
 * Told the outcome of a claimed publish, on the thread that learnt it (the publisher's in process, the transport's ack
 * thread over NATS); must not block. One instance serves every publish (the {@code tag} tells them apart), so
 * completing costs no allocation.
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

    /**
     * What the pipeline calls: the whole outcome, readable only during this call (the slot is then reused). For a
     * callback that wants more than the three values (the stream, whether it was a duplicate).
     */
    default void onComplete(final PublishEvent event)
    {
        onComplete(event.tag(), event.streamSequence(), event.error());
    }
}
