package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.bus.wire.Streams;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.testsupport.Await;
import io.agentflow.testsupport.NatsProcess;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Subject permissions (issue 8) with the shipped example configuration, docs/examples/nats-agent-permissions.conf:
 * an agent publishes to other agents' inboxes and its own outbox and reads only its own inbox; it cannot read
 * another agent's inbox or write to {@code system.control}, and each refusal is a clear {@code transport_error}
 * rather than a hang.
 */
@Timeout(60)
class SubjectPermissionsTest
{
    private static final Path EXAMPLE = Path.of("..", "docs", "examples", "nats-agent-permissions.conf");
    private static NatsProcess server;

    @BeforeAll
    static void startServerAndProvision() throws Exception
    {
        assertTrue(Files.isReadable(EXAMPLE), EXAMPLE.toAbsolutePath().toString());
        // inlined: nats-server resolves an include relative to the including file, which is in a temporary directory
        server = NatsProcess.create("permissions", Files.readAllLines(EXAMPLE)).start();
        try (JetStreamBus admin = connect("admin", "admin-pw", "_INBOX"))
        {
            admin.provision();
            for (final String agent : List.of("alice", "bob"))   // the operator creates each agent's consumer
            {
                JetStreamInternals.management(admin).addOrUpdateConsumer(Streams.MESSAGES, JetStreamInternals.durableConsumer(
                    admin.config(), "agent-" + agent, Subjects.agentIn(agent), 100));
            }
        }
    }

    @AfterAll
    static void stopServer() throws Exception
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void anAgentWritesToOtherInboxesAndItsOwnOutboxAndReadsItsOwnInbox() throws Exception
    {
        final List<Message> received = new CopyOnWriteArrayList<>();
        try (JetStreamBus alice = connect("alice", "alice-pw", "_INBOX_alice");
            JetStreamBus bob = connect("bob", "bob-pw", "_INBOX_bob"))
        {
            alice.subscribe(SubscriptionSpec.durable("agent-alice", Subjects.agentIn("alice")),
                (m, d) -> received.add(m));
            final Message toAlice = TestMessage.to("alice", 1);
            bob.publishAndWait(Subjects.agentIn("alice"), toAlice);
            alice.publishAndWait(Subjects.agentIn("bob"), TestMessage.to("bob", 2));
            alice.publishAndWait(Subjects.agentOut("alice"), TestMessage.to("anyone", 3));
            Await.until(Duration.ofSeconds(10), () -> !received.isEmpty(), () -> "alice to read her inbox");
            assertEquals(toAlice.id(), received.get(0).id());
        }
    }

    @Test
    void anAgentCannotWriteToSystemControlOrAnotherOutbox() throws Exception
    {
        try (JetStreamBus alice = connect("alice", "alice-pw", "_INBOX_alice"))
        {
            for (final String subject : List.of(Subjects.SYSTEM_CONTROL, Subjects.agentOut("bob")))
            {
                final long start = System.nanoTime();
                final MessageError first = publishFailure(alice, subject);
                final long firstMs = (System.nanoTime() - start) / 1_000_000;
                deniedClearly(first, subject);
                assertTrue(firstMs < 5_000, "refused within the publish time-out, not a hang: " + firstMs + " ms");

                final long again = System.nanoTime();   // known now: refused at once, without a round trip
                deniedClearly(publishFailure(alice, subject), subject);
                assertTrue((System.nanoTime() - again) / 1_000_000 < 100, "the second refusal is immediate");
            }
            assertEquals("closed", alice.breakerState(), "a refusal is not an outage: the breaker stays closed");
        }
    }

    @Test
    void anAgentCannotReadAnotherAgentsInbox() throws Exception
    {
        try (JetStreamBus alice = connect("alice", "alice-pw", "_INBOX_alice"))
        {
            final long start = System.nanoTime();
            final MessageError e = assertThrows(MessageError.class, () -> alice.subscribe(
                SubscriptionSpec.durable("agent-bob", Subjects.agentIn("bob")), (m, d) -> { }));
            assertTrue((System.nanoTime() - start) / 1_000_000 < 10_000, "refused in seconds, not a hang");
            assertEquals(ErrorCode.TRANSPORT_ERROR, e.code());
            assertFalse(e.retryable());
            assertTrue(e.getMessage().contains("permission denied") && e.getMessage().contains("agent-bob"),
                e.getMessage());
        }
        // nor by a plain subscription to the inbox subject, nor to bob's reply prefix
        final List<String> serverErrors = new CopyOnWriteArrayList<>();
        try (Connection raw = aliceCollecting(serverErrors))
        {
            raw.subscribe(Subjects.agentIn("bob"));
            raw.subscribe("_INBOX_bob.>");
            raw.flush(Duration.ofSeconds(2));
            Await.until(Duration.ofSeconds(5), () -> serverErrors.size() >= 2, () -> "refusals, got " + serverErrors);
            assertTrue(serverErrors.stream().anyMatch(s -> s.contains("Subscription to \"agents.bob.in\"")),
                serverErrors.toString());
            assertTrue(serverErrors.stream().anyMatch(s -> s.contains("Subscription to \"_INBOX_bob.>\"")),
                serverErrors.toString());
        }
    }

