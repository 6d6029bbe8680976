package io.agentflow.bus.pipeline;

/**
 * The transport end of the pipeline: the one outbound class per transport that copies out of the pooled event
 * what its client library keeps. Called from two pipeline threads: {@link #send} for each event in ring order,
 * {@link #complete} after it, also in ring order.
 */
public interface PipelineSink
{
    /** Told the ring's size (a power of two) once, before the first event: per-slot state can be made here. */
    default void attach(final int ringSize)
    {
    }

    /**
     * @return whether {@link #send} already decides the outcome (an in-process store): then the pipeline runs one
     * stage thread that encodes, sends and completes, instead of handing each event to a completion thread.
     */
    default boolean completesOnSend()
    {
        return false;
    }

    /** Hands the encoded event to the transport without waiting; may leave a handle in the event. */
    void send(PublishEvent event);

    /** Waits (bounded) for the transport's outcome of {@code event} and records it in the event. */
    void complete(PublishEvent event);
}
