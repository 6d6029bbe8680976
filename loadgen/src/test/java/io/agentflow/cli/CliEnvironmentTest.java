package io.agentflow.cli;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliEnvironmentTest
{
    @TempDir
    Path dir;

    @Test
    void shouldLoadTheDevProfileWithEveryTraceSampled()
    {
        final CliEnvironment dev = CliEnvironment.load("dev", null, Map.of());
        assertEquals("nats://localhost:4222", dev.busConfig().url());   // the design's dev values
        assertEquals(5, dev.busConfig().maxReconnect());
        assertEquals(java.time.Duration.ofSeconds(1), dev.busConfig().reconnectWait());
        assertEquals(java.time.Duration.ofSeconds(10), dev.busConfig().delivery().ackWait());
        assertEquals("json", dev.settings().get("AGENTFLOW_LOG_FORMAT"));
        assertEquals("DEBUG", dev.settings().get("AGENTFLOW_LOG_LEVEL"));
        assertEquals("trace_id,span_id,message_id", dev.settings().get("AGENTFLOW_LOG_FIELDS"));
        try (OpenTelemetrySdk sdk = dev.openTelemetry())
        {
            assertTrue(sdk.getSdkTracerProvider().getSampler().getDescription().contains("TraceIdRatioBased{1.000000}"),
                sdk.getSdkTracerProvider().getSampler().getDescription());
        }
    }

    @Test
    void shouldLoadTheProdProfileWithOneTraceInTen()
    {
        final CliEnvironment prod = CliEnvironment.load("prod", null, Map.of());   // the design's prod values
        assertEquals("nats://nats-cluster:4222", prod.busConfig().url());
        assertEquals(10, prod.busConfig().maxReconnect());
        assertEquals(java.time.Duration.ofSeconds(2), prod.busConfig().reconnectWait());
        assertEquals(java.time.Duration.ofSeconds(30), prod.busConfig().delivery().ackWait());
        assertEquals("json", prod.settings().get("AGENTFLOW_LOG_FORMAT"));
        assertEquals("INFO", prod.settings().get("AGENTFLOW_LOG_LEVEL"));
        assertEquals("trace_id,span_id,message_id,workflow_id", prod.settings().get("AGENTFLOW_LOG_FIELDS"));
        try (OpenTelemetrySdk sdk = prod.openTelemetry())
        {
            final String sampler = sdk.getSdkTracerProvider().getSampler().getDescription();
            assertTrue(sampler.contains("ParentBased") && sampler.contains("TraceIdRatioBased{0.100000}"), sampler);
        }
    }

    @Test
    void shouldSendOtlpOverHttpAndRefuseGrpcWithOneClearLine()
    {
        try (OpenTelemetrySdk sdk = CliEnvironment.load("dev", null, Map.of()).openTelemetry())
        {
            assertTrue(sdk.getSdkTracerProvider().toString().contains("OtlpHttpSpanExporter"),
                sdk.getSdkTracerProvider().toString());
        }
        final io.agentflow.codec.error.MessageError refused = org.junit.jupiter.api.Assertions.assertThrows(
            io.agentflow.codec.error.MessageError.class, () -> CliEnvironment.load("dev", null,
                Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")).openTelemetry());
        assertTrue(refused.getMessage().contains("gRPC is not bundled"), refused.getMessage());
    }

    @Test
    void shouldRefuseAnUnknownCorrelationField()
    {
        final MessageError e = assertThrows(MessageError.class, () -> CliEnvironment.load(null, null,
            Map.of("AGENTFLOW_LOG_FIELDS", "trace_id,tenant")));
        assertTrue(e.getMessage().contains("AGENTFLOW_LOG_FIELDS") && e.getMessage().contains("tenant"),
            e.getMessage());
    }

    @Test
    void shouldLetTheEnvironmentOverrideAProfile()
    {
        final CliEnvironment env = CliEnvironment.load("prod", null, Map.of("AF_BUS_MAX_RECONNECT", "3",
            "OTEL_TRACES_EXPORTER", "none"));
        assertEquals(3, env.busConfig().maxReconnect());
        assertNull(env.openTelemetry(), "no exporter, no SDK: a plain run pays nothing for tracing");
    }

    @Test
    void shouldReadAConfigFile() throws Exception
    {
        final Path file = Files.writeString(dir.resolve("agentflow.properties"),
            "AF_BUS_URL=nats://bus.internal:4222\nAF_BUS_ACK_WAIT=45s\n");
        final CliEnvironment env = CliEnvironment.load(null, file, Map.of());
        assertEquals("nats://bus.internal:4222", env.busConfig().url());
        assertEquals(Duration.ofSeconds(45), env.busConfig().delivery().ackWait());
        assertNull(env.openTelemetry());
    }

    @Test
    void shouldRefuseAnUnknownProfileOrBothSources()
    {
        assertEquals(ErrorCode.VALIDATION_ERROR,
            assertThrows(MessageError.class, () -> CliEnvironment.load("staging", null, Map.of())).code());
        assertThrows(MessageError.class, () -> CliEnvironment.load("dev", dir.resolve("x"), Map.of()));
        final MessageError missing = assertThrows(MessageError.class, () -> CliEnvironment.load(null,
            dir.resolve("absent.env"), Map.of()));
        assertTrue(missing.getMessage().endsWith("absent.env: no such file"), missing.getMessage());
    }

    /** Issue 20: JSON lines were written even to a person at a terminal. */
    @Test
    void shouldWriteTextLogsToATerminalAndJsonElsewhere()
    {
        assertEquals("text", CliEnvironment.defaultLogFormat(true));
        assertEquals("json", CliEnvironment.defaultLogFormat(false));
    }

    @Test
    void shouldRefuseABadValueInAProfileNamingIt() throws Exception
    {
        final Path file = Files.writeString(dir.resolve("bad.properties"), "AF_BUS_RECONNECT_WAIT=soon\n");
        final MessageError e = assertThrows(MessageError.class,
            () -> CliEnvironment.load(null, file, Map.of()).busConfig());
        assertEquals("AF_BUS_RECONNECT_WAIT", e.path());
    }
}
