package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.bus.wire.Streams;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import io.agentflow.testsupport.Await;
import io.agentflow.testsupport.NatsTestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault 3 of issue 7: a consumer process (its own JVM, {@link CrashingConsumer}) is killed with SIGKILL in the
 * middle of a batch: it has pulled messages it has not handled, and on each handler thread one message has been
 * handled but not acknowledged (its handler hangs after its work). A new subscriber on the same durable consumer
 * gets every message the dead one did not acknowledge after the ack wait: nothing is lost, each agent's messages are
 * handled in order across the two processes, and exactly the handled-but-unacknowledged ones are handled twice,
 * once in each process (at-least-once: the de-duplication window is in memory and died with the process). That
 * is recorded as a finding with its documented limit (docs/bus.md, "De-duplication"), not hidden.
 */
@Timeout(120)
class ConsumerCrashTest
{
    private static final String DURABLE = "crash-worker";
    private static final int MESSAGES = 400;
    private static final int AGENTS = 4;
    private static final int BLOCK_AT = 150;

    @Test
    void shouldRedeliverWhatAKilledConsumerProcessLeftUnacknowledgedInOrder() throws Exception
    {
        final Path handledFile = Files.createTempFile("af-crash-", ".txt");
        final List<String[]> handledHere = new CopyOnWriteArrayList<>();
        final FaultLedger ledger = new FaultLedger();
        try (NatsTestServer server = NatsTestServer.start();
            JetStreamBus bus = JetStreamBus.connect(
                TestConfigs.of(server).delivery(d -> d.ackWait(Duration.ofSeconds(2))).conclude()))
        {
            bus.provision();
            // room for more unacknowledged messages than the dead process holds: the server would go on
            // delivering the messages behind them to a new subscriber at once
            JetStreamInternals.management(bus).addOrUpdateConsumer(Streams.MESSAGES, JetStreamInternals.durableConsumer(
                bus.config(), DURABLE, "agents.*.in", 1_000));
            for (int i = 0; i < MESSAGES; i++)
            {
                final Message m = TestMessage.to("crash-" + i % AGENTS, i);
                ledger.publish(bus, Subjects.agentIn(m.to()), m);
            }
            Await.until(Duration.ofSeconds(20), () -> ledger.ackedCount() == MESSAGES, () -> "all published");

            final Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashingConsumer.class.getName(), server.url(), DURABLE,
                "agents.*.in", handledFile.toString(), Integer.toString(BLOCK_AT))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try
            {
                awaitStable(handledFile);   // every shard hangs at its first message numbered BLOCK_AT or more
            }
            finally
            {
                child.destroyForcibly();   // SIGKILL
                assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            }
            final List<String[]> handledThere = lines(handledFile);
            assertTrue(handledThere.size() >= 100 && handledThere.size() <= BLOCK_AT + bus.config().delivery().handlerThreads(),
                "the dead process handled part of the stream: " + handledThere.size());

            final long pendingAtCrash = JetStreamInternals.management(bus).getConsumerInfo(Streams.MESSAGES, DURABLE)
                .getNumAckPending();
            assertTrue(pendingAtCrash > 0, "the dead process held unacknowledged messages");
            final long start = System.nanoTime();
            ledger.watch(bus.subscribe(SubscriptionSpec.durable(DURABLE, "agents.*.in"), (message, delivery) ->
            {
                handledHere.add(new String[] {message.to(), Integer.toString(n(message)), message.id()});
                ledger.recordHandled(message.id());
            }));
            Await.until(Duration.ofSeconds(30), () -> handledThere.size() + handledHere.size() >= MESSAGES,
                () -> (handledThere.size() + handledHere.size()) + " of " + MESSAGES + " handled");
            final long recoveredMs = (System.nanoTime() - start) / 1_000_000;
            FaultLedger.awaitLateDeliveries(bus.config().delivery().ackWait());   // a late redelivery would show now

            // handled there, then hung before the ack: the messages the new process must handle again
            final Set<String> handledButUnacked = new HashSet<>();
            handledThere.stream().filter(h -> Integer.parseInt(h[1]) >= BLOCK_AT).forEach(h -> handledButUnacked
                .add(h[2]));
            assertTrue(handledButUnacked.size() >= 1 && handledButUnacked.size() <= bus.config().delivery().handlerThreads(),
                "one handled-but-unacknowledged message per hung handler thread: " + handledButUnacked.size());
            final List<String[]> all = new ArrayList<>(handledThere);
            all.addAll(handledHere);
            final Set<String> ids = new HashSet<>();
            final Set<String> twice = new HashSet<>();
            final Map<String, Integer> lastPerAgent = new HashMap<>();
            for (final String[] h : all)
            {
                final int n = Integer.parseInt(h[1]);
                if (!ids.add(h[2]))
                {
                    twice.add(h[2]);   // its second handling, in this process
                    continue;
                }
                final Integer previous = lastPerAgent.put(h[0], n);
                assertTrue(null == previous || previous < n, h[0] + ": " + n + " after " + previous);
            }
            assertEquals(handledButUnacked, twice, "handled twice: exactly what was handled but not acknowledged");
            assertEquals(MESSAGES, ids.size(), "nothing lost");
            for (final String[] h : handledThere)   // the ledger counts both processes' handling
            {
                ledger.recordHandled(h[2]);
            }
            final Map<String, Integer> stored = FaultLedger.stored(JetStreamInternals.connection(bus), Streams.MESSAGES,
                "agents.*.in");
            ledger.assertNothingLostOrStoredTwice(stored);
            ledger.record("3. consumer process SIGKILL mid-batch", "kill -9 of a consumer JVM holding " + pendingAtCrash
                + " unacked messages, " + handledButUnacked.size() + " of them handled (handlers hung before the ack)",
                stored, "all handled " + recoveredMs + " ms after the new subscriber started (ack wait 2 s)");
        }
        finally
        {
            Files.deleteIfExists(handledFile);
        }
    }

    private static int n(final Message m)
    {
        return ((Number)((Map<?, ?>)m.payload().tree()).get("n")).intValue();
    }

    private static List<String[]> lines(final Path file) throws Exception
    {
        return Files.readAllLines(file).stream().filter(l -> !l.isBlank()).map(l -> l.split(" ")).toList();
    }

    /** Waits until the file has content and has not grown for half a second. */
    private static void awaitStable(final Path file) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long size = -1;
        long stableSince = System.nanoTime();
        while (System.nanoTime() < deadline)
        {
            final long now = Files.size(file);
            if (now != size)
            {
                size = now;
                stableSince = System.nanoTime();
            }
            else if (size > 0 && System.nanoTime() - stableSince > TimeUnit.MILLISECONDS.toNanos(500))
            {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the consumer process did not settle; handled so far: " + size + " bytes");
    }
}
