package io.agentflow.bus;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BusConfigTest
{
    @Test
    void shouldUseTheDesignDefaults()
    {
        final BusConfig c = BusConfig.fromEnv(Map.of());
        assertEquals("nats://localhost:4222", c.url());
        assertEquals(10, c.maxReconnect());
        assertEquals(Duration.ofSeconds(2), c.reconnectWait());
        assertEquals(Duration.ofSeconds(30), c.delivery().ackWait());
        assertEquals(1000, c.maxInFlight());
    }

    @Test
    void shouldReadTheEnvironment()
    {
        final BusConfig c = BusConfig.fromEnv(Map.of(
            "AF_BUS_URL", "nats://a:4222,nats://b:4222",
            "AF_BUS_MAX_RECONNECT", "3",
            "AF_BUS_RECONNECT_WAIT", "250ms",
            "AF_BUS_ACK_WAIT", "PT45S",
            "AF_BUS_MAX_IN_FLIGHT", "4096"));
        assertEquals("nats://a:4222,nats://b:4222", c.url());
        assertEquals(3, c.maxReconnect());
        assertEquals(Duration.ofMillis(250), c.reconnectWait());
        assertEquals(Duration.ofSeconds(45), c.delivery().ackWait());
        assertEquals(4096, c.maxInFlight());
    }

    /** A natscli user's NATS_URL is used when AF_BUS_URL is not set (issue 20). */
    @Test
    void shouldFallBackToTheNatsToolsUrl()
    {
        assertEquals("nats://from-nats-url:4222", BusConfig.fromEnv(Map.of("NATS_URL", "nats://from-nats-url:4222"))
            .url());
        assertEquals("nats://ours:4222", BusConfig.fromEnv(Map.of("NATS_URL", "nats://theirs:4222",
            BusConfig.URL_ENV, "nats://ours:4222")).url());
    }

    @Test
    void shouldNameTheVariableOfABadValue()
    {
        final MessageError e = assertThrows(MessageError.class,
            () -> BusConfig.fromEnv(Map.of("AF_BUS_RECONNECT_WAIT", "soon")));
        assertEquals(ErrorCode.VALIDATION_ERROR, e.code());
        assertEquals("AF_BUS_RECONNECT_WAIT", e.path());
        assertTrue(e.getMessage().contains("soon"));
    }

    @Test
    void shouldRejectACombinationNamingBothValues()
    {
        final MessageError e = assertThrows(MessageError.class, () -> BusConfig.fromEnv(Map.of(
            "AF_BUS_REDELIVERY_DELAY", "5s", "AF_BUS_REDELIVERY_DELAY_MAX", "2s")));
        assertTrue(e.getMessage().contains("AF_BUS_REDELIVERY_DELAY=PT5S"), e.getMessage());
        assertTrue(e.getMessage().contains("AF_BUS_REDELIVERY_DELAY_MAX=PT2S"), e.getMessage());
    }

    @Test
    void shouldReadSecretsFromFilesAsContainerPlatformsHandThemOver(@org.junit.jupiter.api.io.TempDir
        final java.nio.file.Path dir) throws Exception
    {
        final java.nio.file.Path token = java.nio.file.Files.writeString(dir.resolve("token"), "s3cret\n");
        assertEquals("s3cret", BusConfig.fromEnv(Map.of(BusSecurity.TOKEN_ENV + "_FILE", token.toString()))
            .security().token());
        final java.nio.file.Path password = java.nio.file.Files.writeString(dir.resolve("pw"), "hunter2");
        assertEquals("hunter2", BusConfig.fromEnv(Map.of(BusSecurity.USER_ENV, "alice",
            BusSecurity.PASSWORD_ENV + "_FILE", password.toString())).security().password());
        final MessageError both = assertThrows(MessageError.class, () -> BusConfig.fromEnv(Map.of(
            BusSecurity.TOKEN_ENV, "a", BusSecurity.TOKEN_ENV + "_FILE", token.toString())));
        assertTrue(both.getMessage().contains("not both"), both.getMessage());
        final MessageError missing = assertThrows(MessageError.class, () -> BusConfig.fromEnv(Map.of(
            BusSecurity.TOKEN_ENV + "_FILE", dir.resolve("absent").toString())));
        assertTrue(missing.getMessage().contains("AF_BUS_TOKEN_FILE") && !missing.getMessage().contains("s3cret"),
            missing.getMessage());
    }

    @Test
    void shouldDoubleRedeliveryDelaysUpToTheMaximum()
    {
        final DeliverySettings d = DeliverySettings.DEFAULT.redeliveryDelay(Duration.ofMillis(100),
            Duration.ofMillis(350));
        assertEquals(Duration.ofMillis(100), d.delayAfter(1));
        assertEquals(Duration.ofMillis(200), d.delayAfter(2));
        assertEquals(Duration.ofMillis(350), d.delayAfter(3));
        assertEquals(Duration.ofMillis(350), d.delayAfter(1_000));
    }
}
