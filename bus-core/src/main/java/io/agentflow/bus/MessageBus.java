package io.agentflow.bus;

import io.agentflow.codec.Message;
import io.agentflow.codec.error.MessageError;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Carries verified messages between agents. Publishing returns a future of the broker's acknowledgement;
 * subscribing delivers each message to a handler only after its hash and contract are verified; replay reads a
 * workflow's history back in order, verified. Usage:
 * <pre>{@code
 * try (MessageBus bus = io.agentflow.bus.connect.MessageBuses.connect(BusConfig.fromEnv()))
 * {
 *     bus.subscribe(SubscriptionSpec.durable("worker-7", Subjects.agentIn("worker-7")), (message, delivery) ->
 *         System.out.println(message.payload()));
 *     bus.publish(Subjects.agentIn("worker-7"), message).join();
 * }
 * }</pre>
 * Implementations are thread-safe. Errors are {@link MessageError}s: {@code transport_error} and
 * {@code timeout_error} are retryable, and a retried publish of the same message is stored once (its id is the
 * broker's de-duplication key).
 */
public interface MessageBus extends AutoCloseable
{
    /**
     * Publishes asynchronously.
     *
     * @return a future completed with the stream position, or failed with a {@link MessageError}.
     */
    CompletableFuture<PublishAck> publish(String subject, Message message);

    /**
     * The allocation-free way to publish: claim a pooled event, fill it, commit it; the outcome goes to the
     * event's callback. Started on first use, closed with the bus. Bypasses the retry policy and the breaker
     * (a failure goes to the callback, to retry or not) and the tracing layer (trace ids set on the event travel
     * in the envelope and a {@code traceparent} header).
     */
    io.agentflow.bus.pipeline.PublishPipeline pipeline();

    /**
     * Publishes and waits for the acknowledgement, at most the configured publish timeout.
     *
     * @throws MessageError on failure or time-out.
     */
    default PublishAck publishAndWait(final String subject, final Message message)
    {
        final CompletableFuture<PublishAck> future = publish(subject, message);
        try
        {
            return future.get(config().publishTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw MessageErrors.from(ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw MessageErrors.timeout("no acknowledgement within " + config().publishTimeout(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw MessageErrors.from(ex);
        }
    }

    /**
     * Starts delivering the messages of a durable consumer to {@code handler}, which runs on the bus's handler
     * threads: messages with the same ordering key (the agent or workflow id of their subject) in order, others in
     * parallel. A message that fails verification never reaches the handler; it goes to the quarantine.
     */
    Subscription subscribe(SubscriptionSpec spec, MessageHandler handler);

    /**
     * The lean way to consume, on both transports: the same durable subscription and the same verification (the
     * whole contract and the hash, before the handler; refused messages go to the quarantine), but the handler
     * reads each envelope in place through a reused flyweight ({@link EnvelopeDelivery}) instead of receiving a
     * new {@link Message}, and nothing is allocated per delivery by the bus. Over JetStream the handler runs on the
     * consumer's own dispatcher thread, every message in stream order; in process on the reader or on
     * {@code AF_BUS_HANDLER_THREADS} shards (docs/bus.md).
     */
    Subscription subscribe(SubscriptionSpec spec, EnvelopeHandler handler);

    /**
     * Streams every message of a workflow's subjects stored at or after {@code since}, in stream order, each
     * verified. Verified messages go to {@code listener}; failures are counted and listed in the report.
     */
    ReplayReport replay(String workflowId, Instant since, ReplayListener listener);

    BusConfig config();

    /** Stops subscriptions (letting handlers in progress finish) and closes the connection. */
    @Override
    void close();
}
