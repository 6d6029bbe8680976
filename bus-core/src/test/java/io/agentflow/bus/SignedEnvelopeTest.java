package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.bus.security.EnvelopeSigner;
import io.agentflow.bus.security.KeyGrant;
import io.agentflow.bus.security.KeyRegistry;
import io.agentflow.bus.security.SignaturePolicy;
import io.agentflow.bus.security.Signatures;
import io.agentflow.bus.wire.Streams;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import io.agentflow.testsupport.Await;
import io.agentflow.testsupport.NatsTestServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.impl.Headers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signed envelopes (issue 8): a publisher signs with its Ed25519 key; a receiver trusting that key id enforces its
 * policy per subject. Unsigned, unknown-key and bad-signature messages are quarantined with their reason under
 * {@code require}, and a forgery that rewrote the payload and recomputed a valid hash is rejected whether it keeps
 * the old signature or re-signs with another key under the same key id.
 */
@Timeout(60)
class SignedEnvelopeTest
{
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static NatsTestServer server;
    private static KeyPair alice;
    private static KeyPair mallory;

    @BeforeAll
    static void start() throws Exception
    {
        server = NatsTestServer.start();
        final KeyPairGenerator ed25519 = KeyPairGenerator.getInstance("Ed25519");
        alice = ed25519.generateKeyPair();
        mallory = ed25519.generateKeyPair();
        try (JetStreamBus setup = JetStreamBus.connect(TestConfigs.of(server)))
        {
            setup.provision();
        }
    }

    @AfterAll
    static void stop() throws Exception
    {
        server.close();
    }

    @Test
    void requireDeliversOnlyMessagesSignedByATrustedKey() throws Exception
    {
        final String subject = Subjects.agentIn("signed-inbox");
        final List<Message> received = new CopyOnWriteArrayList<>();
        final Message signed = TestMessage.to("signed-inbox", 1);
        final Message forged = signed.toBuilder().payload(Map.of("n", 1, "text", "transfer everything")).build();
        try (JetStreamBus sender = JetStreamBus.connect(TestConfigs.of(server).signatures(new Signatures(
                new EnvelopeSigner("alice-1", alice.getPrivate()), new KeyRegistry(), SignaturePolicy.NONE))
                .conclude());
            JetStreamBus receiver = receiver("agents.*.in=require");
            Connection raw = Nats.connect(server.url()))
        {
            final long missing = quarantined(receiver, Signatures.MISSING);
            final long unknown = quarantined(receiver, Signatures.UNKNOWN_KEY);
            final long invalid = quarantined(receiver, Signatures.INVALID);
            final Subscription s = receiver.subscribe(SubscriptionSpec.durable("signed-inbox", subject)
                .startingAt(SubscriptionSpec.StartPosition.NEW), (m, d) -> received.add(m));
            sender.publishAndWait(subject, signed);
            final String aliceSignature = new EnvelopeSigner("alice-1", alice.getPrivate()).sign(subject,
                signed.envelopeHash());
            rawPublish(raw, subject, TestMessage.to("signed-inbox", 2), null, null);                 // unsigned
            rawPublish(raw, subject, TestMessage.to("signed-inbox", 3), "nobody-9", aliceSignature);  // unknown key
            rawPublish(raw, subject, forged, "alice-1", aliceSignature);    // valid hash, old signature
            rawPublish(raw, subject, forged, "alice-1",                     // re-signed without alice's key
                new EnvelopeSigner("alice-1", mallory.getPrivate()).sign(subject, forged.envelopeHash()));
            rawPublish(raw, subject, forged, "alice-1", "not base64 !");   // garbage
            sender.publishAndWait(subject, TestMessage.to("signed-inbox", 4));

            Await.until(WAIT, () -> received.size() == 2 && s.stats().quarantined() == 5, () -> "2 delivered, 5 "
                + "quarantined; have " + received.size() + " and " + s.stats());
            assertEquals(signed.id(), received.get(0).id());
            assertEquals(1, quarantined(receiver, Signatures.MISSING) - missing);
            assertEquals(1, quarantined(receiver, Signatures.UNKNOWN_KEY) - unknown);
            assertEquals(3, quarantined(receiver, Signatures.INVALID) - invalid);
            assertTrue(received.stream().noneMatch(m -> m.envelopeHash().equals(forged.envelopeHash())),
                "the forgery (same id, rewritten payload, valid hash) never delivered");
            assertEquals(signed.toString(), received.get(0).toString());
        }
    }

