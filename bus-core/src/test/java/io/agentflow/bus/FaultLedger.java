package io.agentflow.bus;

import io.agentflow.codec.Message;
import io.agentflow.testsupport.NatsProcess;
import io.nats.client.Connection;
import io.nats.client.JetStreamSubscription;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.StreamInfoOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a fault test published, what the broker acknowledged, what it stored and what handlers saw, with the
 * checks every fault test makes: no acknowledged message lost, none stored twice, none handled twice, and every
 * stored message handled. Deliveries are counted twice: as they reach the subscription (its de-duplication window
 * turns a redelivery of a handled message away, {@code stats().duplicates()}) and as they reach the handler, so a
 * redelivery shows in the table even though the window keeps it from the handler. Each test adds a row to
 * {@code target/reliability.tsv}, with the nats-server version, from which perf-reports/reliability.md is written.
 */
final class FaultLedger
{
    /** Beyond the ack wait: a redelivery is due one ack wait after the delivery it repeats, then has to travel. */
    static final Duration LATE_MARGIN = Duration.ofSeconds(1);

    private final Set<String> published = ConcurrentHashMap.newKeySet();
    private final Set<String> acked = ConcurrentHashMap.newKeySet();
    private final Set<String> failed = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
    private final Map<String, Long> publishNanos = new ConcurrentHashMap<>();
    private final Map<String, Long> ackNanos = new ConcurrentHashMap<>();
    private final Map<String, Long> ackSequences = new ConcurrentHashMap<>();
    private final Map<String, Long> handledNanos = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final List<Subscription> watched = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Publishes and records the outcome; the caller does not retry here, so a failure stays a failure. */
    void publish(final MessageBus bus, final String subject, final Message message)
    {
        published.add(message.id());
        publishNanos.put(message.id(), System.nanoTime());
        bus.publish(subject, message).whenComplete((ack, failure) ->
        {
            if (null == failure)
            {
                ackNanos.put(message.id(), System.nanoTime());
                ackSequences.put(message.id(), ack.sequence());
                acked.add(message.id());
            }
            else
            {
                failures.computeIfAbsent(String.valueOf(failure.getCause() == null ? failure : failure.getCause())
                    .replaceAll("[0-9A-Z]{26}", "<id>"), k -> new AtomicInteger()).incrementAndGet();
                failed.add(message.id());
            }
        });
    }

    void recordHandled(final String id)
    {
        handledNanos.putIfAbsent(id, System.nanoTime());
        handled.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    }

    MessageHandler handler()
    {
        return (message, delivery) -> recordHandled(message.id());
    }

    /** @return {@code subscription}, whose deliveries turned away as duplicates this ledger counts. */
    Subscription watch(final Subscription subscription)
    {
        watched.add(subscription);
        return subscription;
    }

    /** @return deliveries the watched subscriptions turned away as duplicates, before any handler. */
    long duplicatesAtTheSubscription()
    {
        return watched.stream().mapToLong(s -> s.stats().duplicates()).sum();
    }

    /**
     * Waits for what could still come late: a message delivered but not acknowledged (its ack lost in the fault)
     * is delivered again one ack wait later. A redelivery cannot be awaited as a condition, since the good outcome
     * is that none comes; so this waits the ack wait plus {@link #LATE_MARGIN}, all of it.
     */
    static void awaitLateDeliveries(final Duration ackWait) throws InterruptedException
    {
        Thread.sleep(ackWait.plus(LATE_MARGIN).toMillis());
    }

    /** @return each distinct failure (ids masked) and how often it happened: for messages of failed tests. */
    Map<String, AtomicInteger> failures()
    {
        return failures;
    }

    int ackedCount()
    {
        return acked.size();
    }

    int settledCount()
    {
        return acked.size() + failed.size();
    }

    /** @return milliseconds from {@code faultNanos} to the first acknowledgement after it; -1 if none. */
    long msToFirstAckAfter(final long faultNanos)
    {
        return msToFirst(ackNanos, faultNanos, id -> true);
    }

    /** @return milliseconds from {@code faultNanos} to the first message handled after it; -1 if none. */
    long msToFirstHandledAfter(final long faultNanos)
    {
        return msToFirst(handledNanos, faultNanos, id -> true);
    }

    /**
     * @return milliseconds from {@code faultNanos} to the first acknowledgement of a message published after it whose
     * id {@code of} takes; -1 if none. Acknowledgements of messages published before the fault, still on their way
     * when it struck, do not count as publishing having resumed.
     */
    long msToFirstAckOfPublishedAfter(final long faultNanos, final java.util.function.Predicate<String> of)
    {
        return msToFirst(ackNanos, faultNanos, of.and(id -> publishedAfter(id, faultNanos)));
    }

