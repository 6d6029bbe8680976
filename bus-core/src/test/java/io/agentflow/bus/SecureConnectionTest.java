package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.wire.Streams;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile peers, issue 8: each way of securing the connection, configured from {@code AF_BUS_*} variables against a
 * real {@code nats-server} configured for it, with a test that connects (and stores a message) and one that is
 * refused with a clear {@code transport_error}. The CA is made at test time ({@link TestCa}).
 */
@Timeout(60)
class SecureConnectionTest
{
    @TempDir
    static Path pki;
    private static TestCa ca;
    private static TestCa otherCa;

    @BeforeAll
    static void makeCertificates() throws Exception
    {
        ca = TestCa.create(pki, "test-ca");
        otherCa = TestCa.create(pki, "other-ca");
        ca.issue("server", "DNS:localhost", "IP:127.0.0.1");
        ca.issue("wrong-host", "DNS:elsewhere.example");
        ca.issue("agent-client");
        otherCa.issue("stranger-client");
    }

    @Test
    void tlsConnectsWhenTheServerCertificateChainsToTheConfiguredCa() throws Exception
    {
        try (NatsProcess server = tlsServer("server", false))
        {
            storesAMessage(env(server, BusSecurity.TLS_CA_FILE_ENV, ca.certificateFile().toString()));
        }
    }

    @Test
    void tlsIsRefusedWithAnUntrustedCaOrWithoutTls() throws Exception
    {
        try (NatsProcess server = tlsServer("server", false))
        {
            refused(env(server, BusSecurity.TLS_CA_FILE_ENV, otherCa.certificateFile().toString()),
                "unable to find valid certification path");
            refused(env(server), "SSL required by server");
        }
    }

    @Test
    void tlsChecksTheServersHostName() throws Exception
    {
        try (NatsProcess server = tlsServer("wrong-host", false))   // a valid certificate, for another name
        {
            refused(env(server, BusSecurity.TLS_CA_FILE_ENV, ca.certificateFile().toString()),
                "No subject alternative names matching IP address 127.0.0.1");
        }
    }

    /**
     * Issue 17, finding 6: a {@code tls://} URL without a CA file got jnats' own TLS, which checks the chain but not
     * the host name. Now it is checked against the JVM's CA certificates (here a trust store holding the test CA,
     * as an operator's {@code javax.net.ssl.trustStore} would) and the host name, like a CA file.
     */
    @Test
    void aTlsUrlWithoutACaFileChecksTheHostNameAgainstTheJvmsCas() throws Exception
    {
        final Path store = pki.resolve("jvm-trust.p12");
        final java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (java.io.InputStream in = Files.newInputStream(ca.certificateFile()))
        {
            trust.setCertificateEntry("test-ca", java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(in));
        }
        try (java.io.OutputStream out = Files.newOutputStream(store))
        {
            trust.store(out, "changeit".toCharArray());
        }
        final Map<String, String> saved = new HashMap<>();
        for (final String key : List.of("javax.net.ssl.trustStore", "javax.net.ssl.trustStoreType",
            "javax.net.ssl.trustStorePassword"))
        {
            saved.put(key, System.getProperty(key));
        }
        System.setProperty("javax.net.ssl.trustStore", store.toString());
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
        try
        {
            try (NatsProcess server = tlsServer("wrong-host", false))
            {
                refused(env(server, BusConfig.URL_ENV, tlsUrl(server)),
                    "No subject alternative names matching IP address 127.0.0.1");
            }
            try (NatsProcess server = tlsServer("server", false))
            {
                storesAMessage(env(server, BusConfig.URL_ENV, tlsUrl(server)));
            }
        }
        finally
        {
            saved.forEach((k, v) ->
            {
                if (null == v)
                {
                    System.clearProperty(k);
                }
                else
                {
                    System.setProperty(k, v);
                }
            });
        }
    }

    /** Finding 6: {@code opentls://} trusts any certificate; it is refused unless asked for by name. */
    @Test
    void opentlsIsRefusedWithoutTheInsecureFlag() throws Exception
    {
        try (NatsProcess server = tlsServer("wrong-host", false))
        {
            final String url = "opentls://127.0.0.1:" + server.port();
            final MessageError e = assertThrows(MessageError.class, () -> BusConfig.fromEnv(env(server,
                BusConfig.URL_ENV, url)));
            assertEquals(ErrorCode.VALIDATION_ERROR, e.code());
            assertTrue(e.getMessage().contains(BusSecurity.TLS_INSECURE_ENV), e.getMessage());
            storesAMessage(env(server, BusConfig.URL_ENV, url, BusSecurity.TLS_INSECURE_ENV, "true"));
        }
    }

