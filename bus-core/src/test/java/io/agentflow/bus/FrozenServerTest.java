package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.bus.runtime.PublishGuard;
import io.agentflow.bus.wire.Streams;
import io.agentflow.codec.Message;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.testsupport.Await;
import io.agentflow.testsupport.NatsTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault 5 of issue 7: the server frozen (SIGSTOP) then thawed (SIGCONT). Publishes time out until the breaker
 * opens, then fail at once with a clear, retryable error; after the thaw flow resumes by itself; retrying every
 * unacknowledged publish stores each message exactly once.
 */
@Timeout(90)
class FrozenServerTest
{
    private static final String SUBJECT = "agents.frozen.in";

    @Test
    void shouldFailFastWhileTheBreakerIsOpenAndRecoverByItself() throws Exception
    {
        final List<Message> acked = new ArrayList<>();
        final List<Message> unacked = new ArrayList<>();
        long failFastMs = -1;
        try (NatsTestServer server = NatsTestServer.start())
        {
            final BusConfig base = TestConfigs.of(server);
            final BusConfig config = base
                .publishTimeout(Duration.ofMillis(500))
                .resilience(base.resilience().retry(1, Duration.ofMillis(50), Duration.ofMillis(50)))   // one attempt
                .breaker(50, 4, Duration.ofSeconds(1))
                .conclude();
            try (JetStreamBus bus = JetStreamBus.connect(config))
            {
                bus.provision();
                for (int i = 0; i < 3; i++)
                {
                    acked.add(publishOk(bus, i));
                }
                server.signal("STOP");
                try
                {
                    for (int i = 0; i < 4; i++)   // each waits for its ack until the time-out
                    {
                        final Message m = TestMessage.to("frozen", 100 + i);
                        final MessageError e = failure(bus, m);
                        assertTrue(e.retryable(), e.getMessage());
                        unacked.add(m);
                    }
                    assertEquals("open", bus.breakerState());

                    final Message fast = TestMessage.to("frozen", 200);
                    final long start = System.nanoTime();
                    final MessageError open = failure(bus, fast);
                    final long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                    unacked.add(fast);
                    assertEquals(ErrorCode.TRANSPORT_ERROR, open.code());
                    assertTrue(open.retryable());
                    assertTrue(open.getMessage().contains("circuit breaker open"), open.getMessage());
                    assertEquals("open", open.details().get(PublishGuard.BREAKER_STATE));
                    assertTrue(elapsedMs < 100, "failed fast: " + elapsedMs + " ms");
                    failFastMs = elapsedMs;
                    assertTrue(MetricsProbe.scrape().contains("agentflow_circuit_breaker_state 1.0"));
                }
                finally
                {
                    server.signal("CONT");
                }

                final long thawedAt = System.nanoTime();
                final Message after = TestMessage.to("frozen", 300);
                Await.until(Duration.ofSeconds(20), () -> tryPublish(bus, after), () -> "flow to resume, breaker "
                    + bus.breakerState());
                acked.add(after);
                final long resumedMs = (System.nanoTime() - thawedAt) / 1_000_000;

                for (final Message m : unacked)   // the caller retries what was not acknowledged
                {
                    bus.publishAndWait(SUBJECT, m);
                }
                assertEquals("closed", bus.breakerState(), "closed again after its half-open trial calls succeeded");
                // each message by its id: a count of the stream could not tell one lost and one stored twice
                // from all stored once
                final Map<String, Integer> stored = FaultLedger.stored(JetStreamInternals.connection(bus),
                    Streams.MESSAGES, SUBJECT);
                final List<Message> all = new ArrayList<>(acked);
                all.addAll(unacked);
                final long lost = all.stream().filter(m -> !stored.containsKey(m.id())).count();
                final long twice = stored.values().stream().filter(n -> n > 1).count();
                assertEquals(0, lost, "every message stored: " + stored.keySet());
                assertEquals(0, twice, "none stored twice: " + stored);
                assertEquals(all.size(), stored.size(), "nothing stored that was not published");
                FaultLedger.appendRow(List.of("5. server frozen (SIGSTOP) then thawed", "kill -STOP, 4 publishes "
                    + "time out, breaker opens, kill -CONT", Integer.toString(all.size()),
                    Integer.toString(acked.size()), Integer.toString(unacked.size()) + " (then retried, all acked)",
                    Integer.toString(stored.size()), "- (no subscriber)", Long.toString(all.size() - lost),
                    Long.toString(lost), "0 (the caller retried the " + unacked.size() + ")", "- (no subscriber)",
                    Long.toString(twice), "fail-fast while open: " + failFastMs + " ms; flow resumed " + resumedMs
                    + " ms after SIGCONT"));
            }
        }
        assertFalse(acked.isEmpty());
    }

    private static Message publishOk(final JetStreamBus bus, final int n)
    {
        final Message m = TestMessage.to("frozen", n);
        bus.publishAndWait(SUBJECT, m);
        return m;
    }

    private static boolean tryPublish(final JetStreamBus bus, final Message m)
    {
        try
        {
            bus.publishAndWait(SUBJECT, m);
            return true;
        }
        catch (final MessageError e)
        {
            return false;
        }
    }

    private static MessageError failure(final JetStreamBus bus, final Message m)
    {
        try
        {
            bus.publish(SUBJECT, m).join();
        }
        catch (final CompletionException e)
        {
            return (MessageError)e.getCause();
        }
        throw new AssertionError("expected the publish of " + m.id() + " to fail");
    }
}