    /** @return milliseconds from {@code faultNanos} to the first handling of a message published after it. */
    long msToFirstHandledOfPublishedAfter(final long faultNanos)
    {
        return msToFirst(handledNanos, faultNanos, id -> publishedAfter(id, faultNanos));
    }

    private boolean publishedAfter(final String id, final long nanos)
    {
        return publishNanos.getOrDefault(id, 0L) > nanos;
    }

    /** @return milliseconds from {@code faultNanos} to the first time after it of an id {@code of} takes; or -1. */
    private static long msToFirst(final Map<String, Long> times, final long faultNanos,
        final java.util.function.Predicate<String> of)
    {
        return times.entrySet().stream().filter(e -> e.getValue() > faultNanos && of.test(e.getKey()))
            .mapToLong(e -> (e.getValue() - faultNanos) / 1_000_000).min().orElse(-1);
    }

    /** @return how many ids {@code of} takes were acknowledged in [{@code fromNanos}, {@code toNanos}). */
    long ackedBetween(final long fromNanos, final long toNanos, final java.util.function.Predicate<String> of)
    {
        return ackNanos.entrySet().stream().filter(e -> of.test(e.getKey()) && e.getValue() >= fromNanos
            && e.getValue() < toNanos).count();
    }

    int handledCount()
    {
        return handled.size();
    }

    /**
     * @return for each acknowledged id missing from {@code stored}: when it was published and acknowledged, in ms
     * from {@code faultNanos}. Empty when nothing acknowledged is missing.
     */
    List<String> lostSince(final Map<String, Integer> stored, final long faultNanos)
    {
        return acked.stream().filter(id -> !stored.containsKey(id)).sorted().map(id -> id + " published "
            + (publishNanos.get(id) - faultNanos) / 1_000_000 + " ms, acknowledged " + (ackNanos.get(id) - faultNanos)
            / 1_000_000 + " ms after the fault as sequence " + ackSequences.get(id))
            .collect(java.util.stream.Collectors.toList());
    }

    Set<String> ackedIds()
    {
        return Set.copyOf(acked);
    }

    Set<String> publishedIds()
    {
        return Set.copyOf(published);
    }

    Set<String> handledIds()
    {
        return Set.copyOf(handled.keySet());
    }

    void assertHandledAtMostOnce()
    {
        handled.forEach((id, n) -> assertEquals(1, n.get(), () -> id + " handled once"));
    }

    /** @return how often each message id is stored on {@code subject}, read back with a raw ordered consumer. */
    static Map<String, Integer> stored(final Connection connection, final String stream, final String subject)
        throws Exception
    {
        final long count = connection.jetStreamManagement()
            .getStreamInfo(stream, StreamInfoOptions.filterSubjects(subject)).getStreamState().getSubjects()
            .stream().mapToLong(s -> s.getCount()).sum();
        final Map<String, Integer> ids = new HashMap<>();
        final JetStreamSubscription sub = connection.jetStream().subscribe(subject,
            PushSubscribeOptions.builder().stream(stream).ordered(true).build());
        try
        {
            for (long i = 0; i < count; i++)
            {
                final io.nats.client.Message m = sub.nextMessage(Duration.ofSeconds(10));
                if (null == m)
                {
                    throw new AssertionError("read " + i + " of " + count + " stored messages");
                }
                ids.merge(m.getHeaders().getFirst("Nats-Msg-Id"), 1, Integer::sum);
            }
        }
        finally
        {
            sub.unsubscribe();
        }
        return ids;
    }

    /**
     * The checks of issue 7: every acknowledged message stored exactly once; an unacknowledged one stored at most
     * once (or reported failed); every stored message handled exactly once.
     */
    void assertNothingLostOrDuplicated(final Map<String, Integer> stored)
    {
        assertEquals(published.size(), acked.size() + failed.size(), "every publish settled");
        for (final String id : acked)
        {
            assertEquals(1, stored.getOrDefault(id, 0), () -> "acknowledged " + id + " stored once");
        }
        stored.forEach((id, n) -> assertEquals(1, n, () -> id + " stored once"));
        assertTrue(published.containsAll(stored.keySet()), "nothing stored that was not published");
        assertEquals(stored.keySet(), handled.keySet(), "every stored message handled, nothing else");
        assertHandledAtMostOnce();
    }

