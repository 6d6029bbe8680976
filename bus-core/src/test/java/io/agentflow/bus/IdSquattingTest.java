package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;
import io.agentflow.codec.UlidPredictor;
import io.agentflow.testsupport.NatsTestServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17, finding 1, against a real nats-server: an agent with valid credentials sees one of a victim's messages,
 * predicts the victim's next ids and stores them first (in its own outbox: JetStream de-duplicates per stream, not
 * per subject). Before the fix the victim's next publish was acknowledged as a duplicate and never stored.
 */
@Timeout(60)
class IdSquattingTest
{
    @Test
    void aVictimsNextIdCannotBeStoredFirstByAnotherAgent() throws Exception
    {
        try (NatsTestServer server = NatsTestServer.start();
            JetStreamBus victim = JetStreamBus.connect(TestConfigs.of(server));
            Connection mallory = Nats.connect(server.url()))
        {
            victim.provision();
            final Message seen = message("victim", 1);
            final Message next = message("victim", 2);   // its id drawn right after: same or a close millisecond
            victim.publishAndWait(Subjects.agentIn("worker"), seen);

            final List<String> guesses = UlidPredictor.guesses(seen.id(), 200);
            final List<CompletableFuture<PublishAck>> squats = new ArrayList<>();
            for (final String id : guesses)
            {
                final Message squat = message("mallory", 0).toBuilder().id(id).build();
                squats.add(mallory.jetStream().publishAsync(Subjects.agentOut("mallory"),
                    new Headers().put("Nats-Msg-Id", id), squat.toString().getBytes(StandardCharsets.UTF_8)));
            }
            for (final CompletableFuture<PublishAck> squat : squats)
            {
                assertFalse(squat.get().isDuplicate(), "the squats themselves are stored");
            }

            final io.agentflow.bus.PublishAck ack = victim.publishAndWait(Subjects.agentIn("worker"), next);
            assertFalse(ack.duplicate(), "the victim's message was taken for one of mallory's " + guesses.size()
                + " squats");
            assertTrue(ack.sequence() > 0);
        }
    }

    private static Message message(final String from, final int n)
    {
        return Message.builder().from(from).to("worker").type(MessageType.REQUEST)
            .payload(java.util.Map.of("n", n)).build();
    }
}
