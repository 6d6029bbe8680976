package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamAdmin;
import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.bus.wire.Streams;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.error.MessageError;
import io.agentflow.testsupport.Await;
import io.agentflow.testsupport.NatsTestServer;
import io.nats.client.Connection;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Nats;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The bus contract against a real nats-server. */
class JetStreamBusContractTest extends MessageBusContract
{
    private static NatsTestServer server;

    @BeforeAll
    static void startServer() throws Exception
    {
        server = NatsTestServer.start();
        try (JetStreamBus setup = JetStreamBus.connect(TestConfigs.of(server)))
        {
            setup.provision();
        }
    }

    @AfterAll
    static void stopServer() throws Exception
    {
        server.close();
    }

    @Override
    MessageBus newBus()
    {
        return JetStreamBus.connect(config());
    }

    @Override
    BusConfig config()
    {
        return TestConfigs.of(server);
    }

    @Override
    void injectRaw(final MessageBus into, final String subject, final byte[] bytes) throws Exception
    {
        try (Connection raw = Nats.connect(server.url()))
        {
            raw.jetStream().publish(subject, bytes);
        }
    }

    @Override
    void awaitIndexed(final MessageBus indexing)
    {
        awaitIndexed((JetStreamBus)indexing);
    }

    /** Waits until the indexer's consumer has read and acknowledged everything on agent subjects. */
    static void awaitIndexed(final JetStreamBus indexing)
    {
        Await.until(WAIT, () ->
        {
            try
            {
                final JetStreamAdmin.ConsumerState indexer =
                    indexing.admin().consumer(Streams.MESSAGES, Streams.WORKFLOW_INDEXER);
                return 0 == indexer.pending() && 0 == indexer.awaitingAck();
            }
            catch (final MessageError notYetCreated)
            {
                return false;
            }
        }, () -> "the workflow indexer to catch up");
    }

    @Override
    byte[] lastQuarantined(final String reason) throws Exception
    {
        return lastQuarantinedRecord(((JetStreamBus)bus), reason).getData();
    }

    /** @return the newest quarantine record for {@code reason}, read as any NATS client would. */
    static io.nats.client.Message lastQuarantinedRecord(final JetStreamBus bus, final String reason) throws Exception
    {
        final JetStreamSubscription sub = JetStreamInternals.jetStream(bus).subscribe(Subjects.quarantine(reason) + ".>",
            PullSubscribeOptions.builder().stream(Streams.QUARANTINE)
                .configuration(ConsumerConfiguration.builder().deliverPolicy(DeliverPolicy.Last).build()).build());
        try
        {
            final List<io.nats.client.Message> messages = sub.fetch(1, Duration.ofSeconds(5));
            assertEquals(1, messages.size(), "one quarantine record for " + reason);
            return messages.get(0);
        }
        finally
        {
            sub.unsubscribe();
        }
    }
}
