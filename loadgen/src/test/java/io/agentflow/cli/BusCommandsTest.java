package io.agentflow.cli;

import io.agentflow.testsupport.NatsProcess;
import io.agentflow.testsupport.NatsTestServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(90)
class BusCommandsTest
{
    private static NatsTestServer server;

    @TempDir
    Path dir;

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
    void streamsShouldProvisionOnceAndThenChangeNothing()
    {
        final CliRun first = CliRun.of("streams", "--url", server.url());
        final CliRun second = CliRun.of("streams", "--server", server.url());   // natscli's spelling too

        assertEquals(0, first.exitCode(), first.err());
        assertTrue(first.out().contains("AF_MESSAGES") && first.out().contains("agent-processor"), first.out());
        assertEquals(0, second.exitCode(), second.err());
        assertEquals(io.agentflow.bus.wire.Streams.ALL.size() + 2, second.lines().stream().filter(l -> l.startsWith("unchanged")).count(), second.out());
    }

    @Test
    void publishShouldVerifyEachLineAndStoreARepeatOnce() throws Exception
    {
        CliRun.of("streams", "--url", server.url());
        final String m1 = newMessage("wf-cli");
        final String m2 = newMessage("wf-cli");
        final Path in = Files.writeString(dir.resolve("in.jsonl"), m1 + "\n" + m2 + "\n" + m1 + "\n"
            + m2.replace("\"step\":1", "\"step\":2") + "\n");

        final CliRun run = CliRun.of("publish", "--url", server.url(), "workflows.wf-cli.in", in.toString());

        assertEquals(1, run.exitCode(), run.err());
        final List<String> lines = run.lines();
        assertEquals(4, lines.size(), run.out());
        assertTrue(lines.get(0).matches("\\d+"), lines.get(0));
        assertTrue(lines.get(1).matches("\\d+"), lines.get(1));
        assertEquals(lines.get(0) + " duplicate", lines.get(2));
        assertTrue(lines.get(3).startsWith("error hash_mismatch "), lines.get(3));

        final CliRun replay = CliRun.of("replay", "--url", server.url(), "--workflow", "wf-cli");
        assertEquals(0, replay.exitCode(), replay.err());
        assertEquals(List.of(m1, m2), replay.lines().subList(0, 2));
        assertTrue(replay.lines().get(2).startsWith("replay workflow=wf-cli since=1970-01-01T00:00:00.000000Z "
            + "read=2 verified=2 failed=0 chain_breaks=0 examined=2"), replay.lines().get(2));
    }

    @Test
    void replayShouldReportATamperedMessageAndExitOne() throws Exception
    {
        CliRun.of("streams", "--url", server.url());
        final String good = newMessage("wf-tamper");
        final String bad = newMessage("wf-tamper").replace("\"step\":1", "\"step\":666");
        try (Connection raw = Nats.connect(server.url()))
        {
            raw.jetStream().publish("workflows.wf-tamper.in", good.getBytes(StandardCharsets.UTF_8));
            raw.jetStream().publish("workflows.wf-tamper.out", bad.getBytes(StandardCharsets.UTF_8));
        }

        final CliRun run = CliRun.of("replay", "--url", server.url(), "--workflow", "wf-tamper");

        assertEquals(1, run.exitCode());
        assertEquals(good, run.lines().get(0));
        assertTrue(run.lines().get(1).endsWith("read=2 verified=1 failed=1 chain_breaks=0 examined=2"), run.out());
        assertTrue(run.err().startsWith("error hash_mismatch " + idOf(bad) + " seq="), run.err());
    }

    @Test
    void tailShouldAcceptAnotherClientsMessagesAndRejectTamperedOnes() throws Exception
    {
        final TailRun tail = TailRun.start("tail", "--url", server.url(), "--count", "3", "--timeout", "60s", "agents.*.in");

        final String foreign = foreignMessage();   // made without this project's codec, and not canonical
        final String ours = newMessage("wf-tail");
        final String tampered = ours.replace("\"from\":\"cli\"", "\"from\":\"mallory\"");
        try (Connection raw = Nats.connect(server.url()))
        {
            raw.publish("agents.a.in", foreign.getBytes(StandardCharsets.UTF_8));
            raw.publish("agents.b.in", tampered.getBytes(StandardCharsets.UTF_8));
            raw.publish("agents.c.in", ours.getBytes(StandardCharsets.UTF_8));
            raw.flush(Duration.ofSeconds(5));
        }

        assertEquals(1, tail.exitCode(), "a rejected message makes the exit status 1");
        final List<String> accepted = List.of(tail.out().split("\n"));
        assertEquals(2, accepted.size(), tail.out());
        assertEquals(new JsonCanonicalizer(foreign).getEncodedString(), accepted.get(0), "accepted, re-canonicalized");
        assertEquals(ours, accepted.get(1));
        assertTrue(tail.err().contains("hash_mismatch " + idOf(ours) + " envelope_hash does not match"),
            tail.err());
    }

