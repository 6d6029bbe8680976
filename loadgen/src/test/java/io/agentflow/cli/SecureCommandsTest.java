package io.agentflow.cli;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;
import io.agentflow.testsupport.NatsOperator;
import io.agentflow.testsupport.NatsProcess;
import io.agentflow.testsupport.TestCa;
import io.nats.client.NKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code agentflow streams} and {@code agentflow tail} connect as the library does: for each way of securing the
 * connection, a real nats-server configured for it, both commands with the setting (in a {@code --config} file, as
 * the environment would give it) doing their work, and both refused without it: TLS, a token, a user and password,
 * an NKey, and a credentials file (a user JWT and its seed, against a server in operator mode).
 */
@Timeout(120)
class SecureCommandsTest
{
    @TempDir
    static Path pki;
    private static TestCa ca;

    @TempDir
    Path dir;

    @BeforeAll
    static void makeCertificates() throws Exception
    {
        ca = TestCa.create(pki, "cli-ca");
        ca.issue("server", "DNS:localhost", "IP:127.0.0.1");
    }

    @Test
    void tls() throws Exception
    {
        try (NatsProcess server = NatsProcess.create("cli-tls", List.of("tls { cert_file: \""
            + pki.resolve("server.pem") + "\", key_file: \"" + ca.keyFile("server") + "\", timeout: 2 }")).start())
        {
            final String url = "tls://127.0.0.1:" + server.port();
            bothCommandsWork(url, Map.of("AF_BUS_TLS_CA_FILE", ca.certificateFile().toString()));
            bothCommandsAreRefused(url, Map.of());   // the server's CA is not one the JVM trusts
        }
    }

    @Test
    void token() throws Exception
    {
        try (NatsProcess server = NatsProcess.create("cli-token",
            List.of("authorization { token: \"cli-t0ken\" }")).start())
        {
            bothCommandsWork(server.url(), Map.of("AF_BUS_TOKEN", "cli-t0ken"));
            bothCommandsAreRefused(server.url(), Map.of("AF_BUS_TOKEN", "guess"));
        }
    }

    @Test
    void userAndPassword() throws Exception
    {
        try (NatsProcess server = NatsProcess.create("cli-userpass",
            List.of("authorization { users: [ { user: carol, password: \"carol-pw\" } ] }")).start())
        {
            bothCommandsWork(server.url(), Map.of("AF_BUS_USER", "carol", "AF_BUS_PASSWORD", "carol-pw"));
            bothCommandsAreRefused(server.url(), Map.of("AF_BUS_USER", "carol", "AF_BUS_PASSWORD", "wrong"));
        }
    }

    @Test
    void nkey() throws Exception
    {
        final NKey user = NKey.createUser(new SecureRandom());
        final NKey stranger = NKey.createUser(new SecureRandom());
        final Path seed = Files.writeString(pki.resolve("cli-user.nk"), new String(user.getSeed()));
        final Path strangerSeed = Files.writeString(pki.resolve("cli-stranger.nk"), new String(stranger.getSeed()));
        try (NatsProcess server = NatsProcess.create("cli-nkey", List.of(
            "authorization { users: [ { nkey: " + new String(user.getPublicKey()) + " } ] }")).start())
        {
            bothCommandsWork(server.url(), Map.of("AF_BUS_NKEY_SEED_FILE", seed.toString()));
            bothCommandsAreRefused(server.url(), Map.of("AF_BUS_NKEY_SEED_FILE", strangerSeed.toString()));
        }
    }

    @Test
    void credentialsFile() throws Exception
    {
        final NatsOperator operator = NatsOperator.create();
        final Path creds = operator.credsFile(pki, "cli-agent");
        final Path stranger = NatsOperator.strangerCredsFile(pki, "cli-stranger");
        try (NatsProcess server = NatsProcess.create("cli-creds", operator.serverConfig()).start())
        {
            bothCommandsWork(server.url(), Map.of("AF_BUS_CREDS_FILE", creds.toString()));
            bothCommandsAreRefused(server.url(), Map.of("AF_BUS_CREDS_FILE", stranger.toString()));
        }
    }

    /** streams provisions and prints; tail shows a message the library stored with the same settings. */
    private void bothCommandsWork(final String url, final Map<String, String> settings) throws Exception
    {
        final Path file = settingsFile(settings);
        final CliRun streams = CliRun.of("--config", file.toString(), "streams", "--url", url);
        assertEquals(0, streams.exitCode(), streams.err());
        assertTrue(streams.out().contains("stream AF_MESSAGES"), streams.out());

        final TailRun tail = TailRun.start("--config", file.toString(), "tail", "--url", url, "--count", "1",
            "--timeout", "30s", "agents.*.in");
        final Map<String, String> env = new LinkedHashMap<>(settings);
        env.put(BusConfig.URL_ENV, url);
        final Message sent = Message.builder().from("cli-test").to("secure-cli").type(MessageType.REQUEST)
            .payload(Map.of("n", 1)).build();
        try (JetStreamBus bus = JetStreamBus.connect(BusConfig.fromEnv(env)))
        {
            bus.publishAndWait(Subjects.agentIn("secure-cli"), sent);
        }
        assertEquals(0, tail.exitCode(), tail.err());
        assertEquals(sent.toString(), tail.out().trim());
    }

    /** Without the right setting both fail with one line naming the transport error, status 3. */
    private void bothCommandsAreRefused(final String url, final Map<String, String> settings) throws Exception
    {
        final Path file = settingsFile(settings);
        final CliRun streams = CliRun.of("--config", file.toString(), "streams", "--url", url);
        assertEquals(AgentFlow.UNAVAILABLE, streams.exitCode(), streams.out() + streams.err());
        assertTrue(streams.err().startsWith("error transport_error - cannot connect"), streams.err());
        final CliRun tail = CliRun.of("--config", file.toString(), "tail", "--url", url, "--timeout", "5s",
            "agents.*.in");
        assertEquals(AgentFlow.UNAVAILABLE, tail.exitCode(), tail.out() + tail.err());
        assertTrue(tail.err().startsWith("error transport_error - cannot connect"), tail.err());
    }

    private Path settingsFile(final Map<String, String> settings) throws Exception
    {
        final StringBuilder lines = new StringBuilder("AF_BUS_MAX_RECONNECT=0\nAF_BUS_PUBLISH_TIMEOUT=5s\n");
        settings.forEach((k, v) -> lines.append(k).append('=').append(v).append('\n'));
        return Files.writeString(Files.createTempFile(dir, "settings", ".env"), lines.toString());
    }
}