    @Test
    void requireAcceptsClaimPathPublishesSignedByATrustedKeyOnBothConsumePaths() throws Exception
    {
        final String subject = Subjects.agentIn("signed-claims");
        final List<String> messages = new CopyOnWriteArrayList<>();
        final List<String> envelopes = new CopyOnWriteArrayList<>();
        try (JetStreamBus sender = JetStreamBus.connect(TestConfigs.of(server).signatures(new Signatures(
                new EnvelopeSigner("alice-1", alice.getPrivate()), new KeyRegistry(), SignaturePolicy.NONE))
                .conclude());
            JetStreamBus unsigned = JetStreamBus.connect(TestConfigs.of(server));
            JetStreamBus receiver = receiver("agents.*.in=require"))
        {
            final Subscription m = receiver.subscribe(SubscriptionSpec.durable("signed-claims-m", subject)
                .startingAt(SubscriptionSpec.StartPosition.NEW), (msg, d) -> messages.add(msg.from()));
            final Subscription e = receiver.subscribe(SubscriptionSpec.durable("signed-claims-e", subject)
                .startingAt(SubscriptionSpec.StartPosition.NEW), (EnvelopeHandler)d -> envelopes.add(new String(
                d.envelope().buffer(), d.envelope().fromOffset(), d.envelope().fromLength(), StandardCharsets.UTF_8)));
            claim(unsigned, subject, "mallory");
            claim(sender, subject, "alice");
            Await.until(WAIT, () -> 1 == messages.size() && 1 == envelopes.size() && 1 == m.stats().quarantined()
                && 1 == e.stats().quarantined(), () -> messages + " " + envelopes + " " + m.stats() + " " + e.stats());
            assertEquals(List.of("alice"), messages);
            assertEquals(List.of("alice"), envelopes);
        }
    }

    /** One publish on the claim path, waited for. */
    private static void claim(final JetStreamBus bus, final String subject, final String from) throws Exception
    {
        final java.util.concurrent.CompletableFuture<io.agentflow.codec.error.MessageError> done =
            new java.util.concurrent.CompletableFuture<>();
        final io.agentflow.bus.pipeline.PublishPipeline pipeline = bus.pipeline();
        final long seq = pipeline.claim();
        pipeline.event(seq).subject(subject).from(from).to("signed-claims")
            .type(io.agentflow.codec.MessageType.REQUEST).onComplete((tag, sequence, error) -> done.complete(error), 0);
        pipeline.commit(seq);
        assertEquals(null, done.get(10, java.util.concurrent.TimeUnit.SECONDS));
    }

    @Test
    void verifyIfPresentLetsUnsignedThroughButNotABadSignature() throws Exception
    {
        final String subject = Subjects.agentOut("maybe-signed");
        final List<Message> received = new CopyOnWriteArrayList<>();
        try (JetStreamBus receiver = receiver("agents.*.in=require,>=verify-if-present");
            Connection raw = Nats.connect(server.url()))
        {
            final Subscription s = receiver.subscribe(SubscriptionSpec.durable("maybe-signed", subject)
                .startingAt(SubscriptionSpec.StartPosition.NEW), (m, d) -> received.add(m));
            final Message unsigned = TestMessage.to("maybe-signed", 1);
            final Message badlySigned = TestMessage.to("maybe-signed", 2);
            final Message signed = TestMessage.to("maybe-signed", 3);
            rawPublish(raw, subject, unsigned, null, null);
            rawPublish(raw, subject, badlySigned, "alice-1",
                new EnvelopeSigner("alice-1", mallory.getPrivate()).sign(subject, badlySigned.envelopeHash()));
            rawPublish(raw, subject, signed, "alice-1",
                new EnvelopeSigner("alice-1", alice.getPrivate()).sign(subject, signed.envelopeHash()));
            Await.until(WAIT, () -> received.size() == 2 && s.stats().quarantined() == 1, () -> "2 + 1, have "
                + received.size() + " and " + s.stats());
            assertEquals(List.of(unsigned.id(), signed.id()), received.stream().map(Message::id).toList());
        }
    }

