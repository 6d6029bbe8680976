package io.agentflow.bus.jetstream;

import io.agentflow.bus.Delivery;
import io.agentflow.bus.ReplayListener;
import io.agentflow.bus.ReplayReport;
import io.agentflow.bus.runtime.WorkflowIds;
import io.agentflow.bus.security.ChainVerifier;
import io.agentflow.bus.security.Signatures;
import io.agentflow.bus.wire.Streams;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.Message;
import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.JsonLimits;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.ReplayPolicy;
import io.nats.client.impl.Headers;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.function.Consumer;

/**
 * One replay of a workflow: its messages in stream order, each verified (hash, contract, and signature by the bus's
 * policy, as a subscriber would). The workflow's own subjects are read with an ephemeral pull consumer from a point
 * in time. Where a {@value Streams#WORKFLOW_INDEXER} consumer exists (some bus runs the workflow index), the
 * workflow's messages on agent subjects are found through the index records plus a scan of the tail the indexer has
 * not acknowledged yet, fetched one by one and merged in stream order; nothing else of the stream is read. It
 * streams: memory holds one fetched batch, the indexed sequences and the list of failures. It reads the messages
 * stored when it began; later ones may be missing.
 */
final class Replayer
{
    private static final Duration WAIT = Duration.ofSeconds(1);
    private static final Duration INACTIVE = Duration.ofSeconds(30);
    private static final int BATCH = 256;
    private static final int NOT_FOUND = 404;
    /** The failure code of a message an index record pointed at that names another workflow. */
    static final String INDEX_MISMATCH = "index_mismatch";

    private final JetStream js;
    private final JetStreamManagement jsm;
    private final JsonLimits limits;
    private final Signatures signatures;
    private final String workflowId;
    private final Instant since;
    private final ReplayListener listener;
    private final EnvelopeDecoder decoder;
    private final List<ReplayReport.Failure> failures = new ArrayList<>();
    private final ChainVerifier chains;
    private long read;
    private long verified;
    private long examined;
    private long[] indexed;   // the workflow's messages on agent subjects, ascending
    private int nextIndexed;  // the first of them not read yet

    Replayer(final JetStream js, final JetStreamManagement jsm, final JsonLimits limits, final Signatures signatures,
        final String workflowId, final Instant since, final ReplayListener listener)
    {
        this.js = js;
        this.jsm = jsm;
        this.limits = limits;
        this.signatures = signatures;
        this.workflowId = Subjects.token(workflowId, "workflow_id");
        this.since = since;
        this.listener = listener;
        this.decoder = new EnvelopeDecoder(limits);
        this.chains = new ChainVerifier(!since.isAfter(Instant.EPOCH));   // from the start: chains begin at 1
    }

    ReplayReport replay()
    {
        try
        {
            indexed = indexedSequences();
            scan(Streams.MESSAGES, Subjects.workflowAll(workflowId), startAt(since), Long.MAX_VALUE, raw ->
            {
                final long sequence = raw.metaData().streamSequence();
                readIndexedBelow(sequence);
                examined++;
                check(raw.getSubject(), sequence, raw.getData(), raw.getHeaders(), false);
            });
            readIndexedBelow(Long.MAX_VALUE);
            return new ReplayReport(read, verified, failures, chains.finish(), examined);
        }
        catch (final IOException | JetStreamApiException ex)
        {
            throw JetStreamErrors.from(ex);
        }
    }

    /**
     * @return the sequences of the workflow's messages on agent subjects, ascending, each once: from its index
     * records, and from the tail past the indexer's acknowledged floor; none when nobody runs the index.
     */
    private long[] indexedSequences() throws IOException, JetStreamApiException
    {
        final ConsumerInfo indexer;
        try
        {
            indexer = jsm.getConsumerInfo(Streams.MESSAGES, Streams.WORKFLOW_INDEXER);
        }
        catch (final JetStreamApiException ex)
        {
            if (NOT_FOUND == ex.getErrorCode())
            {
                return new long[0];
            }
            throw ex;
        }
        // in this order: all at or below the floor was indexed before the floor moved there
        final long floor = indexer.getAckFloor().getStreamSequence();
        final long last = jsm.getStreamInfo(Streams.MESSAGES).getStreamState().getLastSequence();
        final LongStream.Builder found = LongStream.builder();
        // an index record is stored after the message it names: one from 'since' on names every message since then
        scan(Streams.WORKFLOW_INDEX, Subjects.workflowIndex(workflowId), startAt(since), Long.MAX_VALUE, record ->
        {
            examined++;
            for (final long sequence : WorkflowIndexer.sequences(record.getData()))
            {
                found.add(sequence);
            }
        });
        if (floor < last)
        {
            scan(Streams.MESSAGES, "agents.*.*", ConsumerConfiguration.builder()
                .deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(floor + 1), last, raw ->
            {
                examined++;
                final byte[] data = raw.getData();
                if (workflowId.equals(WorkflowIds.of(data, 0, data.length, limits)))
                {
                    found.add(raw.metaData().streamSequence());
                }
            });
        }
        return found.build().sorted().distinct().toArray();
    }

