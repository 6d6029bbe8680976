package io.agentflow.bus.runtime;

import io.agentflow.bus.PublishAck;
import io.agentflow.bus.observe.BusTracing;
import io.agentflow.bus.pipeline.PublishCallback;
import io.agentflow.bus.pipeline.PublishEvent;
import io.agentflow.bus.pipeline.PublishPipeline;
import io.agentflow.codec.Message;
import io.agentflow.codec.error.MessageError;

import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

/**
 * {@code publish(subject, Message)} on the claim path, for both transports: the PRODUCER span opens, then the message
 * is copied into a claimed slot with its own id and time and the span's trace ids, and committed; the pipeline
 * validates, encodes and hashes it once and sends it, and the outcome completes a future. So the {@link Message}
 * path and the claim path share one outbound edge: the same checks, encoding, signing, headers and acks. What this
 * path adds per publish is what its API promises: a future, its {@link PublishAck}, and this callback.
 */
public final class MessagePublish implements PublishCallback
{
    private final CompletableFuture<PublishAck> future = new CompletableFuture<>();
    private final BusTracing.Publish traced;
    private final String id;
    private final UnaryOperator<MessageError> explain;

    private MessagePublish(final BusTracing.Publish traced, final String id, final UnaryOperator<MessageError> explain)
    {
        this.traced = traced;
        this.id = id;
        this.explain = explain;
    }

    /**
     * @param explain what the transport knows about a failure (a permission the server refused), added to it.
     * @return the future of the broker's acknowledgement, or of a {@link MessageError}.
     */
    public static CompletableFuture<PublishAck> publish(final LazyPipeline pipelines, final String subject,
        final Message message, final BusTracing tracing, final UnaryOperator<MessageError> explain)
    {
        final BusTracing.Publish traced = tracing.startPublish(subject, message);
        final MessagePublish publish = new MessagePublish(traced, message.id(), explain);
        final PublishPipeline pipeline;
        final long sequence;
        try
        {
            pipeline = pipelines.get();
            sequence = pipeline.claim();
        }
        catch (final MessageError ex)
        {
            publish.fail(ex);
            return publish.future;
        }
        pipeline.event(sequence).subject(subject).message(message).trace(traced.traceId(), traced.spanId())
            .sampled(traced.sampled()).onComplete(publish, 0);
        pipeline.commit(sequence);
        return publish.future;
    }

    @Override
    public void onComplete(final PublishEvent event)
    {
        if (null != event.error())
        {
            fail(event.error());
            return;
        }
        traced.bodySize(event.wireLength());
        traced.end(null);
        future.complete(new PublishAck(event.stream(), event.streamSequence(), event.duplicate()));
    }

    @Override
    public void onComplete(final long tag, final long streamSequence, final MessageError error)
    {
        throw new UnsupportedOperationException("the pipeline calls onComplete(PublishEvent)");
    }

    private void fail(final MessageError error)
    {
        final MessageError explained = explain.apply(error).withDetail("id", id);
        traced.end(explained);
        future.completeExceptionally(explained);
    }
}
