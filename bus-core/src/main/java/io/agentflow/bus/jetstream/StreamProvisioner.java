package io.agentflow.bus.jetstream;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.wire.Streams;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.ReplayPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Creates or updates the streams and default consumers, idempotently: a stream or consumer that already has the
 * wanted settings is left untouched, one that differs is updated in place, nothing is ever deleted.
 * <pre>
 *   stream         subjects                      storage  max_age  max_bytes  replicas
 *   AF_MESSAGES    workflows.*.*, agents.*.*     file     168h     10GB       R (3 on a cluster, 1 alone)
 *   AF_TOOLS       tools.*                       file     720h     5GB        R
 *   AF_SYSTEM      system.*                      file     24h      1GB        1
 *   AF_QUARANTINE  quarantine.&gt;                  file     720h     1GB        R   (64 records per subject)
 * </pre>
 * Quarantine records go to {@code quarantine.<reason>.<consumer>}: each writer under its own name (which subject
 * permissions can hold it to), and at most {@value #QUARANTINE_PER_SUBJECT} records per subject, the oldest
 * discarded first, so a flood of refusals at one consumer rotates only that consumer's records of that reason and
 * cannot evict anyone else's evidence (docs/security.md).
 * Duplicate window: 2 minutes (JetStream's default), the span within which a retried publish is stored once.
 */
public final class StreamProvisioner
{
    /** What one provisioning run did, for the command line and for tests. */
    public record Outcome(String name, String action)
    {
    }

    private final JetStreamManagement jsm;
    private final BusConfig config;
    private final int replicas;

    StreamProvisioner(final Connection connection, final BusConfig config) throws IOException
    {
        this.jsm = connection.jetStreamManagement();
        this.config = config;
        this.replicas = 0 != config.replicas() ? config.replicas() : detectReplicas(connection);
    }

    /** @return 3 when the server belongs to a cluster, else 1. */
    static int detectReplicas(final Connection connection)
    {
        final String cluster = connection.getServerInfo().getCluster();
        return null == cluster || cluster.isEmpty() ? 1 : 3;
    }

    public int replicas()
    {
        return replicas;
    }

    /** @return one outcome per stream and consumer: {@code created}, {@code updated} or {@code unchanged}. */
    public List<Outcome> provision()
    {
        final List<Outcome> outcomes = new ArrayList<>();
        for (final Streams.Descriptor d : Streams.ALL)
        {
            outcomes.add(stream(d.name(), d.subjects(), d.maxAge(), d.maxBytes(), d.replicated() ? replicas : 1,
                d.maxPerSubject()));
        }
        outcomes.add(consumer(Streams.MESSAGES, defaultConsumer(Streams.WORKFLOW_PROCESSOR, "workflows.*.in", 100)));
        outcomes.add(consumer(Streams.MESSAGES, defaultConsumer(Streams.AGENT_PROCESSOR, "agents.*.in", 50)));
        return outcomes;
    }

    private ConsumerConfiguration defaultConsumer(final String name, final String filter, final int maxAckPending)
    {
        return durableConsumer(config, name, filter, maxAckPending);
    }

    /** @return the settings of a durable pull consumer as the bus makes them. */
    static ConsumerConfiguration durableConsumer(
        final BusConfig config, final String name, final String filter, final int maxAckPending)
    {
        return ConsumerConfiguration.builder()
            .durable(name)
            .filterSubject(filter)
            .ackPolicy(AckPolicy.Explicit)   // AckPolicy.All would ack past a message still being handled
            .ackWait(config.delivery().ackWait())
            .maxDeliver(config.delivery().maxDeliver())
            .maxAckPending(maxAckPending)
            .deliverPolicy(DeliverPolicy.All)
            .replayPolicy(ReplayPolicy.Instant)
            .build();
    }

    private Outcome stream(final String name, final List<String> subjects, final Duration maxAge,
        final long maxBytes, final int r, final long perSubject)
    {
        final StreamConfiguration wanted = StreamConfiguration.builder()
            .name(name)
            .subjects(subjects)
            .storageType(StorageType.File)
            .maxAge(maxAge)
            .maxBytes(maxBytes)
            .replicas(r)
            .discardPolicy(DiscardPolicy.Old)
            .duplicateWindow(Streams.DUPLICATE_WINDOW)
            .maxMessagesPerSubject(perSubject)
            .build();
        try
        {
            final StreamInfo existing = existingStream(name);
            if (null == existing)
            {
                jsm.addStream(wanted);
                return new Outcome(name, "created");
            }
            final StreamConfiguration have = existing.getConfiguration();
            if (new HashSet<>(have.getSubjects()).equals(new HashSet<>(subjects))
                && have.getStorageType() == StorageType.File
                && Objects.equals(have.getMaxAge(), maxAge)
                && have.getMaxBytes() == maxBytes
                && have.getReplicas() == r
                && have.getDiscardPolicy() == DiscardPolicy.Old
                && Objects.equals(have.getDuplicateWindow(), Streams.DUPLICATE_WINDOW)
                && have.getMaxMsgsPerSubject() == perSubject)
            {
                return new Outcome(name, "unchanged");
            }
            jsm.updateStream(wanted);
            return new Outcome(name, "updated");
        }
        catch (final IOException | JetStreamApiException ex)
        {
            throw JetStreamErrors.from(ex).withDetail("stream", name);
        }
    }

    Outcome consumer(final String stream, final ConsumerConfiguration wanted)
    {
        try
        {
            final ConsumerInfo existing = existingConsumer(stream, wanted.getDurable());
            if (null != existing)
            {
                final ConsumerConfiguration have = existing.getConsumerConfiguration();
                if (Objects.equals(have.getFilterSubject(), wanted.getFilterSubject())
                    && Objects.equals(have.getAckWait(), wanted.getAckWait())
                    && have.getMaxDeliver() == wanted.getMaxDeliver()
                    && have.getMaxAckPending() == wanted.getMaxAckPending()
                    && have.getAckPolicy() == wanted.getAckPolicy())
                {
                    return new Outcome(stream + "/" + wanted.getDurable(), "unchanged");
                }
                jsm.addOrUpdateConsumer(stream, wanted);
                return new Outcome(stream + "/" + wanted.getDurable(), "updated");
            }
            jsm.addOrUpdateConsumer(stream, wanted);
            return new Outcome(stream + "/" + wanted.getDurable(), "created");
        }
        catch (final IOException | JetStreamApiException ex)
        {
            throw JetStreamErrors.from(ex).withDetail("consumer", wanted.getDurable());
        }
    }

    private StreamInfo existingStream(final String name) throws IOException, JetStreamApiException
    {
        try
        {
            return jsm.getStreamInfo(name);
        }
        catch (final JetStreamApiException ex)
        {
            if (404 == ex.getErrorCode())
            {
                return null;
            }
            throw ex;
        }
    }

    private ConsumerInfo existingConsumer(final String stream, final String name)
        throws IOException, JetStreamApiException
    {
        try
        {
            return jsm.getConsumerInfo(stream, name);
        }
        catch (final JetStreamApiException ex)
        {
            if (404 == ex.getErrorCode())
            {
                return null;
            }
            throw ex;
        }
    }
}
