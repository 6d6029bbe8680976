package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.bus.wire.Streams;
import io.agentflow.codec.EnvelopeEncoder;
import io.agentflow.codec.Message;
import io.agentflow.testsupport.NatsCluster;
import io.nats.client.Connection;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A clustered stream's leader answers a publish whose id an earlier, not yet committed publish carries with
 * {@code {"seq":0,"duplicate":true}}: "in process", not stored (nats-server#5827). Taken for an acknowledgement,
 * that answer lost acknowledged messages in {@link PartitionTest} on 2.10.27, where the earlier proposal was then
 * dropped. Here the race is made on purpose, without a fault: each message is sent raw and, right behind it on the
 * same connection, through the bus. Every acknowledgement the bus gives must name the stored copy's sequence.
 */
@Timeout(180)
class InFlightDuplicateTest
{
    private static final String SUBJECT = "agents.inflight.in";
    private static final int PAIRS = 300;

    @Test
    void shouldNeverAcknowledgeAnIdThatIsOnlyInProcess() throws Exception
    {
        try (NatsCluster cluster = NatsCluster.start(3))
        {
            try (JetStreamBus bus = JetStreamBus.connect(new BusConfig().url(cluster.urls()).conclude()))
            {
                ClusterStreams.provision(bus, 3);
                final Connection raw = JetStreamInternals.connection(bus);
                final List<CompletableFuture<PublishAck>> rawAcks = new ArrayList<>();
                final List<CompletableFuture<io.agentflow.bus.PublishAck>> busAcks = new ArrayList<>();
                final EnvelopeEncoder encoder = new EnvelopeEncoder();
                for (int i = 0; i < PAIRS; i++)
                {
                    final Message message = TestMessage.to("inflight", i);
                    final Headers headers = new Headers().add("Nats-Msg-Id", message.id());
                    rawAcks.add(raw.jetStream().publishAsync(NatsMessage.builder().subject(SUBJECT).headers(headers)
                        .data(encoder.encodeToBytes(message)).build()));
                    busAcks.add(bus.publish(SUBJECT, message));
                    TimeUnit.MILLISECONDS.sleep(2);   // pace the pairs: the race is within a pair, not between
                }
                for (int i = 0; i < PAIRS; i++)
                {
                    final PublishAck first = rawAcks.get(i).get(10, TimeUnit.SECONDS);
                    final io.agentflow.bus.PublishAck second = busAcks.get(i).get(30, TimeUnit.SECONDS);
                    assertTrue(second.duplicate() && second.sequence() > 0, "the bus acknowledged pair " + i
                        + " with sequence " + second.sequence() + " (duplicate " + second.duplicate() + ")");
                    assertEquals(first.getSeqno(), second.sequence(), "both name the one stored copy");
                }
                final long stored = ClusterStreams.info(bus).getStreamState().getMsgCount();
                assertEquals(PAIRS, stored, "each id stored once");
            }
        }
    }
}
