package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.testsupport.Await;
import io.agentflow.testsupport.NatsCluster;
import io.agentflow.testsupport.NatsProcess;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A three-node cluster with R3 streams loses its stream leader in the middle of a publishing load, in two ways:
 * <ul>
 *   <li>fault 2 of issue 7: killed (SIGKILL), started again after the load;</li>
 *   <li>issue 18's leader pause: stopped (SIGSTOP) for {@value #PAUSE_SECONDS} s, longer than an election takes,
 *   then let go on (SIGCONT) still believing it leads, with its sockets open throughout (to clients as well, which
 *   see a silent server rather than a closed connection).</li>
 * </ul>
 * Publishing resumes once the other two elect a leader (the time is recorded); no acknowledged message is lost or
 * duplicated; the node that was lost catches up, and every server's own replica (its monitoring endpoint's state)
 * holds what the leader's does. On 2.9.x, whose replicas are known to diverge after a leader comes back (see
 * {@link PartitionTest}), an acknowledged message missing, a stored one never delivered or replicas that differ are
 * recorded in the row instead (upper case, as there); nothing stored or handled twice stays asserted on every version.
 */
@Timeout(240)
class ClusterLeaderLossTest
{
    private static final String SUBJECT = "agents.cluster.in";
    private static final int MESSAGES = 14_000;   // 13 s of load after the kill at message 1,000
    /**
     * The bound on publishing resuming after the leader's loss: the followers wait a random 4-9 s election timeout
     * (nats-server's raft.go, minElectionTimeoutDefault..maxElectionTimeoutDefault) plus up to 0.8 s of campaign
     * before one takes over, then the client needs a reconnect and the breaker's next half-open probe (500 ms).
     * Typical here: 4.5-6 s. It was 9 s until a full run drew an election near the top of that range (2026-11-27).
     */
    private static final long RESUME_BOUND_MS = 12_000;
    private static final long INTERVAL_NANOS = TimeUnit.MICROSECONDS.toNanos(1_000);   // 1000 msgs/s
    static final int PAUSE_SECONDS = 12;
    /**
     * With a pause, a client connected to the paused node hears nothing until the pause ends, and can only then
     * learn of the new leader: publishing may resume only after it, plus the breaker's probe.
     */
    private static final long PAUSE_RESUME_BOUND_MS = PAUSE_SECONDS * 1000 + RESUME_BOUND_MS;

    /** How the leader is lost. */
    enum Fault
    {
        KILL, PAUSE
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void shouldResumeWithoutLossWhenTheStreamLeaderIsLost(final Fault fault) throws Exception
    {
        final FaultLedger ledger = new FaultLedger();
        try (NatsCluster cluster = NatsCluster.start(3))
        {
            final BusConfig config = ClusterStreams.faultSettings(cluster.urls()).conclude();
            try (JetStreamBus bus = JetStreamBus.connect(config))
            {
                ClusterStreams.provision(bus, 3);
                assertEquals(3, ClusterStreams.info(bus).getConfiguration().getReplicas(), "R3 on a cluster");
                ledger.watch(bus.subscribe(SubscriptionSpec.durable("cluster-worker", SUBJECT), ledger.handler()));

                NatsProcess killed = null;
                long killedAt = 0;
                boolean resumed = Fault.KILL == fault;
                final long start = System.nanoTime();
                for (int i = 0; i < MESSAGES; i++)
                {
                    LockSupport.parkNanos(start + i * INTERVAL_NANOS - System.nanoTime());
                    if (1_000 == i)
                    {
                        killed = cluster.node(ClusterStreams.leader(bus));
                        if (Fault.KILL == fault)
                        {
                            killed.kill();
                        }
                        else
                        {
                            killed.pause();
                        }
                        killedAt = System.nanoTime();
                    }
                    if (!resumed && null != killed
                        && System.nanoTime() - killedAt > TimeUnit.SECONDS.toNanos(PAUSE_SECONDS))
                    {
                        killed.resume();
                        resumed = true;
                    }
                    ledger.publish(bus, SUBJECT, TestMessage.to("cluster", i));
                }
                if (!resumed)   // the load ended first (publishing stalled on the paused node)
                {
                    LockSupport.parkNanos(killedAt + TimeUnit.SECONDS.toNanos(PAUSE_SECONDS) - System.nanoTime());
                    killed.resume();
                }
                Await.until(Duration.ofSeconds(30), () -> ledger.settledCount() == MESSAGES,
                    () -> ledger.settledCount() + " of " + MESSAGES + " publishes settled");
                final long resumedMs = ledger.msToFirstAckAfter(killedAt);
                final long bound = Fault.KILL == fault ? RESUME_BOUND_MS : PAUSE_RESUME_BOUND_MS;
                assertTrue(resumedMs >= 0 && resumedMs < bound, "publishing resumed after " + resumedMs
                    + " ms; failures: " + ledger.failures());

                if (Fault.KILL == fault)
                {
                    killed.start();   // rejoins and catches up from the new leader
                }
                final long restartedAt = System.nanoTime();
                Await.until(Duration.ofSeconds(60), () -> ClusterStreams.allReplicasCurrent(bus, 2),
                    () -> "the restarted node to catch up");
                final long caughtUpMs = (System.nanoTime() - restartedAt) / 1_000_000;
                final Map<String, Integer> stored = ClusterStreams.stored(bus, SUBJECT);
                Await.until(Duration.ofSeconds(30), () -> ledger.handledCount() >= stored.size(),
                    () -> ledger.handledCount() + " of " + stored.size() + " stored messages handled");
                FaultLedger.awaitLateDeliveries(config.delivery().ackWait());   // a late redelivery would show now
                // on 2.9.x what the server loses when the leader returns (PartitionTest's findings; seen once here
                // with the pause, in a CI run of session 14) is recorded in the row, every other guarantee asserted
                final List<String> lost = ledger.lostSince(stored, killedAt);
                final String lostText = lost.isEmpty() ? "" : lost.size() + ": " + lost.stream().limit(5).toList()
                    + "; replicas: " + ClusterStreams.replicaStates(cluster.nodes());
                final List<String> neverHandled = ledger.assertAfterLeaderReturn(stored, lost, () -> lostText);
                String findings = "";
                if (ClusterStreams.replicasMayDiverge())
                {
                    final String disagreement = ClusterStreams.replicasDisagree(cluster.nodes(), stored.size(),
                        Duration.ofSeconds(30));
                    findings = (lost.isEmpty() ? "" : "; LOST acknowledged " + lostText) + (neverHandled.isEmpty()
                        ? "" : "; NEVER DELIVERED " + neverHandled.size() + " stored: "
                        + neverHandled.stream().limit(3).toList()) + (null == disagreement ? ""
                        : "; REPLICAS DIFFER 30 s after: " + disagreement);
                }
                else
                {
                    ClusterStreams.assertEveryReplicaHolds(cluster.nodes(), stored);
                }
                ledger.record(Fault.KILL == fault ? "2. R3 stream leader SIGKILL (3 nodes)"
                        : "7. R3 stream leader paused (SIGSTOP, 3 nodes)", Fault.KILL == fault
                        ? "kill -9 of the leader (" + killed.name() + ") at message 1000, restarted after the load"
                        : "kill -STOP of the leader (" + killed.name() + ") at message 1000, -CONT " + PAUSE_SECONDS
                        + " s later", stored, "publishing resumed " + resumedMs + " ms, delivery "
                        + ledger.msToFirstHandledAfter(killedAt) + " ms after the fault; node caught up " + caughtUpMs
                        + " ms after " + (Fault.KILL == fault ? "restart" : "the load") + findings);
            }
        }
    }
}