    /** Finding 6: credentials in a URL were printed verbatim in connection errors and in the configuration. */
    @Test
    void credentialsInAUrlAreNeverPrinted() throws Exception
    {
        try (NatsProcess server = NatsProcess.create("url-token", List.of("authorization { token: \"t0k-in-url\" }"))
            .start())
        {
            storesAMessage(env(server, BusConfig.URL_ENV, "nats://t0k-in-url@127.0.0.1:" + server.port()));
            final BusConfig config = BusConfig.fromEnv(env(server, BusConfig.URL_ENV,
                "nats://alice:pa55word@127.0.0.1:" + server.port() + ",nats://t0k-in-url@127.0.0.1:1"));
            assertTrue(config.toString().contains("nats://***@127.0.0.1:" + server.port() + ",nats://***@"),
                config.toString());
            final MessageError e = assertThrows(MessageError.class, () -> JetStreamBus.connect(config).close());
            assertTrue(e.getMessage().contains("cannot connect to nats://***@"), e.getMessage());
            for (final String text : List.of(config.toString(), e.getMessage(), String.valueOf(e.getCause())))
            {
                assertTrue(!text.contains("pa55word") && !text.contains("t0k-in-url"), text);
            }
        }
    }

    private static String tlsUrl(final NatsProcess server)
    {
        return "tls://127.0.0.1:" + server.port();
    }

    @Test
    void mutualTlsConnectsWithACertificateFromTheServersCa() throws Exception
    {
        try (NatsProcess server = tlsServer("server", true))
        {
            storesAMessage(env(server, BusSecurity.TLS_CA_FILE_ENV, ca.certificateFile().toString(),
                BusSecurity.TLS_CERT_FILE_ENV, pki.resolve("agent-client.pem").toString(),
                BusSecurity.TLS_KEY_FILE_ENV, ca.keyFile("agent-client").toString()));
        }
    }

    @Test
    void mutualTlsRefusesAClientWithoutACertificateOrWithAStrangersOne() throws Exception
    {
        try (NatsProcess server = tlsServer("server", true))
        {
            refused(env(server, BusSecurity.TLS_CA_FILE_ENV, ca.certificateFile().toString()), "mutual TLS");
            refused(env(server, BusSecurity.TLS_CA_FILE_ENV, ca.certificateFile().toString(),
                BusSecurity.TLS_CERT_FILE_ENV, pki.resolve("stranger-client.pem").toString(),
                BusSecurity.TLS_KEY_FILE_ENV, otherCa.keyFile("stranger-client").toString()), "mutual TLS");
        }
    }

    @Test
    void tokenAuthentication() throws Exception
    {
        try (NatsProcess server = NatsProcess.create("token", List.of("authorization { token: \"s3cret-t0ken\" }"))
            .start())
        {
            storesAMessage(env(server, BusSecurity.TOKEN_ENV, "s3cret-t0ken"));
            refused(env(server, BusSecurity.TOKEN_ENV, "guess"), "Authorization Violation");
            refused(env(server), "Authorization Violation");
        }
    }

    @Test
    void userAndPasswordAuthentication() throws Exception
    {
        try (NatsProcess server = NatsProcess.create("userpass", List.of(
            "authorization { users: [ { user: alice, password: \"alice-pw\" } ] }")).start())
        {
            storesAMessage(env(server, BusSecurity.USER_ENV, "alice", BusSecurity.PASSWORD_ENV, "alice-pw"));
            refused(env(server, BusSecurity.USER_ENV, "alice", BusSecurity.PASSWORD_ENV, "wrong"),
                "Authorization Violation");
        }
    }

    @Test
    void nkeyAuthentication() throws Exception
    {
        final NKey user = NKey.createUser(new SecureRandom());
        final NKey stranger = NKey.createUser(new SecureRandom());
        final Path seed = Files.writeString(pki.resolve("user.nk"), new String(user.getSeed()));
        final Path strangerSeed = Files.writeString(pki.resolve("stranger.nk"), new String(stranger.getSeed()));
        try (NatsProcess server = NatsProcess.create("nkey", List.of(
            "authorization { users: [ { nkey: " + new String(user.getPublicKey()) + " } ] }")).start())
        {
            storesAMessage(env(server, BusSecurity.NKEY_SEED_FILE_ENV, seed.toString()));
            refused(env(server, BusSecurity.NKEY_SEED_FILE_ENV, strangerSeed.toString()), "Authorization Violation");
        }
    }

