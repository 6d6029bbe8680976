package io.agentflow.bus.jetstream;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.SubscriptionSpec;
import io.agentflow.bus.observe.BusMetrics;
import io.nats.client.ConsumeOptions;
import io.nats.client.JetStreamApiException;
import io.nats.client.MessageConsumer;
import io.nats.client.MessageHandler;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;

/**
 * The durable pull consumer under a JetStream subscription, whatever its handler: binding to the consumer (made
 * with the bus's settings when absent), waiting out a dead predecessor's unacknowledged messages so they come
 * first, jnats' consume loop, pulling again after a reconnect, the lag report, and stopping. Messages go to the
 * given jnats handler on jnats' dispatcher thread, one at a time, in stream order.
 */
final class JetStreamConsumer
{
    private static final Logger LOG = LoggerFactory.getLogger(JetStreamConsumer.class);

    /**
     * Pull requests expire after this long and are renewed. A server restart, or a cluster moving the consumer's
     * leader, forgets outstanding pulls; jnats notices through missed idle heartbeats (half the expiry) and pulls
     * again. With jnats' 30 s default a subscriber stayed idle for over 30 s after a restart (ServerRestartTest);
     * at 2 s a lost leader costs seconds, for one small pull request per 2 s per idle subscription. A reconnect
     * pulls again at once ({@link #pullAgain()}).
     */
    private static final long PULL_EXPIRES_MS = 2_000;

    private final JetStreamBus bus;
    private final BusConfig config;
    private final SubscriptionSpec spec;
    private final MessageHandler onMessage;
    private final int maxAckPending;
    private MessageConsumer consumer;   // replaced under this object's lock
    private String stream;
    private boolean stopped;

    JetStreamConsumer(final JetStreamBus bus, final SubscriptionSpec spec, final int maxAckPending,
        final MessageHandler onMessage)
    {
        this.bus = bus;
        this.config = bus.config();
        this.spec = spec;
        this.maxAckPending = maxAckPending;
        this.onMessage = onMessage;
    }

    /**
     * Binds and starts consuming.
     *
     * @throws MessageError when the consumer cannot be made or bound.
     */
    synchronized void start()
    {
        stream = bus.streamFor(spec.filterSubject());
        final ConsumerConfiguration defaults = StreamProvisioner.durableConsumer(config, spec.durableName(),
            spec.filterSubject(), maxAckPending);
        final ConsumerConfiguration wanted = SubscriptionSpec.StartPosition.NEW == spec.start()
            ? ConsumerConfiguration.builder(defaults).deliverPolicy(io.nats.client.api.DeliverPolicy.New).build()
            : defaults;
        try
        {
            ensureConsumer(wanted);
            consumer = consume();
        }
        catch (final IOException | JetStreamApiException ex)
        {
            throw JetStreamErrors.from(ex).withDetail("consumer", spec.durableName());
        }
        BusMetrics.shared().lag(spec.durableName(), this::lag);
        bus.consumerStarted(this);
    }

    private MessageConsumer consume() throws IOException, JetStreamApiException
    {
        return bus.connection().getConsumerContext(stream, spec.durableName()).consume(
            ConsumeOptions.builder().batchSize(config.delivery().fetchBatch()).expiresIn(PULL_EXPIRES_MS).build(),
            onMessage);
    }

    /**
     * After a reconnect: a restarted server has forgotten the outstanding pull requests, and jnats would only
     * notice at the next missed heartbeat, so pull again at once. The old consumer's pulls, if the server still
     * holds them, deliver to the same handler until they expire.
     */
    synchronized void pullAgain()
    {
        if (stopped || null == consumer)
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

    private void ensureConsumer(final ConsumerConfiguration wanted) throws IOException, JetStreamApiException
    {
        try
        {
            final ConsumerInfo info = bus.management().getConsumerInfo(stream, spec.durableName());   // bind as is
            if (config.delivery().orderedResume() && info.getNumAckPending() > 0)
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
            throw JetStreamErrors.from(ex);
        }
    }

    /** @return messages stored for this consumer and not yet delivered, asked of the broker; -1 if it won't say. */
    private long lag()
    {
        try
        {
            // the management API's replies do not pass through this consumer's dispatcher, which a busy handler
            // can hold
            return bus.management().getConsumerInfo(stream, spec.durableName()).getNumPending();
        }
        catch (final IOException | JetStreamApiException | RuntimeException ex)
        {
            LOG.debug("lag of consumer={} unknown: {}", spec.durableName(), ex.toString());
            return -1;
        }
    }

    /** No new pulls; what still arrives goes to the handler, which naks it for the next subscriber. */
    synchronized void stop()
    {
        stopped = true;
        if (null != consumer)
        {
            consumer.stop();
        }
    }

    /** Lets go of jnats' consumer; the durable consumer stays on the server. */
    void close()
    {
        final MessageConsumer last;
        synchronized (this)
        {
            stopped = true;
            last = consumer;
        }
        bus.consumerClosed(this);
        if (null == last)
        {
            return;
        }
        try
        {
            last.close();
        }
        catch (final Exception ex)
        {
            LOG.debug("consumer of {} already closed: {}", spec.durableName(), ex.toString());
        }
    }
}