    /**
     * Issue 17, finding 2: a signature covered the envelope hash only, so a signed message stored again on another
     * subject kept a valid signature there. It now covers the subject too.
     */
    @Test
    void aSignatureIsValidOnlyOnTheSubjectItWasMadeFor() throws Exception
    {
        final String meant = Subjects.agentIn("bound-a");
        final String elsewhere = Subjects.agentIn("bound-b");
        final List<String> received = new CopyOnWriteArrayList<>();
        final Message m = TestMessage.to("bound-a", 1);
        final String signature = new EnvelopeSigner("alice-1", alice.getPrivate()).sign(meant, m.envelopeHash());
        try (JetStreamBus receiver = receiver("agents.*.in=require");
            Connection raw = Nats.connect(server.url()))
        {
            final long invalid = quarantined(receiver, Signatures.INVALID);
            final Subscription s = receiver.subscribe(SubscriptionSpec.durable("bound", "agents.*.in")
                .startingAt(SubscriptionSpec.StartPosition.NEW), (msg, d) -> received.add(d.subject()));
            rawPublish(raw, elsewhere, m, "alice-1", signature);   // the same bytes and headers, moved
            rawPublish(raw, meant, m, "alice-1", signature);
            Await.until(WAIT, () -> received.size() == 1 && s.stats().quarantined() == 1, () -> received + " "
                + s.stats());
            assertEquals(List.of(meant), received);
            assertEquals(1, quarantined(receiver, Signatures.INVALID) - invalid);
        }
    }

    /**
     * Finding 2: any trusted key could sign as any sender and on any subject. A key speaks for the agents and
     * subjects of its grant (by default, the agent named like the key), and handlers see which key signed, on both
     * consume paths.
     */
    @Test
    void aKeySignsOnlyForTheSendersAndSubjectsItsGrantNames() throws Exception
    {
        final KeyRegistry trusted = new KeyRegistry()
            .add("alice", alice.getPublic())   // no grant: speaks for "alice" only
            .add("ops", mallory.getPublic(), new KeyGrant(List.of("*"), List.of("agents.*.in")));
        final List<String> messages = new CopyOnWriteArrayList<>();
        final List<String> envelopes = new CopyOnWriteArrayList<>();
        try (JetStreamBus receiver = receiver(">=require", trusted);
            Connection raw = Nats.connect(server.url()))
        {
            final long notPermitted = quarantined(receiver, Signatures.NOT_PERMITTED);
            final Subscription m = receiver.subscribe(SubscriptionSpec.durable("granted-m", "agents.granted.*")
                .startingAt(SubscriptionSpec.StartPosition.NEW), (msg, d) -> messages.add(msg.from() + "/"
                + d.signedBy()));
            final Subscription e = receiver.subscribe(SubscriptionSpec.durable("granted-e", "agents.granted.*")
                .startingAt(SubscriptionSpec.StartPosition.NEW), (EnvelopeHandler)d -> envelopes.add(new String(
                d.envelope().buffer(), d.envelope().fromOffset(), d.envelope().fromLength(), StandardCharsets.UTF_8)
                + "/" + d.signedBy()));
            final String in = Subjects.agentIn("granted");
            final String out = Subjects.agentOut("granted");
            signedBy(raw, in, "alice", alice, "alice");   // delivered
            signedBy(raw, in, "bob", alice, "alice");     // alice's key may not speak for bob
            signedBy(raw, in, "bob", mallory, "ops");     // ops may, on agents.*.in
            signedBy(raw, out, "bob", mallory, "ops");    // but not on agents.*.out
            Await.until(WAIT, () -> messages.size() == 2 && envelopes.size() == 2 && m.stats().quarantined() == 2
                && e.stats().quarantined() == 2, () -> messages + " " + envelopes + " " + m.stats() + " "
                + e.stats());
            assertEquals(List.of("alice/alice", "bob/ops"), messages);
            assertEquals(List.of("alice/alice", "bob/ops"), envelopes);
            assertEquals(2, quarantined(receiver, Signatures.NOT_PERMITTED) - notPermitted,
                "one record per message: both consumers refused each, and the quarantine keeps one copy");
        }
    }

    /** Finding 2: replay did not check signatures; it now reports what a subscriber would refuse. */
    @Test
    void replayVerifiesSignaturesLikeASubscriber() throws Exception
    {
        final String workflow = "wf-signed-replay";
        final String subject = Subjects.workflowIn(workflow);
        final Message good = TestMessage.to("replayed", 1).toBuilder().metadata(Map.of("workflow_id", workflow))
            .build();
        final Message bad = TestMessage.to("replayed", 2).toBuilder().metadata(Map.of("workflow_id", workflow))
            .build();
        try (JetStreamBus receiver = receiver("workflows.>=require");
            Connection raw = Nats.connect(server.url()))
        {
            final java.time.Instant since = java.time.Instant.now().minusSeconds(1);
            rawPublish(raw, subject, good, "alice-1", new EnvelopeSigner("alice-1", alice.getPrivate())
                .sign(subject, good.envelopeHash()));
            rawPublish(raw, subject, bad, "alice-1", new EnvelopeSigner("alice-1", mallory.getPrivate())
                .sign(subject, bad.envelopeHash()));
            final List<String> replayed = new CopyOnWriteArrayList<>();
            final ReplayReport report = receiver.replay(workflow, since, (msg, d) -> replayed.add(msg.id() + "/"
                + d.signedBy()));
            assertEquals(List.of(good.id() + "/alice-1"), replayed);
            assertEquals(1, report.failures().size(), report.toString());
            assertEquals(Signatures.INVALID, report.failures().get(0).code());
            assertEquals(bad.id(), report.failures().get(0).id());
        }
    }