    /** Decentralised auth: a server in operator mode, a user JWT and seed in a .creds file, as nsc writes them. */
    @Test
    void credentialsFileAuthentication() throws Exception
    {
        final NatsOperator operator = NatsOperator.create();
        final Path creds = operator.credsFile(pki, "agent");
        final Path stranger = NatsOperator.strangerCredsFile(pki, "stranger");
        try (NatsProcess server = NatsProcess.create("creds", operator.serverConfig()).start())
        {
            storesAMessage(env(server, BusSecurity.CREDS_FILE_ENV, creds.toString()));
            storesAMessage(env(server, BusSecurity.NATS_CREDS_ENV, creds.toString()));   // natscli's variable
            refused(env(server, BusSecurity.CREDS_FILE_ENV, stranger.toString()), "Authorization Violation");
            refused(env(server), "Authorization Violation");
        }
        final MessageError missing = assertThrows(MessageError.class, () -> BusConfig.fromEnv(Map.of(
            BusSecurity.CREDS_FILE_ENV, pki.resolve("absent.creds").toString())));
        assertTrue(missing.getMessage().contains(BusSecurity.CREDS_FILE_ENV), missing.getMessage());
    }

    @Test
    void conflictingSettingsAreRejectedNamingBoth()
    {
        final MessageError e = assertThrows(MessageError.class, () -> BusConfig.fromEnv(Map.of(
            BusSecurity.TOKEN_ENV, "t", BusSecurity.USER_ENV, "u", BusSecurity.PASSWORD_ENV, "p")));
        assertTrue(e.getMessage().contains(BusSecurity.TOKEN_ENV) && e.getMessage().contains(BusSecurity.USER_ENV),
            e.getMessage());
        final MessageError noKey = assertThrows(MessageError.class, () -> BusConfig.fromEnv(Map.of(
            BusSecurity.TLS_CA_FILE_ENV, "ca.pem", BusSecurity.TLS_CERT_FILE_ENV, "c.pem")));
        assertTrue(noKey.getMessage().contains(BusSecurity.TLS_KEY_FILE_ENV), noKey.getMessage());
        assertTrue(!BusConfig.fromEnv(Map.of(BusSecurity.PASSWORD_ENV, "x", BusSecurity.USER_ENV, "u"))
            .security().toString().contains("x,"), "the password is not printed");
    }

    private static NatsProcess tlsServer(final String certificate, final boolean verifyClients) throws Exception
    {
        return NatsProcess.create("tls", List.of("tls { cert_file: \"" + pki.resolve(certificate + ".pem")
            + "\", key_file: \"" + ca.keyFile(certificate) + "\", timeout: 2" + (verifyClients
            ? ", ca_file: \"" + ca.certificateFile() + "\", verify: true" : "") + " }")).start();
    }

    private static Map<String, String> env(final NatsProcess server, final String... keyValues)
    {
        final Map<String, String> env = new HashMap<>(Map.of(BusConfig.URL_ENV, server.url(),
            BusConfig.MAX_RECONNECT_ENV, "0", BusConfig.PUBLISH_TIMEOUT_ENV, "3s"));
        for (int i = 0; i < keyValues.length; i += 2)
        {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return env;
    }

    private static void storesAMessage(final Map<String, String> env)
    {
        try (JetStreamBus bus = JetStreamBus.connect(BusConfig.fromEnv(env)))
        {
            bus.provision();
            final PublishAck ack = bus.publishAndWait("agents.secure.in", TestMessage.to("secure", 1));
            assertEquals(Streams.MESSAGES, ack.stream());
        }
    }

    private static void refused(final Map<String, String> env, final String reason)
    {
        final long start = System.nanoTime();
        final MessageError e = assertThrows(MessageError.class, () -> JetStreamBus.connect(BusConfig.fromEnv(env))
            .close());
        final long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(ErrorCode.TRANSPORT_ERROR, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("cannot connect to"), e.getMessage());
        assertTrue(e.getMessage().contains(reason), "expected '" + reason + "' in: " + e.getMessage());
        assertTrue(ms < 10_000, "refused within seconds, not a hang: " + ms + " ms");
    }
}
