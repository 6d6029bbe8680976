package io.agentflow.bus;

import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageError;
import io.nats.client.JetStreamApiException;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.impl.NatsJetStreamMetaData;
import net.openhft.hashing.LongHashFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * A durable pull subscription: the inbound edge from jnats. One puller thread fetches batches; each message is
 * verified (hash and contract) on that thread before anything else happens:
 * <pre>
 *   fetch(batch) --> decode+verify --fail--> quarantine, term            (never reaches a handler)
 *                        |
 *                        ok --> shard[hash(key) % n] --> handler --ok----> ack
 *                                                              \--throws--> nak(delay), or quarantine at max
 * </pre>
 * The ordering key is the agent or workflow id of the subject (else the sender), so one agent's messages are
 * handled in order and different agents' in parallel. The puller waits for a batch's handlers before fetching the
 * next, which bounds memory to one batch. Acks are explicit and fire-and-forget: jnats' writer coalesces the acks
 * of a batch into few socket writes; {@code AckPolicy.All} is not used because acking a later message would also
 * ack an earlier one still being handled on another shard.
 */
final class JetStreamSubscription implements Subscription
{
    private static final Logger LOG = LoggerFactory.getLogger(JetStreamSubscription.class);
    private static final Duration FETCH_WAIT = Duration.ofMillis(250);
    private static final LongHashFunction HASH = LongHashFunction.xx3();

    private final JetStreamBus bus;
    private final SubscriptionSpec spec;
    private final MessageHandler handler;
    private final BusConfig config;
    private final ExecutorService[] shards;
    private final Quarantine quarantine;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final LongAdder delivered = new LongAdder();
    private final LongAdder redelivered = new LongAdder();
    private final LongAdder quarantined = new LongAdder();
    private final Thread puller;
    private io.nats.client.JetStreamSubscription natsSubscription;

    JetStreamSubscription(final JetStreamBus bus, final SubscriptionSpec spec, final MessageHandler handler)
    {
        this.bus = bus;
        this.spec = spec;
        this.handler = handler;
        this.config = bus.config();
        this.quarantine = new Quarantine(bus.jetStream(), config.publishTimeout());
        this.shards = new ExecutorService[config.handlerThreads()];
        for (int i = 0; i < shards.length; i++)
        {
            final int shard = i;
            shards[i] = Executors.newSingleThreadExecutor(r -> daemon(r, "af-handler-" + spec.durableName() + "-"
                + shard));
        }
        this.puller = daemon(this::pull, "af-puller-" + spec.durableName());
    }

    void start()
    {
        final String stream = bus.streamFor(spec.filterSubject());
        final ConsumerConfiguration wanted = StreamProvisioner.durableConsumer(config, spec.durableName(),
            spec.filterSubject(), config.fetchBatch() * 2);
        try
        {
            ensureConsumer(stream, wanted);
            natsSubscription = bus.jetStream().subscribe(spec.filterSubject(),
                PullSubscribeOptions.bind(stream, spec.durableName()));
        }
        catch (final IOException | JetStreamApiException ex)
        {
            closeShards();
            throw MessageErrors.from(ex).withDetail("consumer", spec.durableName());
        }
        puller.start();
    }

    private void ensureConsumer(final String stream, final ConsumerConfiguration wanted)
        throws IOException, JetStreamApiException
    {
        try
        {
            bus.management().getConsumerInfo(stream, spec.durableName());   // exists: bind as it is
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

    private void pull()
    {
        final EnvelopeDecoder decoder = new EnvelopeDecoder();
        while (running.get())
        {
            final List<io.nats.client.Message> batch;
            try
            {
                batch = natsSubscription.fetch(config.fetchBatch(), FETCH_WAIT);
            }
            catch (final RuntimeException ex)
            {
                if (running.get())
                {
                    LOG.warn("fetch failed on consumer={}: {}; retrying", spec.durableName(), ex.toString());
                    sleepQuietly(config.reconnectWait());
                }
                continue;
            }
            if (batch.isEmpty())
            {
                continue;
            }
            final CountDownLatch done = new CountDownLatch(batch.size());
            for (final io.nats.client.Message raw : batch)
            {
                if (!raw.isJetStream())
                {
                    done.countDown();   // a status message; jnats handles it
                    continue;
                }
                final Message message;
                try
                {
                    message = decoder.decode(raw.getData());
                }
                catch (final MessageError e)
                {
                    final Object id = e.details().get("id");
                    if (quarantine.quarantine(raw, spec.durableName(), e.code().wireName(),
                        id instanceof String ? (String)id : "-", e.getMessage()))
                    {
                        quarantined.increment();
                    }
                    done.countDown();
                    continue;
                }
                shards[shardOf(raw.getSubject(), message)].execute(() -> handle(raw, message, done));
            }
            awaitQuietly(done);
        }
    }

    private void handle(final io.nats.client.Message raw, final Message message, final CountDownLatch done)
    {
        final NatsJetStreamMetaData meta = raw.metaData();
        try
        {
            handler.onMessage(message, new Delivery(raw.getSubject(), meta.streamSequence(), meta.deliveredCount()));
            raw.ack();
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
                    quarantined.increment();
                }
            }
            else
            {
                final Duration delay = config.redeliveryDelay(meta.deliveredCount());
                LOG.info("handler failed message_id={} subject={} delivery={} redelivery_in={}: {}", message.id(),
                    raw.getSubject(), meta.deliveredCount(), delay, ex.toString());
                raw.nakWithDelay(delay);
                redelivered.increment();
            }
        }
        finally
        {
            done.countDown();
        }
    }

    private int shardOf(final String subject, final Message message)
    {
        final String token = Subjects.idToken(subject);
        final String key = null == token ? message.from() : token;
        return (int)Math.floorMod(HASH.hashChars(key), (long)shards.length);
    }

    @Override
    public SubscriptionSpec spec()
    {
        return spec;
    }

    @Override
    public SubscriptionStats stats()
    {
        return new SubscriptionStats(delivered.sum(), redelivered.sum(), quarantined.sum());
    }

    @Override
    public void close()
    {
        if (!running.compareAndSet(true, false))
        {
            return;
        }
        try
        {
            puller.join(FETCH_WAIT.toMillis() + config.publishTimeout().toMillis() * 4);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        closeShards();
        try
        {
            natsSubscription.unsubscribe();   // the durable consumer stays on the server
        }
        catch (final IllegalStateException ex)
        {
            LOG.debug("subscription already closed: {}", ex.toString());
        }
        bus.removed(this);
    }

    private void closeShards()
    {
        for (final ExecutorService shard : shards)
        {
            shard.shutdown();
        }
        for (final ExecutorService shard : shards)
        {
            try
            {
                if (!shard.awaitTermination(config.publishTimeout().toMillis(), TimeUnit.MILLISECONDS))
                {
                    LOG.warn("handler of consumer={} still running after {}", spec.durableName(),
                        config.publishTimeout());
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(final Duration d)
    {
        try
        {
            Thread.sleep(d.toMillis());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(final Runnable r, final String name)
    {
        final Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
