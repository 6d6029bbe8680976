package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.bus.wire.Streams;
import io.agentflow.codec.Message;
import io.agentflow.testsupport.Await;
import io.agentflow.testsupport.NatsCluster;
import io.agentflow.testsupport.NatsProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18's disk faults: a follower of an R3 stream is stopped, one bit of a stored message is flipped in its
 * block file and the tail of its last block is cut off, and it is started again. Then it is made the stream's leader
 * and a subscriber reads the stream from it. What the server does with damaged files is its own, so it is recorded
 * (each server's own replica state after the restart and after the damaged node led; what the damaged leader
 * serves, verified message by message), not asserted. What the bus promises is asserted: no handler ever sees a damaged
 * message (the envelope's hash refuses it), and nothing is handled twice.
 */
@Timeout(300)
class DiskFaultTest
{
    private static final String SUBJECT = "agents.disk.in";
    private static final int MESSAGES = 3_000;
    private static final int FLIPPED = 1_500;
    private static final int CUT_BYTES = 100;
    private static final long INTERVAL_NANOS = TimeUnit.MICROSECONDS.toNanos(500);   // 2000 msgs/s

    @Test
    void shouldNeverHandleADamagedMessage() throws Exception
    {
        final FaultLedger ledger = new FaultLedger();
        try (NatsCluster cluster = NatsCluster.start(3))
        {
            final BusConfig config = ClusterStreams.faultSettings(cluster.urls()).conclude();
            try (JetStreamBus bus = JetStreamBus.connect(config))
            {
                ClusterStreams.provision(bus, 3);
                final List<Message> sent = new ArrayList<>();
                final long start = System.nanoTime();
                for (int i = 0; i < MESSAGES; i++)
                {
                    LockSupport.parkNanos(start + i * INTERVAL_NANOS - System.nanoTime());
                    final Message message = TestMessage.to("disk", i);
                    sent.add(message);
                    ledger.publish(bus, SUBJECT, message);
                }
                Await.until(Duration.ofSeconds(30), () -> ledger.settledCount() == MESSAGES,
                    () -> ledger.settledCount() + " of " + MESSAGES + " publishes settled");
                assertEquals(MESSAGES, ledger.ackedCount(), "every publish acknowledged before the damage");
                Await.until(Duration.ofSeconds(60), () -> ClusterStreams.allReplicasCurrent(bus, 2),
                    () -> "every replica current before the damage");

                final String leaderBefore = ClusterStreams.leader(bus);
                final NatsProcess damaged = cluster.nodes().stream().filter(n -> !n.name().equals(leaderBefore))
                    .findFirst().orElseThrow();
                damaged.stop();
                final Path msgs = damaged.storeDir().resolve(Path.of("jetstream", "$G", "streams", Streams.MESSAGES,
                    "msgs"));
                final String flippedAt = flipABit(msgs, sent.get(FLIPPED).id());
                final String cutAt = cutTheTail(msgs, CUT_BYTES);
                damaged.start();
                final long restartedAt = System.nanoTime();
                Await.until(Duration.ofSeconds(60), () -> ClusterStreams.allReplicasCurrent(bus, 2),
                    () -> "every replica current after the damaged node's restart");
                final long currentMs = (System.nanoTime() - restartedAt) / 1_000_000;

                final long last = ClusterStreams.info(bus).getStreamState().getLastSequence();
                final String before = ClusterStreams.replicaStates(cluster.nodes());
                // the damaged node leads: reads of the stream are now answered from its copy
                ClusterStreams.moveLeader(bus, leader -> leader.equals(damaged.name()));
                final LeaderRead served = LeaderRead.of(bus, last);
                // and so does the subscriber's consumer, which reads its own server's copy
                JetStreamInternals.management(bus).addOrUpdateConsumer(Streams.MESSAGES,
                    JetStreamInternals.durableConsumer(config, "disk-worker", SUBJECT, 1000));
                ClusterStreams.moveConsumerLeader(bus, "disk-worker", leader -> leader.equals(damaged.name()));
                final Subscription subscription = ledger.watch(bus.subscribe(SubscriptionSpec.durable("disk-worker",
                    SUBJECT), ledger.handler()));
                final long quietMs = awaitQuiet(ledger, subscription);
                FaultLedger.awaitLateDeliveries(config.delivery().ackWait());
                final Set<String> handled = ledger.handledIds();
                final Set<String> sentIds = sent.stream().map(Message::id).collect(Collectors.toSet());
                assertTrue(sentIds.containsAll(handled), "a handler saw a message that was never sent (damaged): "
                    + handled.stream().filter(id -> !sentIds.contains(id)).collect(Collectors.toList()));
                ledger.assertHandledAtMostOnce();
                final long quarantined = subscription.stats().quarantined();
                final String after = ClusterStreams.replicaStates(cluster.nodes());
                final io.nats.client.api.StreamState state = ClusterStreams.info(bus).getStreamState();
                FaultLedger.appendRow(List.of("10. disk damage on a follower, then made leader",
                    "stopped " + damaged.name() + "; " + flippedAt + "; " + cutAt + "; restarted, made leader",
                    Integer.toString(MESSAGES), Integer.toString(ledger.ackedCount()), "0",
                    served.intact + " intact, " + served.damaged + " damaged, " + served.missing + " missing, "
                        + served.errors + " unreadable (as " + damaged.name() + " serves them)",
                    Integer.toString(handled.size()), Integer.toString(handled.size()),
                    (MESSAGES - handled.size()) + " (acknowledged, not handled)", "0",
                    Long.toString(ledger.duplicatesAtTheSubscription()), "0",
                    damaged.name() + " reported current " + currentMs + " ms after restart; replicas after "
                        + "restart: " + before + "; after it led: " + after + " (the leader's stream info: "
                        + state.getMsgCount() + " messages, sequences " + state.getFirstSequence() + "-"
                        + state.getLastSequence() + "); the subscription (its consumer led by " + damaged.name()
                        + ") quarantined " + quarantined + " and went quiet after " + quietMs + " ms; no handler saw "
                        + "a damaged message; first unreadable: " + served.firstError));
            }
        }
    }

    /**
     * Waits until the subscription has handled or quarantined as many messages as were sent, or until neither count
     * has moved for five seconds (a consumer stuck at damaged data moves no more).
     *
     * @return milliseconds until then.
     */
    private static long awaitQuiet(final FaultLedger ledger, final Subscription subscription)
        throws InterruptedException
    {
        final long start = System.nanoTime();
        long seen = -1;
        long since = start;
        while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(60))
        {
            final long now = ledger.handledCount() + subscription.stats().quarantined();
            if (now >= MESSAGES)
            {
                break;
            }
            if (now != seen)
            {
                seen = now;
                since = System.nanoTime();
            }
            else if (System.nanoTime() - since > TimeUnit.SECONDS.toNanos(5))
            {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Flips the lowest bit of the first character of {@code id} where it stands in the stored message body. */
    private static String flipABit(final Path msgs, final String id) throws IOException
    {
        final byte[] needle = ("\"id\":\"" + id + "\"").getBytes(StandardCharsets.US_ASCII);
        for (final Path block : blocks(msgs))
        {
            final byte[] bytes = Files.readAllBytes(block);
            final int at = indexOf(bytes, needle);
            if (at >= 0)
            {
                final int offset = at + 6;
                try (RandomAccessFile file = new RandomAccessFile(block.toFile(), "rw"))
                {
                    file.seek(offset);
                    file.write(bytes[offset] ^ 1);
                }
                return "bit 0 of byte " + offset + " of " + block.getFileName() + " flipped (message " + FLIPPED
                    + "'s id)";
            }
        }
        throw new AssertionError("message " + id + " not found in " + blocks(msgs));
    }

    /** Cuts the last {@code bytes} bytes off the last block: a write torn at a crash. */
    private static String cutTheTail(final Path msgs, final int bytes) throws IOException
    {
        final List<Path> blocks = blocks(msgs);
        final Path last = blocks.get(blocks.size() - 1);
        final long size = Files.size(last);
        try (RandomAccessFile file = new RandomAccessFile(last.toFile(), "rw"))
        {
            file.setLength(size - bytes);
        }
        return "last " + bytes + " of " + size + " bytes of " + last.getFileName() + " cut";
    }

    private static List<Path> blocks(final Path msgs) throws IOException
    {
        try (Stream<Path> files = Files.list(msgs))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".blk"))
                .sorted((a, b) -> Integer.compare(blockNumber(a), blockNumber(b))).collect(Collectors.toList());
        }
    }

    private static int blockNumber(final Path block)
    {
        final String name = block.getFileName().toString();
        return Integer.parseInt(name.substring(0, name.indexOf('.')));
    }

    private static int indexOf(final byte[] haystack, final byte[] needle)
    {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++)
        {
            for (int j = 0; j < needle.length; j++)
            {
                if (haystack[i + j] != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
