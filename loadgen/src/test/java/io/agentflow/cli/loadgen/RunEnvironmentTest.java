package io.agentflow.cli.loadgen;

import io.agentflow.bus.BusConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report's environment block names what reproduces a run, and never a secret. */
class RunEnvironmentTest
{
    @Test
    void shouldListTheBusSettingsWithSecretsHidden()
    {
        final Map<String, Object> settings = RunEnvironment.settings(Map.of("AF_BUS_URL",
            "nats://alice:s3cret@host:4222", "AF_BUS_TOKEN", "t0ken", "AF_BUS_PASSWORD_FILE", "/run/secrets/p",
            "AF_BUS_FETCH_BATCH", "100", "HOME", "/root"));

        assertEquals("100", settings.get("AF_BUS_FETCH_BATCH"));
        assertEquals("(set)", settings.get("AF_BUS_TOKEN"));
        assertEquals("(set)", settings.get("AF_BUS_PASSWORD_FILE"));
        assertTrue(!String.valueOf(settings.get("AF_BUS_URL")).contains("s3cret"), settings.toString());
        assertEquals(3 + 1, settings.size(), "only AF_BUS_*: " + settings);
    }

    @Test
    void shouldNameTheVersionFlagsLoadAndCommand()
    {
        final Map<String, Object> env = RunEnvironment.of("nats://127.0.0.1:4222", "2.9.10", "pipeline",
            BusConfig.fromEnv(Map.of()).conclude(), "agentflow loadgen");

        for (final String key : new String[]{"agentflow", "jdk", "jvm_flags", "cpu", "load_average", "settings",
            "server_version", "command"})
        {
            assertTrue(env.containsKey(key), key);
        }
        assertEquals("nats-server 2.9.10", env.get("server_version"));
        assertTrue(String.valueOf(env.get("load_average")).matches("[0-9.]+ [0-9.]+ [0-9.]+"), env.toString());
    }
}
