package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamAdmin;
import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.bus.jetstream.SubjectWatch;
import io.agentflow.bus.wire.Streams;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bus's admin surface and subject watch against a real server: what the command line uses instead of jnats. */
@Timeout(60)
class JetStreamAdminTest extends ProvisionedServerTest
{
    @Test
    void reportsTheStreamsAndConsumersAsTheServerHasThem()
    {
        final long before = bus.admin().stream(Streams.MESSAGES).messages();
        bus.publishAndWait(Subjects.agentIn("admin-a"), TestMessage.to("admin-a", 1));
        final JetStreamAdmin.StreamState messages = bus.admin().stream(Streams.MESSAGES);
        assertEquals(before + 1, messages.messages());
        assertTrue(messages.bytes() > 0);
        assertTrue(messages.subjects().contains("agents.*.*"), messages.subjects().toString());
        assertEquals(1, messages.replicas());
        final JetStreamAdmin.ConsumerState agents = bus.admin().consumer(Streams.MESSAGES,
            Streams.AGENT_PROCESSOR);
        assertEquals("agents.*.in", agents.filterSubject());
        assertTrue(agents.pending() >= 1, agents.toString());
        assertTrue(bus.admin().serverVersion().matches("\\d+\\.\\d+\\.\\d+.*"), bus.admin().serverVersion());
        final MessageError missing = assertThrows(MessageError.class, () -> bus.admin().stream("AF_NOPE"));
        assertEquals(ErrorCode.TRANSPORT_ERROR, missing.code(), missing.getMessage());
    }

    @Test
    void deletesADurableOnlyWhenNoSubscriptionOfThisBusUsesIt()
    {
        final SubscriptionSpec spec = SubscriptionSpec.durable("admin-doomed", "agents.admin-b.in");
        try (Subscription s = bus.subscribe(spec, (m, d) -> { }))
        {
            final MessageError busy = assertThrows(MessageError.class,
                () -> bus.admin().deleteDurable("admin-doomed"));
            assertEquals(ErrorCode.VALIDATION_ERROR, busy.code());
            assertNotNull(bus.admin().consumer(Streams.MESSAGES, "admin-doomed"));
        }
        assertTrue(bus.admin().deleteDurable("admin-doomed"));
        assertFalse(bus.admin().deleteDurable("admin-doomed"), "gone already");
        assertThrows(MessageError.class, () -> bus.admin().consumer(Streams.MESSAGES, "admin-doomed"));
    }

    @Test
    void aWatchVerifiesWhatCrossesASubjectAndRefusesTampering() throws Exception
    {
        try (SubjectWatch watch = bus.watch("agents.admin-w.*"))
        {
            bus.publishAndWait(Subjects.agentIn("admin-w"), TestMessage.to("admin-w", 7));
            final SubjectWatch.Seen good = watch.next(Duration.ofSeconds(5));
            assertNotNull(good, "the stored message crossed the subject");
            assertNull(good.refusal());
            assertEquals("admin-w", good.message().to());
            assertEquals("agents.admin-w.in", good.subject());

            final byte[] tampered = TestMessage.to("admin-w", 8).toString().replace("message 8", "message 9")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);   // the hash no longer matches
            JetStreamInternals.connection(bus).publish("agents.admin-w.in", tampered);   // core NATS: not stored, but it crosses
            final SubjectWatch.Seen bad = watch.next(Duration.ofSeconds(5));
            assertNotNull(bad);
            assertNull(bad.message());
            assertNotNull(bad.refusal(), "refused, not shown");
            assertEquals(ErrorCode.HASH_MISMATCH, bad.refusal().code(), bad.refusal().getMessage());
            assertNull(watch.next(Duration.ofMillis(200)), "nothing else crossed");
        }
        final MessageError e = assertThrows(MessageError.class, () -> bus.watch(""));
        assertEquals(ErrorCode.VALIDATION_ERROR, e.code());
    }
}
