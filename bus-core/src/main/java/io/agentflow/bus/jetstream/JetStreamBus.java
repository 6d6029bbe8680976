package io.agentflow.bus.jetstream;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.BusSecurity;
import io.agentflow.bus.EnvelopeHandler;
import io.agentflow.bus.MessageBus;
import io.agentflow.bus.MessageErrors;
import io.agentflow.bus.MessageHandler;
import io.agentflow.bus.PublishAck;
import io.agentflow.bus.ReplayListener;
import io.agentflow.bus.ReplayReport;
import io.agentflow.bus.Subscription;
import io.agentflow.bus.SubscriptionSpec;
import io.agentflow.bus.observe.BusMetrics;
import io.agentflow.bus.observe.BusTracing;
import io.agentflow.bus.runtime.LazyPipeline;
import io.agentflow.bus.runtime.MessagePublish;
import io.agentflow.bus.runtime.PublishGuard;
import io.agentflow.bus.runtime.SubscriptionLifecycle;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import io.agentflow.codec.error.MessageError;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The {@link MessageBus} over NATS JetStream. Outbound, each publish is encoded and hashed by this thread's
 * {@link EnvelopeEncoder} and sent with {@code publishAsync}; jnats has no bound on publishes awaiting acks, so a
 * semaphore of {@link BusConfig#maxInFlight()} permits enforces one.
 * <p>
 * While the connection is not {@code CONNECTED} (reconnecting, closed), a publish fails at once with a retryable
 * {@code transport_error} instead of queueing in jnats' reconnect buffer: a caller learns about the outage
 * immediately and can retry with the same message, which the broker stores once. Thread-safe.
 */
public final class JetStreamBus implements MessageBus
{
    private static final Logger LOG = LoggerFactory.getLogger(JetStreamBus.class);

    private final BusConfig config;
    private final Connection connection;
    private final JetStream js;
    private final JetStreamManagement jsm;
    private final BusMetrics metrics = BusMetrics.shared();
    private final BusTracing tracing;
    private final LazyPipeline pipeline;   // the claim path, which publish(Message) rides on too
    private final PublishGuard guard;
    private final List<SubscriptionLifecycle> subscriptions = new CopyOnWriteArrayList<>();
    private final List<JetStreamConsumer> consumers = new CopyOnWriteArrayList<>();
    private final ConnectionErrors errors;
    private final JetStreamAdmin admin;
    private final WorkflowIndexer indexer;   // null unless AF_BUS_WORKFLOW_INDEX

    private JetStreamBus(final BusConfig config, final Connection connection, final ConnectionErrors errors)
        throws IOException
    {
        this.config = config;
        this.errors = errors;
        this.connection = connection;
        this.js = connection.jetStream();
        this.jsm = connection.jetStreamManagement();
        this.admin = new JetStreamAdmin(connection, errors,
            durable -> subscriptions.stream().anyMatch(s -> s.spec().durableName().equals(durable)));
        this.tracing = new BusTracing(config.tracing(), config.openTelemetry());
        this.guard = new PublishGuard(config, metrics);
        this.pipeline = new LazyPipeline(() -> new io.agentflow.bus.pipeline.PublishPipeline(config.pipelineSettings(),
            new JetStreamOutbound(connection, config, errors)));
        this.indexer = config.workflowIndex()
            ? new WorkflowIndexer(js, jsm, config.receiveLimits(), config.delivery().ackWait()).start() : null;
    }

    /**
     * Connects to the servers of {@code config.url()}.
     *
     * @throws MessageError {@code transport_error} when no server answers.
     */
    public static JetStreamBus connect(final BusConfig config)
    {
        config.conclude();
        final Options.Builder options = NatsOptions.of(config);
        final java.util.concurrent.atomic.AtomicReference<JetStreamBus> created =
            new java.util.concurrent.atomic.AtomicReference<>();
        final ConnectionErrors errors = new ConnectionErrors();
        try
        {
            options.errorListener(errors);
            final Connection connection = Nats.connect(options
                .servers(config.url().split(","))
                .maxReconnects(config.maxReconnect())
                .reconnectWait(config.reconnectWait())
                .connectionName("agentflow")
                .connectionListener((conn, event) ->
                {
                    LOG.info("nats connection event={} server={}", event, conn.getConnectedUrl());
                    final JetStreamBus bus = created.get();
                    if (ConnectionListener.Events.RESUBSCRIBED == event && null != bus)
                    {
                        bus.consumers.forEach(JetStreamConsumer::pullAgain);
                    }
                })
                .build());
            created.set(new JetStreamBus(config, connection, errors));
            return created.get();
        }
        catch (final IOException ex)
        {
            final String reported = errors.lastFailure();
            // TLS 1.3: a server that rejects the client's certificate closes the connection after the handshake,
            // and jnats sees only a time-out
            final String cause = !reported.isEmpty() || null == config.security().tlsCaFile() ? reported
                : "the server closed the TLS connection without a reason: if it requires mutual TLS, set "
                    + BusSecurity.TLS_CERT_FILE_ENV + " and " + BusSecurity.TLS_KEY_FILE_ENV
                    + " to a certificate its CA signed";
            // jnats names the servers, user information included, in its message: the cause is kept redacted
            final IOException redacted = new IOException(BusSecurity.redact(ex.getMessage()), ex.getCause());
            redacted.setStackTrace(ex.getStackTrace());
            throw MessageErrors.transport(BusSecurity.redact("cannot connect to " + config.url() + ": "
                + ex.getMessage() + (cause.isEmpty() || String.valueOf(ex.getMessage()).contains(cause) ? ""
                : " (" + cause + ")")), redacted);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw JetStreamErrors.from(ex);
        }
    }

    /** Creates or updates the streams and default consumers; see {@link StreamProvisioner}. */
    public List<StreamProvisioner.Outcome> provision()
    {
        final long start = System.nanoTime();
        try
        {
            return new StreamProvisioner(connection, config).provision();
        }
        catch (final IOException ex)
        {
            throw errors.explain(JetStreamErrors.from(ex), start);
        }
        catch (final MessageError ex)
        {
            throw errors.explain(ex, start);
        }
    }

    /**
     * Publishes through the retry policy and the circuit breaker ({@link PublishGuard}): transient failures are
     * retried with the same message (same {@code Nats-Msg-Id}); while the breaker is open, publishes fail at once.
     * Each attempt rides on the claim path ({@link MessagePublish}): one outbound edge for both ways of publishing.
     */
    @Override
    public CompletableFuture<PublishAck> publish(final String subject, final Message message)
    {
        try
        {
            Subjects.checkPublishSubject(subject);   // bad input is neither retried nor held against the broker
        }
        catch (final MessageError ex)
        {
            metrics.publishFailed(message.type(), ex.code());
            return CompletableFuture.failedFuture(ex);
        }
        return guard.publish(() ->
        {
            final long start = System.nanoTime();
            return MessagePublish.publish(pipeline, subject, message, tracing, e -> errors.explain(e, start));
        });
    }

    /** The claim path; its ring is the in-flight bound ({@code AF_BUS_MAX_IN_FLIGHT}) for both ways of publishing. */
    @Override
    public io.agentflow.bus.pipeline.PublishPipeline pipeline()
    {
        return pipeline.get();
    }

    @Override
    public Subscription subscribe(final SubscriptionSpec spec, final MessageHandler handler)
    {
        final JetStreamSubscription subscription = new JetStreamSubscription(this, spec, handler);
        return started(subscription, subscription::start);
    }

    @Override
    public Subscription subscribe(final SubscriptionSpec spec, final EnvelopeHandler handler)
    {
        final JetStreamEnvelopeSubscription subscription = new JetStreamEnvelopeSubscription(this, spec, handler);
        return started(subscription, subscription::start);
    }

    /** Registers and starts a subscription; a failure to start is explained and unregisters it. */
    private Subscription started(final SubscriptionLifecycle subscription, final Runnable start)
    {
        final long began = System.nanoTime();
        subscriptions.add(subscription);
        try
        {
            start.run();
        }
        catch (final MessageError ex)
        {
            subscriptions.remove(subscription);
            throw errors.explain(ex, began);
        }
        return subscription;
    }

    @Override
    public ReplayReport replay(final String workflowId, final Instant since, final ReplayListener listener)
    {
        return new Replayer(js, jsm, config.receiveLimits(), config.signatures(), workflowId, since, listener).replay();
    }

    @Override
    public BusConfig config()
    {
        return config;
    }

    /** Stream and consumer state, a durable's deletion, the server's version: in our types. */
    public JetStreamAdmin admin()
    {
        return admin;
    }

    /**
     * Starts watching {@code subject} (wildcards allowed) without a consumer: see {@link SubjectWatch}. Close the
     * watch before the bus.
     */
    public SubjectWatch watch(final String subject)
    {
        return new SubjectWatch(connection, subject, config);
    }

    Connection connection()
    {
        return connection;
    }

    BusTracing tracing()
    {
        return tracing;
    }

    JetStream jetStream()
    {
        return js;
    }

    /** @return the connected server's {@code max_payload}: the largest message it accepts, headers included. */
    public long maxPayload()
    {
        return connection.getServerInfo().getMaxPayload();
    }

    JetStreamManagement management()
    {
        return jsm;
    }

    void removed(final SubscriptionLifecycle subscription)
    {
        subscriptions.remove(subscription);
    }

    void consumerStarted(final JetStreamConsumer consumer)
    {
        consumers.add(consumer);
    }

    void consumerClosed(final JetStreamConsumer consumer)
    {
        consumers.remove(consumer);
    }

    /** @return the stream that stores {@code subject}. */
    String streamFor(final String subject)
    {
        final long start = System.nanoTime();
        try
        {
            final List<String> names = jsm.getStreamNames(subject);
            if (names.isEmpty())
            {
                throw MessageErrors.transport("no stream stores subject " + subject
                    + "; run 'agentflow streams' (or JetStreamBus.provision()) first", null);
            }
            return names.get(0);
        }
        catch (final IOException | JetStreamApiException ex)
        {
            throw errors.explain(JetStreamErrors.from(ex), start);
        }
    }

    /** @return the publish circuit breaker's state, as the design names it: closed, open or half_open. */
    public String breakerState()
    {
        return PublishGuard.stateName(guard.state());
    }

    @Override
    public void close()
    {
        pipeline.close();   // every committed publish completes first
        for (final SubscriptionLifecycle s : subscriptions)
        {
            s.close();
        }
        guard.close();
        if (null != indexer)
        {
            indexer.close();
        }
        try
        {
            connection.drain(config.publishTimeout()).get(config.publishTimeout().toMillis() * 2,
                TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            closeQuietly();
        }
        catch (final Exception ex)
        {
            LOG.warn("drain did not complete cleanly, closing: {}", ex.toString());
            closeQuietly();
        }
    }

    private void closeQuietly()
    {
        try
        {
            connection.close();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
