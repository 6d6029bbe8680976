package io.agentflow.bus;

import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageError;
import io.nats.client.JetStreamApiException;
import io.nats.client.ConsumeOptions;
import io.nats.client.MessageConsumer;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.impl.NatsJetStreamMetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
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
 * handled in order and different agents' in parallel. At most {@code 2 * fetchBatch} messages are between arrival
 * and acknowledgement: when all permits are taken the dispatcher waits, the outstanding pulls run out, and the
 * server stops sending, which bounds memory. Acks are explicit and fire-and-forget: jnats' writer coalesces them
 * into few socket writes (what that buys is in perf-reports/bus.md); {@code AckPolicy.All} is not used because
 * acking a later message would also ack an earlier one still being handled on another shard.
 */
final class JetStreamSubscription extends SubscriptionBase
{
    private static final Logger LOG = LoggerFactory.getLogger(JetStreamSubscription.class);

    /**
     * Pull requests expire after this long and are renewed. A server restart, or a cluster moving the consumer's
     * leader, forgets outstanding pulls; jnats notices through missed idle heartbeats (half the expiry) and pulls
     * again. With jnats' 30 s default a subscriber stayed idle for over 30 s after a restart (ServerRestartTest);
     * at 2 s a lost leader costs seconds, for one small pull request per 2 s per idle subscription. A reconnect
     * pulls again at once ({@link #pullAgain()}).
     */
    private static final long PULL_EXPIRES_MS = 2_000;

    private final JetStreamBus bus;
    private final Quarantine quarantine;
    private final EnvelopeDecoder decoder;   // used on the one dispatcher thread
    private MessageConsumer consumer;   // replaced under this object's lock
    private String stream;

    JetStreamSubscription(final JetStreamBus bus, final SubscriptionSpec spec, final MessageHandler handler)
    {
        super(bus.config(), spec, handler, "af-handler-");
        this.bus = bus;
        this.quarantine = new Quarantine(bus.jetStream(), config.publishTimeout());
        this.decoder = new EnvelopeDecoder(config.receiveLimits());
    }

    synchronized void start()
    {
        stream = bus.streamFor(spec.filterSubject());
        final ConsumerConfiguration defaults = StreamProvisioner.durableConsumer(config, spec.durableName(),
            spec.filterSubject(), config.fetchBatch() * 2);
        final ConsumerConfiguration wanted = SubscriptionSpec.StartPosition.NEW == spec.start()
            ? ConsumerConfiguration.builder(defaults).deliverPolicy(io.nats.client.api.DeliverPolicy.New).build()
            : defaults;
        try
        {
            ensureConsumer(stream, wanted);
            consumer = consume();
            metrics.lag(spec.durableName(), this::lag);
        }
        catch (final IOException | JetStreamApiException ex)
        {
            beginClose();
            shards.close(config.publishTimeout());
            throw MessageErrors.from(ex).withDetail("consumer", spec.durableName());
        }
    }

    private MessageConsumer consume() throws IOException, JetStreamApiException
    {
        return bus.connection().getConsumerContext(stream, spec.durableName()).consume(
            ConsumeOptions.builder().batchSize(config.fetchBatch()).expiresIn(PULL_EXPIRES_MS).build(),
            this::onMessage);
    }

    /**
     * After a reconnect: a restarted server has forgotten the outstanding pull requests, and jnats would only
     * notice at the next missed heartbeat, so pull again at once. The old consumer's pulls, if the server still
     * holds them, deliver to the same callback until they expire.
     */
    synchronized void pullAgain()
    {
        if (!running.get())
        {
            return;
        }
        try
        {
            final MessageConsumer previous = consumer;
            consumer = consume();
            previous.stop();
            LOG.info("consumer={} pulling again after a reconnect", spec.durableName());
        }
        catch (final IOException | JetStreamApiException | RuntimeException ex)
        {
            LOG.warn("consumer={} could not pull again after a reconnect; jnats retries at its next heartbeat: {}",
                spec.durableName(), ex.toString());
        }
    }

    private void ensureConsumer(final String stream, final ConsumerConfiguration wanted)
        throws IOException, JetStreamApiException
    {
        try
        {
            final ConsumerInfo info = bus.management().getConsumerInfo(stream, spec.durableName());   // bind as is
            if (config.orderedResume() && info.getNumAckPending() > 0)
            {
                awaitPredecessorsRedelivery(info);
            }
        }
        catch (final JetStreamApiException ex)
        {
            if (404 != ex.getErrorCode())
            {
                throw ex;
            }
            bus.management().addOrUpdateConsumer(stream, wanted);
        }
    }