    @Test
    void grantsAreReadBesideTheirKeys(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir) throws Exception
    {
        for (final String id : List.of("alice", "ops"))
        {
            java.nio.file.Files.writeString(dir.resolve(id + ".pem"), "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(alice.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        }
        java.nio.file.Files.writeString(dir.resolve("ops.grant"), "# the operators' key\nagents=*\n"
            + "subjects=system.control, agents.*.in\n");
        final KeyRegistry registry = KeyRegistry.fromDirectory(dir);
        assertTrue(registry.grant("alice").permits("alice", "system.control"));
        assertFalse(registry.grant("alice").permits("bob", "agents.bob.in"));
        assertTrue(registry.grant("ops").permits("anyone", "system.control"));
        assertFalse(registry.grant("ops").permits("anyone", "agents.x.out"));
        final io.agentflow.codec.error.MessageError e = org.junit.jupiter.api.Assertions.assertThrows(
            io.agentflow.codec.error.MessageError.class, () -> KeyGrant.parse("k", "agent=alice"));
        assertTrue(e.getMessage().contains("agent=alice"), e.getMessage());
    }

    private static void signedBy(final Connection raw, final String subject, final String from, final KeyPair key,
        final String keyId) throws Exception
    {
        final Message m = Message.builder().from(from).to("granted").type(io.agentflow.codec.MessageType.REQUEST)
            .build();
        rawPublish(raw, subject, m, keyId, new EnvelopeSigner(keyId, key.getPrivate()).sign(subject,
            m.envelopeHash()));
    }

    @Test
    void policiesParseAndMatchFirstRuleFirst()
    {
        final SignaturePolicy p = SignaturePolicy.parse("system.control=require, agents.*.in=verify-if-present,>=none");
        assertEquals(SignaturePolicy.Mode.REQUIRE, p.modeFor("system.control"));
        assertEquals(SignaturePolicy.Mode.VERIFY_IF_PRESENT, p.modeFor("agents.a.in"));
        assertEquals(SignaturePolicy.Mode.NONE, p.modeFor("agents.a.out"));
        assertFalse(p.isNone());
        final io.agentflow.codec.error.MessageError e = org.junit.jupiter.api.Assertions.assertThrows(
            io.agentflow.codec.error.MessageError.class, () -> SignaturePolicy.parse("agents.*.in=sometimes"));
        assertTrue(e.getMessage().contains("sometimes"), e.getMessage());
    }

    /** A receiver trusting alice-1 to speak for the senders these tests use ("tester", "alice"). */
    private static JetStreamBus receiver(final String policy)
    {
        return receiver(policy, new KeyRegistry().add("alice-1", alice.getPublic(),
            new KeyGrant(List.of("tester", "alice"), List.of(">"))));
    }

    private static JetStreamBus receiver(final String policy, final KeyRegistry trusted)
    {
        return JetStreamBus.connect(TestConfigs.of(server).signatures(new Signatures(null, trusted,
            SignaturePolicy.parse(policy))).conclude());
    }

    private static void rawPublish(final Connection raw, final String subject, final Message m, final String keyId,
        final String signature) throws Exception
    {
        final Headers headers = new Headers();
        if (null != keyId)
        {
            headers.put(EnvelopeSigner.KEY_ID_HEADER, keyId);
            headers.put(EnvelopeSigner.SIGNATURE_HEADER, signature);
        }
        raw.jetStream().publish(subject, headers, m.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static long quarantined(final JetStreamBus bus, final String reason) throws Exception
    {
        return JetStreamInternals.management(bus).getStreamInfo(Streams.QUARANTINE,
                io.nats.client.api.StreamInfoOptions.filterSubjects(Subjects.quarantine(reason) + ".>")).getStreamState()
            .getSubjects().stream().mapToLong(x -> x.getCount()).sum();
    }
}
