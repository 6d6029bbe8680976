package io.agentflow.bus.jetstream;

import io.agentflow.bus.EnvelopeDelivery;
import io.agentflow.bus.EnvelopeHandler;
import io.agentflow.bus.SubscriptionSpec;
import io.agentflow.bus.runtime.SubscriptionLifecycle;
import io.agentflow.bus.security.Signatures;
import io.agentflow.bus.wire.Streams;
import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.EnvelopeEncoder;
import io.agentflow.codec.EnvelopeView;
import io.agentflow.codec.Message;
import io.agentflow.codec.error.MessageError;
import io.nats.client.impl.NatsJetStreamMetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The lean JetStream consume path: a durable subscription whose {@link EnvelopeHandler} reads each verified
 * envelope in place, on jnats' dispatcher thread, with no hand-off:
 * <pre>
 *   consume --> verify in place (scan, contract, SHA-256) --fail--> full decode: quarantine, or re-encode
 *                    |
 *                    ok --> de-dup --> handler --ok----> ack
 *                                          \--throws--> nak(delay), or quarantine at max deliveries
 * </pre>
 * The bytes jnats hands over are verified where they lie ({@link EnvelopeDecoder#verifyInPlace}): the whole
 * contract and the hash, nothing allocated. Bytes that are intact but not canonical (re-serialized on the way) are
 * decoded and delivered re-encoded; anything else goes to the quarantine and is never delivered.
 * <p>
 * One thread, jnats' dispatcher for this consumer, runs the handler: every message in stream order, so per-key
 * order holds without shards, and there is no queue, no executor task and no wake-up of a second thread per
 * message. A handler that blocks holds back this subscription's deliveries (not the others'); for parallel
 * handlers, use several subscriptions or the {@link MessageHandler} path and its shards.
 * <p>
 * Acknowledgements: explicit, one per message, fire-and-forget, sent by this thread right after the handler
 * returns; jnats' writer coalesces them into few socket writes. {@code AckPolicy.All} (one ack for a batch) is not
 * used: the provisioned consumers ack explicitly, a consumer's ack policy cannot be changed once it exists, and an
 * ack-all after a handler failure would acknowledge the failed message too.
 * <p>
 * As on the in-process envelope path, no CONSUMER span and no log context per delivery (both allocate); the
 * envelope's trace ids are there for a handler that wants them.
 */
final class JetStreamEnvelopeSubscription extends SubscriptionLifecycle implements EnvelopeDelivery.Positions
{
    private static final Logger LOG = LoggerFactory.getLogger(JetStreamEnvelopeSubscription.class);

    private final JetStreamBus bus;
    private final EnvelopeHandler handler;
    private final Quarantine quarantine;
    private final JetStreamConsumer consumer;
    private final Semaphore handling = new Semaphore(1);   // held while a message is between arrival and its ack
    // the dispatcher thread's own: one message at a time
    private final EnvelopeDecoder decoder;
    private final EnvelopeDelivery delivery = new EnvelopeDelivery();
    private final NatsHeaders received = new NatsHeaders();   // the dispatcher's, rewrapped per message
    private io.nats.client.Message current;

    JetStreamEnvelopeSubscription(final JetStreamBus bus, final SubscriptionSpec spec, final EnvelopeHandler handler)
    {
        super(bus.config(), spec);
        this.bus = bus;
        this.handler = handler;
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
            throw ex;
        }
    }

    private void onMessage(final io.nats.client.Message raw) throws InterruptedException
    {
        handling.acquire();
        try
        {
            if (!running.get())
            {
                raw.nak();   // pulled before the stop: the next subscriber gets it at once
                return;
            }
            final byte[] canonical = verified(raw);
            if (null != canonical)
            {
                current = raw;
                deliver(raw, canonical);
            }
        }
        finally
        {
            current = null;
            handling.release();
        }
    }

    /** @return the canonical bytes to deliver (jnats' own array, or a re-encoding), or null: quarantined. */
    private byte[] verified(final io.nats.client.Message raw)
    {
        final byte[] data = raw.getData();
        byte[] canonical = data;
        if (!decoder.verifyInPlace(data, 0, data.length))
        {
            try
            {
                final Message message = decoder.decode(data);   // names the failure, or accepts a re-serialization
                canonical = EnvelopeEncoder.threadLocal().wireBytes(message);
            }
            catch (final MessageError e)
            {
                metrics.refused(e.code());
                refuse(raw, e);
                return null;
            }
        }
        if (!config.signatures().policy().isNone())
        {
            final EnvelopeView view = delivery.envelope().wrap(canonical, 0, canonical.length);
            // the sender as written: canonical JSON escapes only quotes, backslashes and controls, and a sender
            // that needs them matches no grant but "*", so the check errs towards refusing
            final String from = new String(view.buffer(), view.fromOffset(), view.fromLength(), StandardCharsets.UTF_8);
            final MessageError unsigned = config.signatures().check(raw.getSubject(), view.id(), from,
                view.envelopeHash(), received.wrap(raw.getHeaders()));
            if (null != unsigned)
            {
                refuse(raw, unsigned);
                return null;
            }
        }
        metrics.verified();
        return canonical;
    }

    private void deliver(final io.nats.client.Message raw, final byte[] canonical)
    {
        final String subject = raw.getSubject();
        final EnvelopeView envelope = delivery.set(subject, this, canonical, 0, canonical.length)
            .signedBy(config.signatures().signer(subject, received.wrap(raw.getHeaders()))).envelope();
        // claimed before the handler runs, forgotten if it fails: a copy arriving meanwhile is a duplicate
        final int idAt = envelope.idOffset();
        if (!handled.addIfAbsent(canonical, idAt))
        {
            raw.ack();
            countDuplicate();
            return;
        }
        if (!breaker.await(running))
        {
            handled.forget(canonical, idAt);
            raw.nak();   // the subscription closed while its open breaker held this: for the next subscriber
            return;
        }
        metrics.delivered(envelope.type(), subject, envelope.tsMicros());
        try
        {
            handler.onEnvelope(delivery);
            breaker.succeeded();
        }
        catch (final Exception ex)
        {
            handled.forget(canonical, idAt);
            failed(raw, envelope, ex);
            return;
        }
        raw.ack();
        delivered.increment();
    }

    private void failed(final io.nats.client.Message raw, final EnvelopeView envelope, final Exception ex)
    {
        final String id = envelope.id();
        handlerFailed(deliveryCount(), id, envelope.type(), raw.getSubject(), ex,
            (why, stored) -> quarantine.quarantine(raw, spec.durableName(), Streams.MAX_DELIVERIES, id, why,
                stored),
            raw::nakWithDelay);
    }

    /** Logs the refusal to the audit log and moves the message to the quarantine: no handler ever sees it. */
    private void refuse(final io.nats.client.Message raw, final MessageError e)
    {
        final String reason = Signatures.reason(e);
        quarantine.refuse(raw, spec.durableName(), e, reason, () -> countQuarantined(reason));
    }

    /** Read from the message's ack subject only when asked: jnats parses it into a new object. */
    @Override
    public long streamSequence()
    {
        return meta().streamSequence();
    }

    @Override
    public long deliveryCount()
    {
        return meta().deliveredCount();
    }

    private NatsJetStreamMetaData meta()
    {
        final io.nats.client.Message raw = current;
        if (null == raw)
        {
            throw new IllegalStateException("delivery read outside EnvelopeHandler.onEnvelope");
        }
        return raw.metaData();
    }

    @Override
    public void close()
    {
        if (!beginClose())
        {
            return;
        }
        consumer.stop();   // no new pulls; what still arrives is nak'd for the next subscriber
        try
        {
            // the permit back means the handler in progress, if any, has finished and acked or nak'd
            if (handling.tryAcquire(config.publishTimeout().toMillis(), TimeUnit.MILLISECONDS))
            {
                handling.release();
            }
            else
            {
                LOG.warn("the handler of consumer={} is still running after {}", spec.durableName(),
                    config.publishTimeout());
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        consumer.close();   // the durable consumer stays on the server
        bus.removed(this);
    }
}
