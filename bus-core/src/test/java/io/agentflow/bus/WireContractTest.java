package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import io.agentflow.testsupport.NatsTestServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.MessageInfo;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the bus stores, read straight from the stream by a plain NATS client and checked with an independent RFC 8785
 * implementation: the body is canonical, the hash is right, and the headers are those of the contract.
 */
@Timeout(30)
class WireContractTest
{
    private static final Pattern HASH_MEMBER = Pattern.compile("\"envelope_hash\":\"([0-9a-f]{64})\",");
    private static NatsTestServer server;

    @BeforeAll
    static void start() throws Exception
    {
        server = NatsTestServer.start();
    }

    @AfterAll
    static void stop() throws Exception
    {
        server.close();
    }

    @Test
    void shouldStoreCanonicalHashedBodiesWithTheContractHeaders() throws Exception
    {
        final Message sent = TestMessage.to("auditor", 42);
        final PublishAck ack;
        try (JetStreamBus bus = JetStreamBus.connect(TestConfigs.of(server)))
        {
            bus.provision();
            ack = bus.publishAndWait(Subjects.agentIn("auditor"), sent);
        }

        try (Connection other = Nats.connect(server.url()))
        {
            final MessageInfo stored = other.jetStreamManagement().getMessage(ack.stream(), ack.sequence());
            final String body = new String(stored.getData(), StandardCharsets.UTF_8);

            assertEquals(new JsonCanonicalizer(body).getEncodedString(), body, "the body is RFC 8785 canonical");
            final Matcher m = HASH_MEMBER.matcher(body);
            assertTrue(m.find(), body);
            final String withoutHash = body.substring(0, m.start()) + body.substring(m.end());
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(
                new JsonCanonicalizer(withoutHash).getEncodedUTF8());
            assertEquals(HexFormat.of().formatHex(digest), m.group(1), "envelope_hash is SHA-256 of the rest");
            assertEquals(sent.id(), stored.getHeaders().getFirst("Nats-Msg-Id"));
            assertEquals("00-" + TestMessage.TRACE_ID + "-" + TestMessage.SPAN_ID + "-01",
                stored.getHeaders().getFirst("traceparent"));
        }
    }
}