    /**
     * Issue 17, finding 5: tail opened its own plain connection, without the bus's TLS, credentials or receive
     * limit (it read in plaintext where the bus was refused). Against a server that wants a token, given only in
     * the settings file, it must connect and verify like the bus.
     */
    @Test
    void tailShouldConnectWithTheBusSettings() throws Exception
    {
        try (io.agentflow.testsupport.NatsProcess guarded = io.agentflow.testsupport.NatsProcess.create("tail-token",
            List.of("authorization { token: \"tail-s3cret\" }")).start())
        {
            final Path settings = dir.resolve("tail.env");
            Files.writeString(settings, "AF_BUS_TOKEN=tail-s3cret\nAF_BUS_MAX_RECONNECT=0\n");
            final TailRun tail = TailRun.start("--config", settings.toString(), "tail", "--url", guarded.url(), "--count", "1",
                    "--timeout", "60s", "agents.*.in");
            final String ours = newMessage("wf-tail-token");
            try (Connection raw = Nats.connect(new io.nats.client.Options.Builder().server(guarded.url())
                .token("tail-s3cret".toCharArray()).build()))
            {
                raw.publish("agents.t.in", ours.getBytes(StandardCharsets.UTF_8));
                raw.flush(Duration.ofSeconds(5));
            }
            assertEquals(0, tail.exitCode(), "stderr: " + tail.err());
            assertEquals(ours, tail.out().trim());
        }
    }

    /** Finding 2: tail checks signatures by the bus's policy, as a subscriber would. */
    @Test
    void tailShouldCheckSignaturesByThePolicy() throws Exception
    {
        final Path settings = dir.resolve("signed.env");
        Files.writeString(settings, "AF_BUS_SIGNATURE_POLICY=agents.*.in=require\n");
        final TailRun tail = TailRun.start("--config", settings.toString(), "tail", "--url", server.url(), "--count", "1",
                "--timeout", "60s", "agents.signed-tail.in");
        final String unsigned = newMessage("wf-signed-tail");
        try (Connection raw = Nats.connect(server.url()))
        {
            raw.publish("agents.signed-tail.in", unsigned.getBytes(StandardCharsets.UTF_8));
            raw.flush(Duration.ofSeconds(5));
        }
        assertEquals(1, tail.exitCode(), "stderr: " + tail.err());
        assertEquals("", tail.out());
        assertTrue(tail.err().contains("signature_missing " + idOf(unsigned)), tail.err());
    }

    private String newMessage(final String workflow)
    {
        final CliRun made = CliRun.of("new", "--from", "cli", "--to", "worker", "--type", "event", "--payload",
            "{\"step\":1}", "--metadata", "{\"workflow_id\":\"" + workflow + "\"}");
        assertEquals(0, made.exitCode(), made.err());
        return made.lines().get(0);
    }

    /** A contract message built by hand and hashed with an independent RFC 8785 implementation. */
    private static String foreignMessage() throws Exception
    {
        final String body = "{ \"type\": \"request\", \"to\": \"a\", \"from\": \"python-agent\","
            + " \"id\": \"01ARZ3NDEKTSV4RRFFQ69G5FAV\", \"trace_id\": \"\", \"span_id\": \"\","
            + " \"ts\": \"2026-11-26T20:06:50.123456Z\", \"metadata\": {}, \"payload\": {\"q\": \"caf\\u00e9\", "
            + "\"k\": 1.50}, \"cost\": {\"tokens\": 12, \"dollars\": 0.001} }";
        final byte[] canonical = new JsonCanonicalizer(body).getEncodedUTF8();
        final String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        return body.replace("\"type\": \"request\",", "\"type\": \"request\", \"envelope_hash\": \"" + hash + "\",");
    }

    private static String idOf(final String message)
    {
        return message.replaceAll(".*\"id\":\"([0-9A-Z]{26})\".*", "$1");
    }
}
