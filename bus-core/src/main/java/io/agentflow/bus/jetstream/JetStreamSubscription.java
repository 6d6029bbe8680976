package io.agentflow.bus.jetstream;

import io.agentflow.bus.Delivery;
import io.agentflow.bus.MessageHandler;
import io.agentflow.bus.SubscriptionSpec;
import io.agentflow.bus.runtime.SubscriptionBase;
import io.agentflow.bus.security.Signatures;
import io.agentflow.bus.wire.Streams;
import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.Message;
import io.agentflow.codec.error.MessageError;
import io.nats.client.impl.NatsJetStreamMetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * A durable pull subscription: the inbound edge from jnats. jnats' consume loop keeps pull requests outstanding
 * (refilling below a threshold), so messages arrive as soon as they are stored; each is verified (hash and
 * contract) on the dispatcher thread before anything else happens:
 * <pre>
 *   consume --> decode+verify --fail--> quarantine, term                 (never reaches a handler)
 *                    |
 *                    ok --> shard[hash(key) % n] --> handler --ok----> ack
 *                                                          \--throws--> nak(delay), or quarantine at max
 * </pre>
 * The ordering key is the agent or workflow id of the subject (else the sender), so one agent's messages are
 * handled in order and different agents' in parallel. With {@code AF_BUS_HANDLER_THREADS=1} the dispatcher runs
 * the handler itself (no shard, no hand-off; {@link HandlerShards}). At most {@code 2 * fetchBatch} messages are
 * between arrival and acknowledgement: when all permits are taken the dispatcher waits, the outstanding pulls run
 * out, and the server stops sending, which bounds memory. Acks are explicit and fire-and-forget: jnats' writer
 * coalesces them into few socket writes (what that buys is in perf-reports/bus.md); {@code AckPolicy.All} is not
 * used because acking a later message would also ack an earlier one still being handled on another shard.
 */
final class JetStreamSubscription extends SubscriptionBase
{
    private static final Logger LOG = LoggerFactory.getLogger(JetStreamSubscription.class);

    private final JetStreamBus bus;
    private final Quarantine quarantine;
    private final EnvelopeDecoder decoder;   // used on the one dispatcher thread
    private final JetStreamConsumer consumer;
    private final NatsHeaders received = new NatsHeaders();   // the dispatcher's, rewrapped per message

    JetStreamSubscription(final JetStreamBus bus, final SubscriptionSpec spec, final MessageHandler handler)
    {
        super(bus.config(), spec, handler, "af-handler-");
        this.bus = bus;
        this.quarantine = new Quarantine(bus.jetStream(), config.publishTimeout(), bus.maxPayload());
        this.decoder = new EnvelopeDecoder(config.receiveLimits());
        this.consumer = new JetStreamConsumer(bus, spec, deliverySettings.fetchBatch() * 2, this::onMessage);
    }

    void start()
    {
        try
        {
            consumer.start();
        }
        catch (final MessageError ex)
        {
            beginClose();
            shards.close(config.publishTimeout());
            throw ex;
        }
    }

    private void onMessage(final io.nats.client.Message raw) throws InterruptedException
    {
        if (!running.get())
        {
            raw.nak();   // pulled before the stop: the next subscriber gets it at once
            return;
        }
        final Message message;
        try
        {
            message = decoder.decode(raw.getData());
        }
        catch (final MessageError e)
        {
            metrics.refused(e.code());
            refuse(raw, e);
            return;
        }
        final MessageError unsigned = config.signatures().check(raw.getSubject(), message.id(), message.from(),
            message.envelopeHash(), received.wrap(raw.getHeaders()));
        if (null != unsigned)
        {
            refuse(raw, unsigned);
            return;
        }
        metrics.verified();
        inFlight.acquire();
        if (shards.inline())
        {
            handle(raw, message);
        }
        else
        {
            shards.execute(raw.getSubject(), message, () -> handle(raw, message));
        }
    }

    /** Logs the refusal to the audit log and moves the message to the quarantine: no handler ever sees it. */
    private void refuse(final io.nats.client.Message raw, final MessageError e)
    {
        final String reason = Signatures.reason(e);
        quarantine.refuse(raw, spec.durableName(), e, reason, () -> countQuarantined(reason));
    }

    private void handle(final io.nats.client.Message raw, final Message message)
    {
        final NatsJetStreamMetaData meta = raw.metaData();
        if (alreadyHandled(message.id()))
        {
            raw.ack();
            inFlight.release();
            return;
        }
        if (!breaker.await(running))
        {
            raw.nak();   // the subscription closed while its open breaker held this: for the next subscriber
            inFlight.release();
            return;
        }
        try
        {
            metrics.delivered(message.type(), raw.getSubject(), message.tsMicros());
            final NatsHeaders headers = new NatsHeaders(raw.getHeaders());   // this handling's: shards run apart
            bus.tracing().process(raw.getSubject(), spec.durableName(), raw.getData().length, message, headers,
                () -> handler.onMessage(message,
                new Delivery(raw.getSubject(), meta.streamSequence(), meta.deliveredCount(),
                    config.signatures().signer(raw.getSubject(), headers))));
            breaker.succeeded();
            raw.ack();
            handled.add(message.id());
            delivered.increment();
        }
        catch (final Exception ex)
        {
            handlerFailed(meta.deliveredCount(), message.id(), message.type(), raw.getSubject(), ex,
                (why, stored) -> quarantine.quarantine(raw, spec.durableName(), Streams.MAX_DELIVERIES,
                    message.id(), why, stored),
                raw::nakWithDelay);
        }
        finally
        {
            inFlight.release();
        }
    }

    @Override
    public void close()
    {
        if (!beginClose())
        {
            return;
        }
        consumer.stop();   // no new pulls; what still arrives is nak'd for the next subscriber
        final int permits = deliverySettings.fetchBatch() * 2;
        try
        {
            // every permit back means every handler started has finished and acked or nak'd
            if (inFlight.tryAcquire(permits, config.publishTimeout().toMillis(), TimeUnit.MILLISECONDS))
            {
                inFlight.release(permits);
            }
            else
            {
                LOG.warn("handlers of consumer={} still running after {}", spec.durableName(),
                    config.publishTimeout());
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        shards.close(config.publishTimeout());
        consumer.close();   // the durable consumer stays on the server
        bus.removed(this);
    }
}
