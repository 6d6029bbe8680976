package io.agentflow.bus.pipeline;

/**
 * The transport end of the pipeline: the one outbound class per transport that copies out of the pooled event what
 * its client library keeps. {@link #send} runs on the publisher's thread inside {@link PublishPipeline#commit},
 * possibly on several publishers' threads at once; a sink whose outcome comes later (a broker's ack) tells it to
 * the {@link Completion} from its own thread.
 */
public interface PipelineSink
{
    /** How a sink reports an outcome that {@link #send} left open: once per such event, from any thread. */
    interface Completion
    {
        void completed(PublishEvent event);
    }

    /**
     * Told the ring's size (a power of two) and where to report late outcomes, once, before the first event:
     * per-slot state can be made here.
     */
    default void attach(final int ringSize, final Completion completion)
    {
    }

    /**
     * Hands the encoded event to the transport without waiting.
     *
     * @return true when the outcome is decided and recorded in the event (stored in process, or failed at once);
     * false when the sink will report it to the {@link Completion} later.
     */
    boolean send(PublishEvent event);

    /**
     * The pipeline is closing and waited for what was committed: report every send still awaiting its outcome as
     * failed, and let go of the sink's threads and subscriptions.
     */
    default void close()
    {
    }
}
