package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.testsupport.Await;
import io.agentflow.testsupport.NatsCluster;
import io.agentflow.testsupport.NatsProcess;
import io.agentflow.testsupport.TcpLink;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18's network partitions, on a three-node R3 cluster whose links a test controls ({@link TcpLink}: a cut
 * link carries nothing and refuses nothing, as a firewall that drops packets), under a publishing load, healed
 * after {@value #CUT_SECONDS} s:
 * <ul>
 *   <li>{@link Cut#LEADER_FROM_FOLLOWERS}: the stream leader's routes to both followers are cut. A client on a
 *   follower (the majority side, which elects a new leader) and a client on the old leader (the minority side, which
 *   can commit nothing) both publish throughout; what either was told is stored must be stored, in every replica,
 *   after the heal, and what is stored handled once.</li>
 *   <li>{@link Cut#CLIENT_FROM_LEADER}: the client reaches every node through a link, and the link to the node that
 *   leads the stream, which it is connected to, is cut. Only its pings (1 s, two outstanding) can tell it; it
 *   reconnects to another node and publishing resumes there.</li>
 * </ul>
 */
@Timeout(300)
class PartitionTest
{
    private static final String SUBJECT = "agents.partition.in";
    private static final int MESSAGES = 14_000;
    private static final int CUT_AT = 1_000;
    static final int CUT_SECONDS = 10;
    private static final long INTERVAL_NANOS = TimeUnit.MICROSECONDS.toNanos(1_000);   // 1000 msgs/s
    /** As {@code ClusterLeaderLossTest}'s: an election takes 4-9 s, then the breaker's half-open probe. */
    private static final long ELECTION_BOUND_MS = 12_000;
    /** Two missed pings at 1 s, a reconnect 100 ms later, the resubscription and the breaker's probe. */
    private static final long RECONNECT_BOUND_MS = 8_000;

    /** Where the network is cut. */
    enum Cut
    {
        LEADER_FROM_FOLLOWERS, CLIENT_FROM_LEADER
    }

    @ParameterizedTest
    @EnumSource(Cut.class)
    void shouldLoseNothingAcknowledgedAcrossAPartition(final Cut cut) throws Exception
    {
        final FaultLedger ledger = new FaultLedger();
        final List<TcpLink> clientLinks = new ArrayList<>();
        try (NatsCluster cluster = NatsCluster.startLinked(3))
        {
            for (final NatsProcess node : cluster.nodes())
            {
                clientLinks.add(TcpLink.to("client->" + node.name(), node.port()));
            }
            final String urls = Cut.CLIENT_FROM_LEADER == cut ? clientLinks.stream()
                .map(l -> "nats://127.0.0.1:" + l.port()).collect(Collectors.joining(",")) : cluster.urls();
            final BusConfig config = settings(urls);
            try (JetStreamBus bus = JetStreamBus.connect(config))
            {
                ClusterStreams.provision(bus, 3);
                final String connectedTo = JetStreamInternals.connection(bus).getServerInfo().getServerName();
                // the majority's client on a follower; the client to be cut on the leader
                ClusterStreams.moveLeader(bus, leader -> (Cut.CLIENT_FROM_LEADER == cut) == leader.equals(connectedTo));
                final NatsProcess leader = cluster.node(ClusterStreams.leader(bus));
                ledger.watch(bus.subscribe(SubscriptionSpec.durable("partition-worker", SUBJECT), ledger.handler()));
                try (JetStreamBus minority = JetStreamBus.connect(settings(leader.url())))
                {
                    final java.util.Set<String> minorityIds = new java.util.HashSet<>();
                    long cutAt = 0;
                    long healedAt = 0;
                    String servingInCut = null;
                    final long start = System.nanoTime();
                    for (int i = 0; i < MESSAGES; i++)
                    {
                        LockSupport.parkNanos(start + i * INTERVAL_NANOS - System.nanoTime());
                        if (CUT_AT == i)
                        {
                            if (Cut.LEADER_FROM_FOLLOWERS == cut)
                            {
                                cluster.partition(leader);
                            }
                            else
                            {
                                clientLinks.get(cluster.nodes().indexOf(leader)).cut();
                            }
                            cutAt = System.nanoTime();
                        }
                        if (0 != cutAt && 0 == healedAt
                            && System.nanoTime() - cutAt > TimeUnit.SECONDS.toNanos(CUT_SECONDS))
                        {
                            servingInCut = servedBy(cut, bus);
                            healAll(cluster, clientLinks);
                            healedAt = System.nanoTime();
                        }
                        final io.agentflow.codec.Message message = TestMessage.to("partition", i);
                        if (Cut.LEADER_FROM_FOLLOWERS == cut && 5 == i % 10)   // every tenth from the minority side
                        {
                            minorityIds.add(message.id());
                            ledger.publish(minority, SUBJECT, message);
                        }
                        else
                        {
                            ledger.publish(bus, SUBJECT, message);
                        }
                    }
                    if (0 == healedAt)
                    {
                        LockSupport.parkNanos(cutAt + TimeUnit.SECONDS.toNanos(CUT_SECONDS) - System.nanoTime());
                        servingInCut = servedBy(cut, bus);
                        healAll(cluster, clientLinks);
                    }
                    // the cut took: the majority elected another leader, or the client moved to another node
                    assertTrue(!leader.name().equals(servingInCut), "during the cut, " + (Cut.LEADER_FROM_FOLLOWERS
                        == cut ? "the stream's leader" : "the client's server") + " was " + servingInCut
                        + ", which was cut off");
                    Await.until(Duration.ofSeconds(30), () -> ledger.settledCount() == MESSAGES,
                        () -> ledger.settledCount() + " of " + MESSAGES + " publishes settled");
                    final long resumedMs = ledger.msToFirstAckOfPublishedAfter(cutAt, id -> !minorityIds.contains(id));
                    final long bound = Cut.LEADER_FROM_FOLLOWERS == cut ? ELECTION_BOUND_MS : RECONNECT_BOUND_MS;
                    assertTrue(resumedMs >= 0 && resumedMs < bound, "publishing resumed after " + resumedMs
                        + " ms; failures: " + ledger.failures());
                    final long minorityAckedInCut = ledger.ackedBetween(cutAt, cutAt
                        + TimeUnit.SECONDS.toNanos(CUT_SECONDS), minorityIds::contains);

                    Await.until(Duration.ofSeconds(60), () -> ClusterStreams.allReplicasCurrent(bus, 2),
                        () -> "every replica to be current after the heal");
                    final long caughtUpMs = (System.nanoTime() - cutAt) / 1_000_000 - CUT_SECONDS * 1000L;
                    final Map<String, Integer> stored = ClusterStreams.stored(bus, SUBJECT);
                    Await.until(Duration.ofSeconds(30), () -> ledger.handledCount() >= stored.size(),
                        () -> ledger.handledCount() + " of " + stored.size() + " stored messages handled");
                    FaultLedger.awaitLateDeliveries(config.delivery().ackWait());
                    final List<String> lost = ledger.lostSince(stored, cutAt);
                    final String lostText = lost.size() + ": " + lost.stream().limit(5).map(l -> l
                        + (minorityIds.contains(l.substring(0, 26)) ? " (minority)" : " (majority)"))
                        .collect(Collectors.joining("; ")) + (lost.size() > 5 ? "; ..." : "") + "; replicas: "
                        + ClusterStreams.replicaStates(cluster.nodes());
                    // on 2.9.x the loss, and stored messages its consumer never delivered, are recorded below
                    final List<String> neverHandled = ledger.assertAfterLeaderReturn(stored, lost, () -> lostText);
                    // each server's own copy: on 2.9.10 the node that was cut off stays a few messages short for good
                    // while the leader calls it current (later writes land at other sequences there); recorded as a
                    // finding, with whether the next write levels it: the server's loss, not hidden, not failed on
                    final String trailing = ClusterStreams.replicasDisagree(cluster.nodes(), stored.size(),
                        Duration.ofSeconds(20));
                    final String replicas = (lost.isEmpty() ? "" : "LOST acknowledged " + lostText + "; ")
                        + (neverHandled.isEmpty() ? "" : "NEVER DELIVERED " + neverHandled.size() + " stored: "
                        + neverHandled.stream().limit(3).toList() + " (turned away as duplicates at the subscription: "
                        + ledger.duplicatesAtTheSubscription() + "); ")
                        + (null == trailing ? "every replica holds all " + stored.size()
                        : "REPLICAS DIFFER 20 s after the heal (" + trailing + "); after one more write: "
                        + afterOneMoreWrite(cluster, bus));
                    if (Cut.LEADER_FROM_FOLLOWERS == cut)
                    {
                        ledger.record("8. R3 stream leader partitioned from both followers", "routes of the leader ("
                            + leader.name() + ") cut at message 1000, healed " + CUT_SECONDS + " s later; every "
                            + "tenth message published through a client on the leader", stored, "majority publishing "
                            + "resumed " + resumedMs + " ms after the cut (new leader " + servingInCut
                            + "); minority acks during the cut: "
                            + minorityAckedInCut + "; replicas current " + caughtUpMs + " ms after the heal; "
                            + replicas);
                    }
                    else
                    {
                        ledger.record("9. client cut from the stream leader", "the client's link to the leader ("
                            + leader.name() + ") cut at message 1000, healed " + CUT_SECONDS + " s later", stored,
                            "publishing resumed " + resumedMs + " ms after the cut, on " + servingInCut
                            + " (ping 1 s, 2 out); delivery "
                            + ledger.msToFirstHandledOfPublishedAfter(cutAt) + " ms after the cut; " + replicas);
                    }
                }
            }
        }
        finally
        {
            for (final TcpLink link : clientLinks)
            {
                link.close();
            }
        }
    }

    /** @return whether one more stored message (on another subject) brings every replica level. */
    private static String afterOneMoreWrite(final NatsCluster cluster, final JetStreamBus bus)
    {
        try
        {
            JetStreamInternals.jetStream(bus).publish("agents.partition-probe.in", TestMessage.to("probe", 0)
                .id().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            final String still = ClusterStreams.replicasDisagree(cluster.nodes(), -1, Duration.ofSeconds(10));
            return null == still ? "all level" : "still " + still;
        }
        catch (final Exception ex)
        {
            return "could not write: " + ex;
        }
    }

    /** @return the stream's leader (a cut leader) or the client's server (a cut client) as the majority sees it. */
    private static String servedBy(final Cut cut, final JetStreamBus bus)
    {
        try
        {
            return Cut.LEADER_FROM_FOLLOWERS == cut ? ClusterStreams.leader(bus)
                : JetStreamInternals.connection(bus).getServerInfo().getServerName();
        }
        catch (final Exception ex)
        {
            return "unknown (" + ex + ")";
        }
    }

    private static BusConfig settings(final String urls)
    {
        return ClusterStreams.faultSettings(urls)
            .tuning(new ConnectionTuning(Duration.ofSeconds(1), 2, 64 * 1024, 0, 0))
            .conclude();
    }

    private static void healAll(final NatsCluster cluster, final List<TcpLink> clientLinks)
    {
        cluster.heal();
        clientLinks.forEach(TcpLink::heal);
    }
}
