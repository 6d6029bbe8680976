package io.agentflow.bus;

import io.agentflow.bus.pipeline.PipelineSink;
import io.agentflow.bus.pipeline.PublishEvent;
import io.nats.client.JetStream;
import io.nats.client.PublishOptions;
import io.nats.client.impl.Headers;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The pipeline's edge to jnats: {@code publishAsync} of the slot's bytes with the id as {@code Nats-Msg-Id}, then the
 * ack in ring order. jnats keeps the body array until its writer has sent it, and the slot is reused only after the
 * ack, so the slot's exact-length array is handed over as is (copied from the encode buffer; a new array only when
 * the size changes). What jnats allocates per publish (its message, future, the id String, headers) is jnats'.
 */
final class JetStreamOutbound implements PipelineSink
{
    private final JetStream js;
    private final long timeoutMillis;
    private final BusMetrics metrics = BusMetrics.shared();

    JetStreamOutbound(final JetStream js, final BusConfig config)
    {
        this.js = js;
        this.timeoutMillis = config.publishTimeout().toMillis();
    }

    @Override
    public void send(final PublishEvent e)
    {
        final Headers headers = e.traceId().isEmpty() ? null
            : new Headers().put("traceparent", "00-" + e.traceId() + "-" + e.spanId() + "-01");
        e.pending(js.publishAsync(e.subject(), headers, e.exactWire(), PublishOptions.builder()
            .messageId(e.idString()).build()));
    }

    @Override
    public void complete(final PublishEvent e)
    {
        @SuppressWarnings("unchecked")
        final CompletableFuture<io.nats.client.api.PublishAck> ack =
            (CompletableFuture<io.nats.client.api.PublishAck>)e.pending();
        try
        {
            e.completed(ack.get(timeoutMillis, TimeUnit.MILLISECONDS).getSeqno());
            metrics.published(e.type());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            e.failed(MessageErrors.from(ex));
        }
        catch (final ExecutionException | TimeoutException | RuntimeException ex)
        {
            final io.agentflow.codec.MessageError error = MessageErrors.from(ex);
            metrics.publishFailed(e.type(), error.code());
            e.failed(error);
        }
    }
}
