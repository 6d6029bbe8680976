package io.agentflow.cli.loadgen;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.BusSecurity;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code environment} block of a report: what it takes to reproduce a run or to doubt it. The agentflow
 * version, JDK and JVM flags, CPU, OS, the server's version, the effective {@code AF_BUS_*} settings (secrets
 * redacted), the machine's load average when the report was written (1, 5 and 15 minutes: on a shared machine the
 * neighbours show there), and the exact command.
 */
final class RunEnvironment
{
    private RunEnvironment()
    {
    }

    static Map<String, Object> of(final String endpoint, final String serverVersion, final String publishPath,
        final BusConfig config, final String command)
    {
        final Map<String, Object> env = new LinkedHashMap<>();
        final String version = RunEnvironment.class.getPackage().getImplementationVersion();
        env.put("agentflow", null == version ? "development build" : version);
        env.put("transport_endpoint", BusSecurity.redact(endpoint));
        env.put("server_version", null == serverVersion ? "in-process" : "nats-server " + serverVersion);
        env.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.put("jvm_flags", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        env.put("cpu", cpuName() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        env.put("load_average", loadAverage());
        env.put("date", java.time.Instant.now().toString());
        env.put("publish_path", publishPath);
        env.put("handler_threads", config.delivery().handlerThreads());   // 1: handlers on the reading thread, no shard
        env.put("workflow_index", config.workflowIndex());   // AF_BUS_WORKFLOW_INDEX: the indexer reads every message again
        env.put("settings", settings(System.getenv()));
        env.put("command", command);
        return env;
    }

    /** @return the {@code AF_BUS_*} variables set, with the values of secrets and of files holding them hidden. */
    static Map<String, Object> settings(final Map<String, String> environment)
    {
        final Map<String, Object> set = new TreeMap<>();
        environment.forEach((name, value) ->
        {
            if (name.startsWith("AF_BUS_"))
            {
                set.put(name, name.matches(".*(TOKEN|PASSWORD|NKEY|SEED|KEY).*") ? "(set)" : BusSecurity.redact(value));
            }
        });
        return set;
    }

    private static String loadAverage()
    {
        try
        {
            final String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static String cpuName()
    {
        try
        {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst().orElse(System.getProperty("os.arch"));
        }
        catch (final java.io.IOException ex)
        {
            return System.getProperty("os.arch");
        }
    }
}