    private static ConsumerConfiguration.Builder startAt(final Instant since)
    {
        return ConsumerConfiguration.builder().deliverPolicy(DeliverPolicy.ByStartTime)
            .startTime(since.atZone(ZoneOffset.UTC));
    }

    /**
     * Reads {@code filter} of {@code stream} from {@code start} up to stream sequence {@code last} with an ephemeral
     * pull consumer (no acks: a replay changes nothing on the server). A missing stream reads as empty.
     */
    private void scan(final String stream, final String filter, final ConsumerConfiguration.Builder start,
        final long last, final Consumer<io.nats.client.Message> visitor) throws IOException, JetStreamApiException
    {
        final JetStreamSubscription sub;
        try
        {
            sub = js.subscribe(filter, PullSubscribeOptions.builder().stream(stream).configuration(start
                .filterSubject(filter).ackPolicy(AckPolicy.None).replayPolicy(ReplayPolicy.Instant)
                .inactiveThreshold(INACTIVE).build()).build());
        }
        catch (final JetStreamApiException ex)
        {
            if (NOT_FOUND == ex.getErrorCode() && !Streams.MESSAGES.equals(stream))
            {
                return;   // an index stream not provisioned yet holds no records
            }
            throw ex;
        }
        try
        {
            // A pull consumer delivers nothing until fetched, so its pending count at creation is exactly the
            // number of messages to read. The consumer's own num_pending over-counts for filtered start-time
            // consumers on some servers (seen on 2.9.10); each delivered message's metadata says exactly how many
            // remain after it.
            boolean more = sub.getConsumerInfo().getNumPending() > 0;
            while (more)
            {
                final List<io.nats.client.Message> batch = sub.fetch(BATCH, WAIT);
                more = !batch.isEmpty();   // stored messages arrive at once; an empty fetch means none are left
                for (final io.nats.client.Message raw : batch)
                {
                    if (raw.metaData().streamSequence() > last)
                    {
                        more = false;
                        break;
                    }
                    more = raw.metaData().pendingCount() > 0;
                    visitor.accept(raw);
                }
            }
        }
        finally
        {
            sub.unsubscribe();
        }
    }

    /** Reads, in order, the indexed messages stored before {@code sequence} not read yet. */
    private void readIndexedBelow(final long sequence)
    {
        for (; nextIndexed < indexed.length && indexed[nextIndexed] < sequence; nextIndexed++)
        {
            readIndexed(indexed[nextIndexed]);
        }
    }

    /** Fetches one indexed message by its sequence; one deleted or aged out since it was indexed is passed over. */
    private void readIndexed(final long sequence)
    {
        final MessageInfo stored;
        try
        {
            stored = jsm.getMessage(Streams.MESSAGES, sequence);
        }
        catch (final JetStreamApiException ex)
        {
            if (NOT_FOUND == ex.getErrorCode())
            {
                return;
            }
            throw JetStreamErrors.from(ex);
        }
        catch (final IOException ex)
        {
            throw JetStreamErrors.from(ex);
        }
        examined++;
        if (!stored.getTime().toInstant().isBefore(since))
        {
            check(stored.getSubject(), sequence, stored.getData(), stored.getHeaders(), true);
        }
    }

    /**
     * Verifies one message and hands it to the listener, or records why not. One the index pointed at must name this
     * workflow: anyone allowed to write index records could point a replay at another workflow's messages, which are
     * valid on their own ({@value #INDEX_MISMATCH}).
     */
    private void check(final String subject, final long sequence, final byte[] data, final Headers headers,
        final boolean indexed)
    {
        read++;
        try
        {
            final Message message = decoder.decode(data);
            if (indexed && !workflowId.equals(message.workflowId()))
            {
                failures.add(new ReplayReport.Failure(sequence, subject, INDEX_MISMATCH, message.id(),
                    "indexed under workflow " + workflowId + " but its metadata.workflow_id is "
                        + message.workflowId()));
                return;
            }
            final MessageError unsigned = signatures.check(subject, message.id(), message.from(),
                message.envelopeHash(), new NatsHeaders(headers));
            if (null != unsigned)
            {
                throw unsigned;
            }
            verified++;
            chains.accept(message, sequence);
            listener.onMessage(message, new Delivery(subject, sequence, 1,
                signatures.signer(subject, new NatsHeaders(headers))));
        }
        catch (final MessageError e)
        {
            final Object id = e.details().get("id");
            failures.add(new ReplayReport.Failure(sequence, subject, Signatures.reason(e),
                id instanceof String ? (String)id : "-", e.getMessage()));
        }
    }
}
