package io.agentflow.bus.pipeline;

/**
 * The transport end of the pipeline: the one outbound class per transport that copies out of the pooled event
 * what its client library keeps. Called from two pipeline threads: {@link #send} for each event in ring order,
 * {@link #complete} after it, also in ring order.
 */
public interface PipelineSink
{
    /** Hands the encoded event to the transport without waiting; may leave a handle in the event. */
    void send(PublishEvent event);

    /** Waits (bounded) for the transport's outcome of {@code event} and records it in the event. */
    void complete(PublishEvent event);
}
