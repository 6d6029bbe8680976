package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.bus.wire.Streams;
import io.agentflow.codec.error.MessageError;
import io.agentflow.testsupport.Await;
import io.agentflow.testsupport.NatsProcess;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster fault tests' dealings with {@code AF_MESSAGES} on an R3 cluster: creating it, moving leaders, waiting
 * for the replicas to be current, reading what the stream holds through its leader, and comparing each server's own
 * replica state.
 */
final class ClusterStreams
{
    private ClusterStreams()
    {
    }

    /**
     * @return the cluster fault tests' settings, not yet concluded: reconnect for ever every 100 ms; publishes time
     * out in 2 s and acks are awaited 3 s, so that a fault and its late redeliveries fit in a test; the breaker opens
     * at half of 20 and tries again after 500 ms.
     */
    static BusConfig faultSettings(final String urls)
    {
        return new BusConfig().url(urls)
            .maxReconnect(-1).reconnectWait(Duration.ofMillis(100))
            .publishTimeout(Duration.ofSeconds(2))
            .delivery(d -> d.ackWait(Duration.ofSeconds(3))
                .redeliveryDelay(Duration.ofMillis(100), Duration.ofMillis(400)))
            .breaker(50, 20, Duration.ofMillis(500));
    }

    /**
     * Creates {@code AF_MESSAGES} as provisioning makes it, but allowing direct gets (as the tests have since session
     * 9; each replica is compared through its server's own state now, since any replica answers a direct get); then
     * provisions, which finds it unchanged. Waits for the cluster's JetStream, retrying what a forming cluster refuses.
     */
    static void provision(final JetStreamBus bus, final int replicas)
    {
        final AtomicReference<String> lastRefusal = new AtomicReference<>("none");
        Await.until(Duration.ofSeconds(60), () -> createdAllowingDirectGets(bus, replicas, lastRefusal),
            () -> "the cluster's JetStream to elect a meta leader and take the stream; last answer: " + lastRefusal);
        Await.until(Duration.ofSeconds(60), () -> provisioned(bus), () -> "the cluster's JetStream to take the "
            + "streams");
    }

    private static boolean createdAllowingDirectGets(final JetStreamBus bus, final int replicas,
        final AtomicReference<String> lastRefusal)
    {
        final Streams.Descriptor d = Streams.named(Streams.MESSAGES);
        try
        {
            JetStreamInternals.management(bus).addStream(StreamConfiguration.builder().name(d.name())
                .subjects(d.subjects()).storageType(StorageType.File).maxAge(d.maxAge()).maxBytes(d.maxBytes())
                .replicas(replicas).discardPolicy(DiscardPolicy.Old).duplicateWindow(Streams.DUPLICATE_WINDOW)
                .maxMessagesPerSubject(d.maxPerSubject()).allowDirect(true).build());
            return true;
        }
        catch (final Exception ex)
        {
            lastRefusal.set(String.valueOf(ex));
            // no meta leader yet; or an earlier attempt whose answer timed out created it after all (seen on
            // 2.10.27): then creating it again is refused, and the stream as it stands is what is wanted
            try
            {
                return JetStreamInternals.management(bus).getStreamInfo(d.name()).getConfiguration()
                    .getAllowDirect();
            }
            catch (final Exception notYet)
            {
                return false;
            }
        }
    }

    private static boolean provisioned(final JetStreamBus bus)
    {
        try
        {
            bus.provision();
            return true;
        }
        catch (final MessageError e)
        {
            return false;
        }
    }

    static StreamInfo info(final JetStreamBus bus) throws Exception
    {
        return JetStreamInternals.management(bus).getStreamInfo(Streams.MESSAGES);
    }

    /** @return the name of the server that leads {@code AF_MESSAGES} now. */
    static String leader(final JetStreamBus bus) throws Exception
    {
        return info(bus).getClusterInfo().getLeader();
    }