    /**
     * What a cluster test asserts after a stream leader that was cut off (partitioned, paused) comes back: from 2.10
     * on every guarantee (nothing acknowledged missing, {@code lost} empty and {@code lostText} saying which were;
     * {@link #assertNothingLostOrDuplicated}); on 2.9.x, whose server then loses acknowledged writes and skips stored
     * ones at its consumer (the tests record both in their rows), {@link #assertNothingDuplicated}.
     *
     * @return the stored messages no handler saw: empty from 2.10 on.
     */
    List<String> assertAfterLeaderReturn(final Map<String, Integer> stored, final List<String> lost,
        final java.util.function.Supplier<String> lostText)
    {
        if (ClusterStreams.replicasMayDiverge())
        {
            return assertNothingDuplicated(stored);
        }
        assertTrue(lost.isEmpty(), () -> "acknowledged but not stored (" + lostText.get() + ")");
        assertNothingLostOrDuplicated(stored);
        return List.of();
    }

    /**
     * The checks of {@link #assertNothingLostOrDuplicated} but for loss: for a fault in which the server itself is
     * known to lose acknowledged messages and to skip stored ones at its consumer (recorded as findings). Nothing
     * stored twice or handled twice, nothing stored that was not published, and nothing handled that is neither
     * stored nor an acknowledged message the server lost after delivering it.
     *
     * @return the stored messages no handler saw, for the record.
     */
    List<String> assertNothingDuplicated(final Map<String, Integer> stored)
    {
        assertEquals(published.size(), acked.size() + failed.size(), "every publish settled");
        stored.forEach((id, n) -> assertEquals(1, n, () -> id + " stored once"));
        assertTrue(published.containsAll(stored.keySet()), "nothing stored that was not published");
        assertTrue(handled.keySet().stream().allMatch(id -> stored.containsKey(id) || acked.contains(id)),
            "nothing handled that is neither stored nor acknowledged");
        assertHandledAtMostOnce();
        return stored.keySet().stream().filter(id -> !handled.containsKey(id)).sorted().toList();
    }

    /**
     * The checks of {@link #assertNothingLostOrDuplicated} but for handling twice: for a fault whose documented
     * limit is that a message handled but not acknowledged when a process died is handled again (the test checks
     * which ones, and the row records how many).
     */
    void assertNothingLostOrStoredTwice(final Map<String, Integer> stored)
    {
        assertEquals(published.size(), acked.size() + failed.size(), "every publish settled");
        for (final String id : acked)
        {
            assertEquals(1, stored.getOrDefault(id, 0), () -> "acknowledged " + id + " stored once");
        }
        stored.forEach((id, n) -> assertEquals(1, n, () -> id + " stored once"));
        assertEquals(stored.keySet(), handled.keySet(), "every stored message handled, nothing else");
    }

    /**
     * Appends this test's row to {@code target/reliability.tsv}, with Jepsen's queue checker's counts: ok (acknowledged,
     * stored and handled), lost (acknowledged, then missing from the stream or never handled) and recovered (not
     * acknowledged to the caller, stored and handled all the same).
     */
    void record(final String fault, final String injected, final Map<String, Integer> stored,
        final String recovery) throws IOException
    {
        final int duplicated = (int)handled.values().stream().filter(n -> n.get() > 1).count()
            + (int)stored.values().stream().filter(n -> n > 1).count();
        final long ok = acked.stream().filter(id -> stored.containsKey(id) && handled.containsKey(id)).count();
        final long lost = acked.size() - ok;
        final long recovered = stored.keySet().stream().filter(id -> !acked.contains(id) && handled.containsKey(id))
            .count();
        appendRow(List.of(fault, injected, Integer.toString(published.size()), Integer.toString(acked.size()),
            Integer.toString(failed.size()), Integer.toString(stored.size()), Integer.toString(handled.size()),
            Long.toString(ok), Long.toString(lost), Long.toString(recovered), Long.toString(duplicatesAtTheSubscription()),
            Integer.toString(duplicated), recovery));
    }

    /**
     * Appends one row to {@code target/reliability.tsv}: fault, injected, then the nats-server version, then
     * published, acknowledged, failed to the caller, stored, handled, ok, lost, recovered, duplicates at the
     * subscription, duplicates at the handler or in the stream, recovery.
     */
    static void appendRow(final List<String> row) throws IOException
    {
        final List<String> withServer = new java.util.ArrayList<>(row);
        withServer.add(2, NatsProcess.version());
        final Path file = Path.of("target", "reliability.tsv");
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\t", withServer) + System.lineSeparator(), StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
    }
}
