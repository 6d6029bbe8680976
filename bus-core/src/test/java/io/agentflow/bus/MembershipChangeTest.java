package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.testsupport.Await;
import io.agentflow.testsupport.NatsCluster;
import io.agentflow.testsupport.NatsProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18's membership change, under a publishing load on an R3 stream of a three-node cluster: a fourth node
 * joins, a follower is removed from the stream's peers (peer-remove, so the cluster places its replica on the new
 * node, which catches up from the leader while writes go on) and is then stopped for good. Nothing acknowledged is
 * lost or duplicated, and every replica of the stream's new peer set, the new node's included, holds exactly what
 * the leader does.
 */
@Timeout(300)
class MembershipChangeTest
{
    private static final String SUBJECT = "agents.members.in";
    private static final int MESSAGES = 10_000;
    private static final int JOIN_AT = 1_000;
    private static final int REMOVE_AT = 3_000;
    private static final int RETIRE_AFTER = 3_000;   // messages after the peer-remove was accepted
    private static final long INTERVAL_NANOS = TimeUnit.MICROSECONDS.toNanos(1_000);   // 1000 msgs/s

    @Test
    void shouldLoseNothingWhileAReplicaMovesToANewNode() throws Exception
    {
        final FaultLedger ledger = new FaultLedger();
        try (NatsCluster cluster = NatsCluster.start(3))
        {
            final BusConfig config = ClusterStreams.faultSettings(cluster.urls()).conclude();
            try (JetStreamBus bus = JetStreamBus.connect(config))
            {
                ClusterStreams.provision(bus, 3);
                final Subscription subscription = ledger.watch(bus.subscribe(SubscriptionSpec.durable(
                    "members-worker", SUBJECT), ledger.handler()));
                NatsProcess joined = null;
                NatsProcess removed = null;
                long removedAt = 0;
                int removedAtMessage = 0;
                String lastRefusal = "none";
                int refusals = 0;
                final long start = System.nanoTime();
                for (int i = 0; i < MESSAGES; i++)
                {
                    LockSupport.parkNanos(start + i * INTERVAL_NANOS - System.nanoTime());
                    if (JOIN_AT == i)
                    {
                        joined = cluster.addNode();
                    }
                    else if (null == removed && i >= REMOVE_AT && 0 == i % 100)
                    {
                        // asked only once the cluster places replicas on the newcomer (tried every 100 messages):
                        // a peer-remove asked before is answered "peer remap failed" and yet takes the peer away,
                        // leaving the stream on two replicas (a CI run on 2.10.27, then "peer not a member" 70 times)
                        final String unplaced = cluster.placementRefusalOnEveryNode();
                        if (null != unplaced)
                        {
                            lastRefusal = unplaced;
                            refusals++;
                        }
                        else
                        {
                            final String leader = ClusterStreams.leader(bus);
                            final NatsProcess newcomer = joined;
                            final NatsProcess follower = cluster.nodes().stream().filter(n -> !n.name()
                                .equals(leader) && n != newcomer).findFirst().orElseThrow();
                            final String refusal = ClusterStreams.removePeer(bus, follower.name());
                            assertTrue(null == refusal, "the peer-remove of " + follower.name() + " once the cluster "
                                + "placed replicas on " + newcomer.name() + " was accepted: " + refusal);
                            removed = follower;
                            removedAt = System.nanoTime();
                            removedAtMessage = i;
                        }
                    }
                    else if (null != removed && removedAtMessage + RETIRE_AFTER == i)
                    {
                        removed.stop();
                    }
                    ledger.publish(bus, SUBJECT, TestMessage.to("members", i));
                }
                assertTrue(null != removed && removedAtMessage + RETIRE_AFTER < MESSAGES, "the cluster placed "
                    + "replicas on the new node in time: " + refusals + " refusals, the last: " + lastRefusal);
                Await.until(Duration.ofSeconds(30), () -> ledger.settledCount() == MESSAGES,
                    () -> ledger.settledCount() + " of " + MESSAGES + " publishes settled");
                final String newcomer = joined.name();
                final String gone = removed.name();
                Await.until(Duration.ofSeconds(60), () -> holdsWithout(bus, newcomer, gone)
                    && ClusterStreams.allReplicasCurrent(bus, 2), () -> "the stream's replica to move from " + gone
                    + " to " + newcomer + " and catch up: " + peersOrError(bus));
                final long movedMs = (System.nanoTime() - removedAt) / 1_000_000;
                final Map<String, Integer> stored = ClusterStreams.stored(bus, SUBJECT);
                // handled, or refused by verification: on 2.9.10 the move once delivered three messages whose bytes
                // were not what was stored (a hash mismatch, a body without its id), which the bus quarantined
                Await.until(Duration.ofSeconds(30), () -> ledger.handledCount() + subscription.stats().quarantined()
                    >= stored.size(), () -> ledger.handledCount() + " handled and " + subscription.stats()
                    .quarantined() + " quarantined of " + stored.size() + " stored; consumer: " + consumerState(bus));
                FaultLedger.awaitLateDeliveries(config.delivery().ackWait());
                final long quarantined = subscription.stats().quarantined();
                final String refused;
                if (0 == quarantined)
                {
                    ledger.assertNothingLostOrDuplicated(stored);
                    refused = "";
                }
                else
                {
                    // a finding, not hidden: the stream's own copies, read through the leader and verified, tell
                    // whether the damage was in what was stored or only in what was delivered
                    ledger.assertHandledAtMostOnce();
                    assertTrue(stored.keySet().containsAll(ledger.handledIds()), "nothing handled that is not stored");
                    final LeaderRead read = LeaderRead.of(bus, ClusterStreams.info(bus).getStreamState()
                        .getLastSequence());
                    refused = "; DELIVERED DAMAGED: " + quarantined + " deliveries failed verification and were "
                        + "quarantined (the leader's copies: " + read.intact + " intact, " + read.damaged + " damaged, "
                        + read.missing + " missing)";
                }
                final List<String> peers = ClusterStreams.peers(bus);
                assertTrue(peers.contains(newcomer), "the new node holds a replica: " + peers);
                assertFalse(peers.contains(gone), "the removed node holds none: " + peers);
                final List<NatsProcess> holders = cluster.nodes().stream().filter(n -> peers.contains(n.name()))
                    .collect(Collectors.toList());
                // on 2.9.10 the new node once reported current while it held only the 3,000 messages of its
                // snapshot: recorded there as a finding, failed on for later versions
                final String diverged = ClusterStreams.replicasDisagree(holders, stored.size(),
                    Duration.ofSeconds(20));
                assertTrue(null == diverged || ClusterStreams.replicasMayDiverge(), "every replica to hold the "
                    + stored.size() + " stored messages: " + diverged);
                ledger.record("12. membership change under load (R3)", newcomer + " joined at message " + JOIN_AT
                        + ", " + gone + " peer-removed at " + removedAtMessage + " (" + refusals
                        + " placements on every node refused before) and stopped at "
                        + (removedAtMessage + RETIRE_AFTER), stored,
                    "replica on " + newcomer + " current " + movedMs + " ms after the peer-remove; peers now "
                        + String.join(", ", peers) + "; publishes failed during the move: "
                        + (MESSAGES - ledger.ackedCount()) + refused + (null == diverged ? "; every replica holds all "
                        + stored.size() : "; REPLICAS DIFFER 20 s after the move: " + diverged));
            }
        }
    }

