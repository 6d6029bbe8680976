package io.agentflow.bus.jetstream;

import io.agentflow.bus.wire.Streams;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.StreamInfo;

import java.io.IOException;
import java.util.List;
import java.util.function.Predicate;

/**
 * What an operator asks of the bus's own streams and consumers, in our types: the command line's {@code streams}
 * and the load generator go through here and never touch jnats. Each call is one request to the server; a failure
 * is a {@code transport_error} (a permission refusal named as such). Thread-safe.
 */
public final class JetStreamAdmin
{
    private static final int NOT_FOUND = 404;

    private final Connection connection;
    private final JetStreamManagement jsm;
    private final ConnectionErrors errors;
    private final Predicate<String> inUse;

    /** A stream as the server reports it. */
    public record StreamState(String name, List<String> subjects, int replicas, long messages, long bytes)
    {
    }

    /**
     * A durable consumer as the server reports it: {@code pending} is stored and not yet delivered,
     * {@code awaitingAck} delivered and not yet acknowledged.
     */
    public record ConsumerState(String stream, String name, String filterSubject, long maxAckPending, long pending,
        long awaitingAck)
    {
    }

    JetStreamAdmin(final Connection connection, final ConnectionErrors errors, final Predicate<String> inUse)
        throws IOException
    {
        this.connection = connection;
        this.jsm = connection.jetStreamManagement();
        this.errors = errors;
        this.inUse = inUse;
    }

    /** @return the version of the server this bus is connected to, e.g. {@code 2.10.27}. */
    public String serverVersion()
    {
        return connection.getServerInfo().getVersion();
    }

    /** @throws MessageError {@code transport_error} when the stream does not exist or the server does not answer. */
    public StreamState stream(final String name)
    {
        final long start = System.nanoTime();
        try
        {
            final StreamInfo info = jsm.getStreamInfo(name);
            return new StreamState(name, List.copyOf(info.getConfiguration().getSubjects()),
                info.getConfiguration().getReplicas(), info.getStreamState().getMsgCount(),
                info.getStreamState().getByteCount());
        }
        catch (final IOException | JetStreamApiException ex)
        {
            throw errors.explain(JetStreamErrors.from(ex).withDetail("stream", name), start);
        }
    }

    /** @throws MessageError {@code transport_error} when the consumer does not exist or the server does not answer. */
    public ConsumerState consumer(final String stream, final String durableName)
    {
        final long start = System.nanoTime();
        try
        {
            final ConsumerInfo info = jsm.getConsumerInfo(stream, durableName);
            return new ConsumerState(stream, durableName, info.getConsumerConfiguration().getFilterSubject(),
                info.getConsumerConfiguration().getMaxAckPending(), info.getNumPending(), info.getNumAckPending());
        }
        catch (final IOException | JetStreamApiException ex)
        {
            throw errors.explain(JetStreamErrors.from(ex).withDetail("consumer", durableName), start);
        }
    }

    /**
     * Removes every message of a stream, keeping the stream and its consumers: for a scratch server (the load
     * generator's private one, between the probes of a capacity search), never for a shared one.
     *
     * @return how many messages were removed.
     * @throws MessageError {@code transport_error} when the stream does not exist or the server does not answer.
     */
    public long purge(final String stream)
    {
        final long start = System.nanoTime();
        try
        {
            return jsm.purgeStream(stream).getPurged();
        }
        catch (final IOException | JetStreamApiException ex)
        {
            throw errors.explain(JetStreamErrors.from(ex).withDetail("stream", stream), start);
        }
    }

    /**
     * Deletes a durable consumer, and with it its position, from whichever of the bus's streams holds it.
     *
     * @return whether one existed.
     * @throws MessageError {@code validation_error} while a subscription of this bus uses it.
     */
    public boolean deleteDurable(final String durableName)
    {
        if (inUse.test(durableName))
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, "durable_name",
                "consumer " + durableName + " has an active subscriber on this bus: close it first");
        }
        final long start = System.nanoTime();
        boolean deleted = false;
        for (final String stream : Streams.NAMES)
        {
            try
            {
                deleted |= jsm.deleteConsumer(stream, durableName);
            }
            catch (final JetStreamApiException ex)
            {
                if (NOT_FOUND != ex.getErrorCode())   // no such consumer (or stream) here
                {
                    throw errors.explain(JetStreamErrors.from(ex).withDetail("consumer", durableName), start);
                }
            }
            catch (final IOException ex)
            {
                throw errors.explain(JetStreamErrors.from(ex).withDetail("consumer", durableName), start);
            }
        }
        return deleted;
    }
}
