package io.agentflow.bus.jetstream;

import io.agentflow.bus.Delivery;
import io.agentflow.bus.ReplayListener;
import io.agentflow.bus.ReplayReport;
import io.agentflow.bus.security.ChainVerifier;
import io.agentflow.bus.security.Signatures;
import io.agentflow.bus.wire.Streams;
import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.Message;
import io.agentflow.codec.error.MessageError;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.ReplayPolicy;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a subject filter of {@code AF_MESSAGES} from a point in time with an ephemeral pull consumer, in stream
 * order, verifying each message (hash, contract, and signature by the bus's policy, as a subscriber would). It streams: memory holds one fetched batch plus the list of failures. It reads
 * the messages stored when it began; later ones are not included.
 */
final class Replayer
{
    private static final Duration WAIT = Duration.ofSeconds(1);
    private static final Duration INACTIVE = Duration.ofSeconds(30);
    private static final int BATCH = 256;

    private final JetStream js;
    private final io.agentflow.codec.json.JsonLimits limits;
    private final Signatures signatures;

    Replayer(final JetStream js, final io.agentflow.codec.json.JsonLimits limits, final Signatures signatures)
    {
        this.js = js;
        this.limits = limits;
        this.signatures = signatures;
    }

    ReplayReport replay(final String filter, final Instant since, final ReplayListener listener)
    {
        final EnvelopeDecoder decoder = new EnvelopeDecoder(limits);
        final List<ReplayReport.Failure> failures = new ArrayList<>();
        final ChainVerifier chains = new ChainVerifier(!since.isAfter(Instant.EPOCH));   // from the start: chains begin at 1
        long read = 0;
        long verified = 0;
        JetStreamSubscription sub = null;
        try
        {
            // A pull consumer delivers nothing until fetched, so its pending count at creation is exactly the
            // number of messages to read. AckPolicy.None: a replay changes nothing on the server.
            sub = js.subscribe(filter, PullSubscribeOptions.builder()
                .stream(Streams.MESSAGES)
                .configuration(ConsumerConfiguration.builder()
                    .filterSubject(filter)
                    .deliverPolicy(DeliverPolicy.ByStartTime)
                    .startTime(since.atZone(ZoneOffset.UTC))
                    .ackPolicy(AckPolicy.None)
                    .replayPolicy(ReplayPolicy.Instant)
                    .inactiveThreshold(INACTIVE)
                    .build())
                .build());
            // The consumer's own num_pending over-counts for filtered start-time consumers on some servers (seen on
            // 2.9.10); each delivered message's metadata says exactly how many remain after it.
            boolean more = sub.getConsumerInfo().getNumPending() > 0;
            while (more)
            {
                final List<io.nats.client.Message> batch = sub.fetch(BATCH, WAIT);
                more = !batch.isEmpty();   // stored messages arrive at once; an empty fetch means none are left
                for (final io.nats.client.Message raw : batch)
                {
                    read++;
                    final long sequence = raw.metaData().streamSequence();
                    more = raw.metaData().pendingCount() > 0;
                    try
                    {
                        final Message message = decoder.decode(raw.getData());
                        final MessageError unsigned = signatures.check(raw.getSubject(), message.id(),
                            message.from(), message.envelopeHash(), new NatsHeaders(raw.getHeaders()));
                        if (null != unsigned)
                        {
                            throw unsigned;
                        }
                        verified++;
                        chains.accept(message, sequence);
                        listener.onMessage(message, new Delivery(raw.getSubject(), sequence, 1,
                            signatures.signer(raw.getSubject(), new NatsHeaders(raw.getHeaders()))));
                    }
                    catch (final MessageError e)
                    {
                        final Object id = e.details().get("id");
                        failures.add(new ReplayReport.Failure(sequence, raw.getSubject(), Signatures.reason(e),
                            id instanceof String ? (String)id : "-", e.getMessage()));
                    }
                }
            }
            return new ReplayReport(read, verified, failures, chains.finish());
        }
        catch (final IOException | JetStreamApiException ex)
        {
            throw JetStreamErrors.from(ex);
        }
        finally
        {
            if (null != sub)
            {
                sub.unsubscribe();
            }
        }
    }

}