    /**
     * Messages delivered to a consumer that died are redelivered once their ack wait runs out; pulling before then
     * would hand out the messages behind them first and break per-agent order. Waiting one ack wait means the
     * server redelivers them first, in stream order (ConsumerCrashTest). A sibling sharing the durable consumer
     * also leaves messages awaiting acks, so it costs a start-up delay there: AF_BUS_ORDERED_RESUME=false.
     */
    private void awaitPredecessorsRedelivery(final ConsumerInfo info)
    {
        final Duration wait = info.getConsumerConfiguration().getAckWait();
        LOG.info("consumer={} has {} messages awaiting acks from a previous subscriber; waiting {} so they are "
            + "redelivered first, in order", spec.durableName(), info.getNumAckPending(), wait);
        try
        {
            Thread.sleep(wait.toMillis() + 100);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw MessageErrors.from(ex);
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
            refuse(raw, e, e.code().wireName());
            return;
        }
        final MessageError unsigned = config.signatures().check(raw.getSubject(), message.id(),
            message.envelopeHash(), raw.getHeaders());
        if (null != unsigned)
        {
            refuse(raw, unsigned, (String)unsigned.details().get("signature"));
            return;
        }
        metrics.verified();
        inFlight.acquire();
        shards.execute(raw.getSubject(), message, () -> handle(raw, message));
    }

    /** Logs the refusal to the audit log and moves the message to the quarantine: no handler ever sees it. */
    private void refuse(final io.nats.client.Message raw, final MessageError e, final String reason)
    {
        Quarantine.audit(e, raw.getSubject());
        final Object id = e.details().get("id");
        if (quarantine.quarantine(raw, spec.durableName(), reason, id instanceof String ? (String)id : "-",
            e.getMessage()))
        {
            countQuarantined(reason);
        }
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
        try
        {
            metrics.delivered(message.type(), raw.getSubject(), message.tsMicros());
            bus.tracing().process(raw.getSubject(), message, raw.getHeaders(), () -> handler.onMessage(message,
                new Delivery(raw.getSubject(), meta.streamSequence(), meta.deliveredCount())));
            raw.ack();
            handled.add(message.id());
            delivered.increment();
        }
        catch (final Exception ex)
        {
            if (meta.deliveredCount() >= config.maxDeliver())
            {
                if (quarantine.quarantine(raw, spec.durableName(), Quarantine.MAX_DELIVERIES, message.id(),
                    "handler failed on delivery " + meta.deliveredCount() + " of " + config.maxDeliver() + ": "
                        + ex))
                {
                    countQuarantined(Quarantine.MAX_DELIVERIES);
                }
            }
            else
            {
                metrics.redelivered(message.type());
                final Duration delay = config.redeliveryDelay(meta.deliveredCount());
                LOG.info("handler failed message_id={} subject={} delivery={} redelivery_in={}: {}", message.id(),
                    raw.getSubject(), meta.deliveredCount(), delay, ex.toString());
                raw.nakWithDelay(delay);
                redelivered.increment();
            }
        }
        finally
        {
            inFlight.release();
        }
    }

    /** @return messages stored for this consumer and not yet delivered, asked of the broker; -1 if it won't say. */
    private long lag()
    {
        try
        {
            // the management API's replies do not pass through this consumer's dispatcher, which a full
            // in-flight window can hold
            return bus.management().getConsumerInfo(stream, spec.durableName()).getNumPending();
        }
        catch (final IOException | JetStreamApiException | RuntimeException ex)
        {
            LOG.debug("lag of consumer={} unknown: {}", spec.durableName(), ex.toString());
            return -1;
        }
    }

    @Override
    public void close()
    {
        if (!beginClose())
        {
            return;
        }
        synchronized (this)   // not while pullAgain replaces the consumer
        {
            consumer.stop();   // no new pulls; what still arrives is nak'd for the next subscriber
        }
        final int permits = config.fetchBatch() * 2;
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
        try
        {
            consumer.close();   // the durable consumer stays on the server
        }
        catch (final Exception ex)
        {
            LOG.debug("consumer of {} already closed: {}", spec.durableName(), ex.toString());
        }
        bus.removed(this);
    }
}