    /**
     * Asks the stream's leader to step down until a leader {@code wanted} accepts holds the stream (each step down
     * elects one of the three at random).
     */
    static void moveLeader(final JetStreamBus bus, final java.util.function.Predicate<String> wanted) throws Exception
    {
        moveLeader(bus, "$JS.API.STREAM.LEADER.STEPDOWN." + Streams.MESSAGES, () -> leader(bus), wanted);
    }

    /** As {@link #moveLeader(JetStreamBus, java.util.function.Predicate)}, for a durable consumer's leader. */
    static void moveConsumerLeader(final JetStreamBus bus, final String consumer,
        final java.util.function.Predicate<String> wanted) throws Exception
    {
        moveLeader(bus, "$JS.API.CONSUMER.LEADER.STEPDOWN." + Streams.MESSAGES + "." + consumer,
            () -> JetStreamInternals.management(bus).getConsumerInfo(Streams.MESSAGES, consumer).getClusterInfo()
                .getLeader(), wanted);
    }

    private static void moveLeader(final JetStreamBus bus, final String stepDown,
        final java.util.concurrent.Callable<String> leader, final java.util.function.Predicate<String> wanted)
        throws Exception
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            final String now = awaitLeader(leader);
            if (wanted.test(now))
            {
                return;
            }
            JetStreamInternals.connection(bus).request(stepDown, new byte[0], Duration.ofSeconds(5));
            Await.until(Duration.ofSeconds(30), () -> !now.equals(leaderOrNull(leader)), () -> now
                + " to step down");
        }
        throw new AssertionError("the leadership never moved where wanted in 20 step-downs: " + stepDown);
    }

    private static String awaitLeader(final java.util.concurrent.Callable<String> leader)
    {
        Await.until(Duration.ofSeconds(30), () -> null != leaderOrNull(leader), () -> "a leader");
        return leaderOrNull(leader);
    }

    private static String leaderOrNull(final java.util.concurrent.Callable<String> leader)
    {
        try
        {
            return leader.call();
        }
        catch (final Exception ex)
        {
            return null;
        }
    }

    /**
     * Asks the cluster to remove {@code server} from the stream's peers, so that it places the replica on another
     * node.
     *
     * @return null when accepted, else the refusal: "peer remap failed" while no other node is known to JetStream as
     * a suitable peer yet (a node that has just joined, for a few seconds on 2.10.27).
     */
    static String removePeer(final JetStreamBus bus, final String server) throws Exception
    {
        final io.nats.client.Message answer = JetStreamInternals.connection(bus).request(
            "$JS.API.STREAM.PEER.REMOVE." + Streams.MESSAGES, ("{\"peer\":\"" + server + "\"}").getBytes(
                java.nio.charset.StandardCharsets.US_ASCII), Duration.ofSeconds(10));
        final String text = null == answer ? "no answer" : new String(answer.getData(),
            java.nio.charset.StandardCharsets.UTF_8);
        return text.contains("\"success\":true") ? null : text;
    }

    /** @return the servers that hold the stream now: its leader and followers. */
    static List<String> peers(final JetStreamBus bus) throws Exception
    {
        final io.nats.client.api.ClusterInfo c = info(bus).getClusterInfo();
        final List<String> peers = new java.util.ArrayList<>();
        peers.add(c.getLeader());
        c.getReplicas().forEach(r -> peers.add(r.getName()));
        return peers;
    }

    /** @return whether a leader is known and each of its {@code followers} is current, online and without lag. */
    static boolean allReplicasCurrent(final JetStreamBus bus, final int followers)
    {
        try
        {
            final StreamInfo info = info(bus);
            return null != info.getClusterInfo().getLeader() && followers == info.getClusterInfo().getReplicas().size()
                && info.getClusterInfo().getReplicas().stream().allMatch(r -> r.isCurrent() && !r.isOffline()
                && 0 == r.getLag());
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    /**
     * @return how often each id is stored on {@code subject}, read through the leader. After a fault the cluster may
     * move its meta leadership once more: the API answers "temporarily unavailable" or not at all (seen after a
     * pause on 2.9.10), or the reading consumer stalls, until it settles; so the read is retried until one completes (a message missing for good fails every attempt).
     */
    static Map<String, Integer> stored(final JetStreamBus bus, final String subject)
    {
        final AtomicReference<Map<String, Integer>> read = new AtomicReference<>();
        Await.until(Duration.ofSeconds(90), () -> storedOnce(bus, subject, read), () -> "a complete read of the "
            + "stream: " + read.get());
        return read.get();
    }

    private static boolean storedOnce(final JetStreamBus bus, final String subject,
        final AtomicReference<Map<String, Integer>> read)
    {
        try
        {
            read.set(FaultLedger.stored(JetStreamInternals.connection(bus), Streams.MESSAGES, subject));
            return true;
        }
        catch (final io.nats.client.JetStreamApiException ex)
        {
            if (10008 != ex.getApiErrorCode())   // anything but "JetStream system temporarily unavailable" fails
            {
                throw new AssertionError(ex);
            }
            return false;
        }
        catch (final AssertionError | java.io.IOException stalled)   // nothing for 10 s, or the API did not answer
        {
            System.err.println("ClusterStreams: reading the stream again: " + stalled.getMessage());
            return false;
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
    }

    /**
     * Asserts that every node's own replica of the stream (its state as that server reports it, not a read that the
     * leader or any replica may answer) holds the {@code stored} messages: the same count, bytes and sequences as
     * each other. Replicas that have just caught up may trail for a moment, so the check is awaited.
     */
    static void assertEveryReplicaHolds(final List<NatsProcess> nodes, final Map<String, Integer> stored)
    {
        final long expected = stored.values().stream().mapToLong(Integer::longValue).sum();
        final String disagreement = replicasDisagree(nodes, expected, Duration.ofSeconds(30));
        assertTrue(null == disagreement, () -> "every replica to hold the " + expected + " stored messages: "
            + disagreement);
    }

    /**
     * Waits up to {@code patience} for every node's own replica to hold the same state with {@code expected}
     * messages (any count when negative).
     *
     * @return null when they came to agree, else their last states.
     */
    static String replicasDisagree(final List<NatsProcess> nodes, final long expected, final Duration patience)
    {
        final long deadline = System.nanoTime() + patience.toNanos();
        String seen = "not read";
        while (System.nanoTime() < deadline)
        {
            final Set<NatsProcess.ReplicaState> distinct = new java.util.HashSet<>();
            try
            {
                for (final NatsProcess node : nodes)
                {
                    distinct.add(node.replicaState(Streams.MESSAGES));
                }
                if (1 == distinct.size() && (expected < 0 || expected == distinct.iterator().next().messages()))
                {
                    return null;
                }
            }
            catch (final java.io.IOException ex)
            {
                // a node not answering yet: read again
            }
            seen = replicaStates(nodes);
            try
            {
                Thread.sleep(100);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }
        return seen;
    }

    /**
     * @return whether the server version is known to let replicas diverge, and to lose acknowledged messages, when a
     * partition of the stream leader heals or a replica moves to a new node: 2.9.10 did (perf-reports/reliability.md,
     * faults 8 and 12), so there the tests record it as a finding; on later versions they fail on it.
     */
    static boolean replicasMayDiverge()
    {
        return !NatsProcess.versionAtLeast(2, 10);
    }

    /** @return each node's replica of the stream as that server reports it. */
    static String replicaStates(final List<NatsProcess> nodes)
    {
        final List<String> states = new java.util.ArrayList<>();
        for (final NatsProcess node : nodes)
        {
            try
            {
                states.add(node.name() + " " + node.replicaState(Streams.MESSAGES));
            }
            catch (final java.io.IOException ex)
            {
                states.add(node.name() + " " + ex.getMessage());
            }
        }
        return String.join("; ", states);
    }
}
