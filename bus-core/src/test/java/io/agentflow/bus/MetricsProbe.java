package io.agentflow.bus;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the shared registry as Prometheus would scrape it. */
final class MetricsProbe
{
    private MetricsProbe()
    {
    }

    static String scrape()
    {
        try
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create().write(out, PrometheusRegistry.defaultRegistry.scrape());
            return out.toString(StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** @return the value of the sample line starting with {@code series} (name and labels), 0 when absent. */
    static double value(final String scrape, final String series)
    {
        final Matcher m = Pattern.compile("^" + Pattern.quote(series) + " ([0-9.eE+-]+)$", Pattern.MULTILINE)
            .matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
