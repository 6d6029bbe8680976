package io.agentflow.bus;

import io.agentflow.codec.EnvelopeEncoder;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageError;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
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
    private final Semaphore inFlight;
    private final BusMetrics metrics = BusMetrics.shared();
    private final BusTracing tracing;
    private final PublishGuard guard;
    private final List<JetStreamSubscription> subscriptions = new CopyOnWriteArrayList<>();
    private final ConnectionErrors errors;
    private io.agentflow.bus.pipeline.PublishPipeline pipeline;   // on first use

    private JetStreamBus(final BusConfig config, final Connection connection, final ConnectionErrors errors)
        throws IOException
    {
        this.config = config;
        this.errors = errors;
        this.connection = connection;
        this.js = connection.jetStream();
        this.jsm = connection.jetStreamManagement();
        this.inFlight = new Semaphore(config.maxInFlight());
        this.tracing = new BusTracing(config);
        this.guard = new PublishGuard(config, metrics);
    }

    /**
     * Connects to the servers of {@code config.url()}.
     *
     * @throws MessageError {@code transport_error} when no server answers.
     */
    public static JetStreamBus connect(final BusConfig config)
    {
        return connect(config, new Options.Builder());
    }

    /** Connects with extra jnats options (TLS, credentials) on top of the bus's settings. */
    public static JetStreamBus connect(final BusConfig config, final Options.Builder options)
    {
        config.conclude();
        final java.util.concurrent.atomic.AtomicReference<JetStreamBus> created =
            new java.util.concurrent.atomic.AtomicReference<>();
        final ConnectionErrors errors = new ConnectionErrors();
        try
        {
            config.security().apply(options);
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
                        bus.subscriptions.forEach(JetStreamSubscription::pullAgain);
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
            throw MessageErrors.transport("cannot connect to " + config.url() + ": " + ex.getMessage()
                + (cause.isEmpty() || String.valueOf(ex.getMessage()).contains(cause) ? "" : " (" + cause + ")"), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw MessageErrors.from(ex);
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
            throw errors.explain(MessageErrors.from(ex), start);
        }
        catch (final MessageError ex)
        {
            throw errors.explain(ex, start);
        }
    }

    /**
     * Publishes through the retry policy and the circuit breaker ({@link PublishGuard}): transient failures are
     * retried with the same message (same {@code Nats-Msg-Id}); while the breaker is open, publishes fail at once.
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
        return guard.publish(() -> attempt(subject, message));
    }

    /** One attempt (the subject is already checked): connection, in-flight permit, encode, publishAsync, ack. */
    private CompletableFuture<PublishAck> attempt(final String subject, final Message message)
    {
        final long start = System.nanoTime();
        try
        {
            if (Connection.Status.CONNECTED != connection.getStatus())
            {
                throw MessageErrors.transport("not connected to NATS (status " + connection.getStatus()
                    + "); retry with the same message, it will be stored once", null);
            }
            final MessageError denied = errors.publishDenied(subject);
            if (null != denied)
            {
                throw denied;
            }
            if (!inFlight.tryAcquire(config.publishTimeout().toMillis(), TimeUnit.MILLISECONDS))
            {
                throw MessageErrors.transport("in-flight window full: maxInFlight=" + config.maxInFlight()
                    + " publishes awaiting acks for " + config.publishTimeout(), null);
            }
        }
        catch (final MessageError ex)
        {
            metrics.publishFailed(message.type(), ex.code());
            return CompletableFuture.failedFuture(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            final MessageError error = MessageErrors.from(ex);
            metrics.publishFailed(message.type(), error.code());
            return CompletableFuture.failedFuture(error);
        }
        metrics.inFlight(1);
        final CompletableFuture<io.nats.client.api.PublishAck> sent;
        final BusTracing.Publish traced;
        try
        {
            traced = tracing.startPublish(subject, message);   // the stored message carries the span's ids
            final byte[] body = EnvelopeEncoder.threadLocal().wireBytes(traced.message());
            final io.nats.client.impl.Headers headers = tracing.headers(traced);
            config.signatures().sign(headers, traced.message().envelopeHash());
            sent = js.publishAsync(subject, headers, body, PublishOptions.builder()
                .messageId(message.id())
                .build());
        }
        catch (final RuntimeException ex)
        {
            metrics.inFlight(-1);   // before the permit: the gauge never shows more than the bound
            inFlight.release();
            final MessageError error = MessageErrors.from(ex);
            metrics.publishFailed(message.type(), error.code());
            return CompletableFuture.failedFuture(error);
        }
        return sent
            .orTimeout(config.publishTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .handle((ack, failure) ->
            {
                metrics.inFlight(-1);   // before the permit: the gauge never shows more than the bound
                inFlight.release();
                traced.end(failure);
                if (null != failure)
                {
                    final MessageError error = errors.explain(MessageErrors.from(failure), start)
                        .withDetail("id", message.id());
                    metrics.publishFailed(message.type(), error.code());
                    throw error;
                }
                metrics.published(message.type());
                return new PublishAck(ack.getStream(), ack.getSeqno(), ack.isDuplicate());
            });
    }

    @Override
    public synchronized io.agentflow.bus.pipeline.PublishPipeline pipeline()
    {
        if (null == pipeline)
        {
            pipeline = new io.agentflow.bus.pipeline.PublishPipeline(config, new JetStreamOutbound(connection, config),
                "nats");
        }
        return pipeline;
    }

    @Override
    public Subscription subscribe(final SubscriptionSpec spec, final MessageHandler handler)
    {
        final long start = System.nanoTime();
        final JetStreamSubscription subscription = new JetStreamSubscription(this, spec, handler);
        subscriptions.add(subscription);
        try
        {
            subscription.start();
        }
        catch (final MessageError ex)
        {
            subscriptions.remove(subscription);
            throw errors.explain(ex, start);
        }
        return subscription;
    }

    @Override
    public ReplayReport replay(final String workflowId, final Instant since, final ReplayListener listener)
    {
        return new Replayer(js, config.receiveLimits()).replay(Subjects.workflowAll(workflowId), since, listener);
    }

    @Override
    public BusConfig config()
    {
        return config;
    }

    public Connection connection()
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

    JetStreamManagement management()
    {
        return jsm;
    }

    void removed(final JetStreamSubscription subscription)
    {
        subscriptions.remove(subscription);
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
            throw errors.explain(MessageErrors.from(ex), start);
        }
    }

    /** @return the publish circuit breaker's state: CLOSED, OPEN or HALF_OPEN. */
    public String breakerState()
    {
        return guard.state().name();
    }

    @Override
    public void close()
    {
        synchronized (this)
        {
            if (null != pipeline)
            {
                pipeline.close();   // every committed publish completes first
            }
        }
        for (final JetStreamSubscription s : subscriptions)
        {
            s.close();
        }
        guard.close();
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