    private static boolean holdsWithout(final JetStreamBus bus, final String newcomer, final String gone)
    {
        try
        {
            final List<String> peers = ClusterStreams.peers(bus);
            return peers.contains(newcomer) && !peers.contains(gone);
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    private static String consumerState(final JetStreamBus bus)
    {
        try
        {
            final io.nats.client.api.ConsumerInfo c = io.agentflow.bus.jetstream.JetStreamInternals.management(bus)
                .getConsumerInfo(io.agentflow.bus.wire.Streams.MESSAGES, "members-worker");
            return "pending " + c.getNumPending() + ", ack pending " + c.getNumAckPending() + ", redelivered "
                + c.getRedelivered() + ", ack floor " + c.getAckFloor().getStreamSequence() + ", delivered "
                + c.getDelivered().getStreamSequence() + ", leader " + c.getClusterInfo().getLeader() + ", replicas "
                + c.getClusterInfo().getReplicas().stream().map(r -> r.getName() + (r.isCurrent() ? "" : " (behind)"))
                .collect(Collectors.toList());
        }
        catch (final Exception ex)
        {
            return String.valueOf(ex);
        }
    }

    private static String peersOrError(final JetStreamBus bus)
    {
        try
        {
            return String.valueOf(ClusterStreams.peers(bus));
        }
        catch (final Exception ex)
        {
            return String.valueOf(ex);
        }
    }
}
