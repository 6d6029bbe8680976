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

    /**
     * @return the value of the sample line starting with {@code series} (name and labels).
     * @throws IllegalStateException when the scrape has no such line: a series that vanished must not read as 0.
     */
    static double value(final String scrape, final String series)
    {
        final Double v = find(scrape, series);
        if (null == v)
        {
            throw new IllegalStateException("no series " + series + " in the scrape");
        }
        return v;
    }

    /** @return the series' value, or {@code absent} where a series rightly does not exist yet (before its first event). */
    static double valueOr(final String scrape, final String series, final double absent)
    {
        final Double v = find(scrape, series);
        return null == v ? absent : v;
    }

    private static Double find(final String scrape, final String series)
    {
        final Matcher m = Pattern.compile("^" + Pattern.quote(series) + " ([0-9.eE+-]+)$", Pattern.MULTILINE)
            .matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : null;
    }
}