    /**
     * Issue 17, finding 4: every agent could write anywhere under {@code quarantine.>}, so it could forge records
     * and, filling the stream, evict the evidence of others. Its bus now quarantines under its own consumer's name,
     * which is all the shipped permissions let it write.
     */
    @Test
    void anAgentQuarantinesUnderItsOwnNameOnly() throws Exception
    {
        try (JetStreamBus alice = connect("alice", "alice-pw", "_INBOX_alice");
            JetStreamBus admin = connect("admin", "admin-pw", "_INBOX"))
        {
            final String mine = "quarantine.serialization_error.agent-alice";
            final long before = recordsOn(admin, mine);
            final Subscription s = alice.subscribe(SubscriptionSpec.durable("agent-alice", Subjects.agentIn("alice")),
                (m, d) -> { });
            JetStreamInternals.jetStream(admin).publish(Subjects.agentIn("alice"), "not json".getBytes(StandardCharsets.UTF_8));
            Await.until(Duration.ofSeconds(10), () -> s.stats().quarantined() == 1, () -> "quarantined by alice's "
                + "bus: " + s.stats());
            assertEquals(1, recordsOn(admin, mine) - before, "the record is under alice's consumer");
        }
        final List<String> serverErrors = new CopyOnWriteArrayList<>();
        try (Connection raw = aliceCollecting(serverErrors))
        {
            raw.publish("quarantine.hash_mismatch.agent-bob", "forged".getBytes(StandardCharsets.UTF_8));
            raw.publish("quarantine.hash_mismatch", "forged".getBytes(StandardCharsets.UTF_8));
            raw.flush(Duration.ofSeconds(2));
            Await.until(Duration.ofSeconds(5), () -> serverErrors.size() >= 2, () -> "refusals, got " + serverErrors);
            assertTrue(serverErrors.stream().anyMatch(e -> e.contains("Publish to \"quarantine.hash_mismatch."
                + "agent-bob\"")), serverErrors.toString());
        }
    }

    /** @return a plain connection as alice, whose asynchronous server errors (refusals) go to {@code errors}. */
    private static Connection aliceCollecting(final List<String> errors) throws Exception
    {
        return Nats.connect(new Options.Builder().server(server.url()).userInfo("alice", "alice-pw")
            .inboxPrefix("_INBOX_alice").errorListener(new ErrorListener()
            {
                @Override
                public void errorOccurred(final Connection conn, final String error)
                {
                    errors.add(error);
                }
            }).build());
    }

    private static long recordsOn(final JetStreamBus admin, final String subject) throws Exception
    {
        return JetStreamInternals.management(admin).getStreamInfo(Streams.QUARANTINE,
                io.nats.client.api.StreamInfoOptions.filterSubjects(subject)).getStreamState().getSubjects().stream()
            .mapToLong(x -> x.getCount()).sum();
    }

    private static void deniedClearly(final MessageError e, final String subject)
    {
        assertEquals(ErrorCode.TRANSPORT_ERROR, e.code(), e.getMessage());
        assertFalse(e.retryable(), "retrying cannot help: " + e.getMessage());
        assertTrue(e.getMessage().contains("permission denied") && e.getMessage().contains(subject), e.getMessage());
    }

    private static MessageError publishFailure(final JetStreamBus bus, final String subject)
    {
        try
        {
            bus.publish(subject, TestMessage.to("alice", 9)).join();
        }
        catch (final CompletionException e)
        {
            return (MessageError)e.getCause();
        }
        throw new AssertionError("publish to " + subject + " was accepted");
    }

    private static JetStreamBus connect(final String user, final String password, final String inboxPrefix)
    {
        return JetStreamBus.connect(BusConfig.fromEnv(Map.of(BusConfig.URL_ENV, server.url(),
            BusConfig.MAX_RECONNECT_ENV, "0", BusConfig.PUBLISH_TIMEOUT_ENV, "2s", BusSecurity.USER_ENV, user,
            BusSecurity.PASSWORD_ENV, password, BusSecurity.INBOX_PREFIX_ENV, inboxPrefix)));
    }
}
