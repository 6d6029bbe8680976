package io.agentflow.cli;

import io.agentflow.bus.BusConfig;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The command line's settings: the real environment over a profile ({@code --profile dev|prod}, from the jar) or
 * a file ({@code --config FILE}, the same {@code NAME=value} lines). It applies them before anything logs: log
 * level and format become the system properties logback reads, bus settings feed {@link BusConfig#fromEnv(Map)},
 * and the {@code OTEL_*} settings configure the OpenTelemetry SDK, which is installed only when a trace exporter
 * other than {@code none} is set, so a plain run pays nothing for tracing.
 */
public final class CliEnvironment
{
    /** The OTLP protocol this command line sends (and the only one it bundles a sender for). */
    static final String OTLP_PROTOCOL = "http/protobuf";

    static final String LOG_FIELDS = "AGENTFLOW_LOG_FIELDS";
    private static final String[] LOG_SETTINGS = {"AGENTFLOW_LOG_LEVEL", "AGENTFLOW_LOG_FORMAT", LOG_FIELDS};

    private final Map<String, String> settings;
    private final Map<String, String> environment;

    private CliEnvironment(final Map<String, String> settings, final Map<String, String> environment)
    {
        this.settings = settings;
        this.environment = environment;
    }

    /** @return the settings of {@code profile} or {@code configFile} (at most one), under {@code environment}. */
    public static CliEnvironment load(final String profile, final Path configFile, final Map<String, String> environment)
    {
        final Map<String, String> merged = new HashMap<>();
        if (null != profile && null != configFile)
        {
            throw MessageError.of(ErrorCode.VALIDATION_ERROR, "--profile and --config: give one or the other");
        }
        if (null != profile)
        {
            try (InputStream in = CliEnvironment.class.getResourceAsStream("/profiles/" + profile + ".properties"))
            {
                if (null == in)
                {
                    throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, "--profile",
                        "unknown profile '" + profile + "': use dev or prod");
                }
                merged.putAll(read(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8)));
            }
            catch (final IOException ex)
            {
                throw new MessageError(ErrorCode.VALIDATION_ERROR, "--profile: " + ex.getMessage(), Map.of(), ex);
            }
        }
        if (null != configFile)
        {
            try (Reader in = Files.newBufferedReader(configFile))
            {
                merged.putAll(read(in));
            }
            catch (final IOException ex)
            {
                throw new MessageError(ErrorCode.VALIDATION_ERROR, "--config " + configFile + ": "
                    + (ex instanceof java.nio.file.NoSuchFileException ? "no such file" : ex.toString()),
                    Map.of("path", "--config"), ex);
            }
        }
        merged.putAll(environment);   // the environment wins over a profile
        final String fields = merged.get(LOG_FIELDS);
        if (null != fields && !CorrelatedJsonEncoder.FIELDS.containsAll(CorrelatedJsonEncoder.parse(fields)))
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, LOG_FIELDS, "must name some of "
                + String.join(",", CorrelatedJsonEncoder.FIELDS) + ": " + fields);
        }
        return new CliEnvironment(merged, environment);
    }

    public Map<String, String> settings()
    {
        return settings;
    }

    /** @return the bus configuration these settings describe. */
    public BusConfig busConfig()
    {
        return BusConfig.fromEnv(settings);
    }

    /**
     * Hands log settings that did not come from the environment to logback, before anything logs. With no format
     * chosen, a person at a terminal reads text and anything else (a pipe, a file, a collector) gets JSON lines.
     */
    void applyLogSettings()
    {
        if (!settings.containsKey("AGENTFLOW_LOG_FORMAT") && null == System.getProperty("AGENTFLOW_LOG_FORMAT"))
        {
            System.setProperty("AGENTFLOW_LOG_FORMAT", defaultLogFormat(null != System.console()));
        }
        for (final String key : LOG_SETTINGS)
        {
            if (!environment.containsKey(key) && settings.containsKey(key) && null == System.getProperty(key))
            {
                System.setProperty(key, settings.get(key));
            }
        }
    }

    /** @return the log format when none is set: {@code text} for a terminal, else {@code json}. */
    static String defaultLogFormat(final boolean terminal)
    {
        return terminal ? "text" : "json";
    }

    /**
     * @return the OpenTelemetry SDK these settings configure, or {@code null} when no trace exporter is set. Metric
     * and log export stay off: metrics go to Prometheus, logs to stderr.
     */
    public OpenTelemetrySdk openTelemetry()
    {
        final String exporter = settings.getOrDefault("OTEL_TRACES_EXPORTER", "none").trim();
        if ("none".equalsIgnoreCase(exporter) || exporter.isEmpty())
        {
            return null;
        }
        final Map<String, String> properties = new HashMap<>();
        properties.put("otel.metrics.exporter", "none");
        properties.put("otel.logs.exporter", "none");
        properties.put("otel.service.name", "agentflow");
        settings.forEach((k, v) ->
        {
            if (k.startsWith("OTEL_"))
            {
                properties.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
            }
        });
        // the JDK's HTTP client sends (no OkHttp in the jar), so OTLP goes over HTTP: http/protobuf, port 4318
        final String protocol = properties.getOrDefault("otel.exporter.otlp.traces.protocol",
            properties.getOrDefault("otel.exporter.otlp.protocol", OTLP_PROTOCOL));
        if (!protocol.startsWith("http/"))
        {
            throw MessageError.of(ErrorCode.VALIDATION_ERROR, "OTEL_EXPORTER_OTLP_PROTOCOL=" + protocol
                + ": this command line sends OTLP over HTTP with the JDK's client (http/protobuf, a collector's port "
                + "4318); gRPC is not bundled");
        }
        properties.putIfAbsent("otel.exporter.otlp.protocol", OTLP_PROTOCOL);
        try
        {
            return AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> properties)
                .disableShutdownHook()
                .build()
                .getOpenTelemetrySdk();
        }
        catch (final io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException ex)
        {
            throw MessageError.of(ErrorCode.VALIDATION_ERROR, "OpenTelemetry settings: " + ex.getMessage()
                + (null == ex.getCause() ? "" : " (" + ex.getCause().getMessage() + ")"));
        }
    }

    private static Map<String, String> read(final Reader in) throws IOException
    {
        final Properties p = new Properties();
        p.load(in);
        final Map<String, String> map = new HashMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k).trim()));
        return map;
    }
}
