package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import io.agentflow.testsupport.Await;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * docs/observability.md lists every metric and every span attribute (issue 20): a live run over a real nats-server
 * with the OpenTelemetry SDK emits exactly those, no more and no fewer.
 */
@Timeout(120)
class ObservabilityDocTest extends ProvisionedServerTest
{
    private static final Path DOC = Path.of("..", "docs", "observability.md");

    @Test
    void theMetricsScrapedAndTheSpanAttributesRecordedAreExactlyThoseDocumented() throws Exception
    {
        final InMemorySpanExporter exporter = InMemorySpanExporter.create();
        final Set<String> attributes = new TreeSet<>();
        try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build())
        {
            final BusConfig c = TestConfigs.of(server).openTelemetry(sdk).breaker(50, 20, Duration.ofSeconds(2));
            try (JetStreamBus traced = JetStreamBus.connect(c.resilience(c.resilience().handlerBreaker(true))))
            {
                final AtomicInteger handled = new AtomicInteger();
                final AtomicInteger calls = new AtomicInteger();
                final String subject = Subjects.agentIn("observed");
                try (Subscription s = traced.subscribe(SubscriptionSpec.durable("observed", subject), (m, d) ->
                {
                    if (1 == calls.incrementAndGet())
                    {
                        throw new IllegalStateException("fails once");   // error.type on a CONSUMER span
                    }
                    handled.incrementAndGet();
                }))
                {
                    for (int i = 0; i < 3; i++)
                    {
                        traced.publishAndWait(subject, TestMessage.to("observed", i));
                    }
                    final Message tampered = TestMessage.to("observed", 7);
                    try (Connection raw = Nats.connect(server.url()))
                    {
                        raw.jetStream().publish(subject, tampered.toString().replace("\"n\":7", "\"n\":8")
                            .getBytes(StandardCharsets.UTF_8));
                    }
                    // a subject no stream stores: the publish fails (error.type on a PRODUCER span)
                    traced.publish("nowhere.observed", TestMessage.to("nobody", 1)).handle((a, e) -> null).get();
                    Await.until(Duration.ofSeconds(30), () -> 3 == handled.get() && 1 == s.stats().quarantined(),
                        () -> "3 handled and 1 quarantined: " + handled + ", " + s.stats());
                    assertEquals(documented("## Metrics", "| `agentflow_"), scraped(MetricsProbe.scrape()),
                        "the metrics of docs/observability.md against a scrape of a live run");
                }
            }
            for (final SpanData span : exporter.getFinishedSpanItems())
            {
                span.getAttributes().forEach((key, value) -> attributes.add(key.getKey()));
            }
        }
        assertEquals(documented("Span attributes", "| `"), attributes,
            "the span attributes of docs/observability.md against the spans of a live run");
    }

    /** @return the names in the first column of the table after {@code heading}, rows starting {@code row}. */
    private static Set<String> documented(final String heading, final String row) throws Exception
    {
        final String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        final Set<String> names = new TreeSet<>();
        boolean inTable = false;
        for (final String line : doc.substring(doc.indexOf(heading)).split("\n"))
        {
            if (line.startsWith(row))
            {
                inTable = true;
                names.add(line.substring(3, line.indexOf('`', 3)));
            }
            else if (inTable && !line.startsWith("|"))
            {
                break;
            }
        }
        return names;
    }

    /** @return the families of ours in a Prometheus scrape. */
    private static Set<String> scraped(final String scrape)
    {
        final Set<String> names = new TreeSet<>();
        final Matcher m = Pattern.compile("(?m)^# TYPE (agentflow_\\S+) (\\S+)$").matcher(scrape);
        while (m.find())
        {
            names.add(m.group(1).endsWith("_total") || !"counter".equals(m.group(2)) ? m.group(1)
                : m.group(1) + "_total");
        }
        return names;
    }
}
