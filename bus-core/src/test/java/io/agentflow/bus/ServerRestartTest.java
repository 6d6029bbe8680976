package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.jetstream.JetStreamInternals;
import io.agentflow.bus.wire.Streams;
import io.agentflow.codec.Message;
import io.agentflow.testsupport.Await;
import io.agentflow.testsupport.NatsProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault 1 of issue 7: the server is killed (SIGKILL) during a publishing load and started again on the same
 * port and store. Publishes during the outage fail to their caller (the bus does not queue them in jnats'
 * reconnect buffer); afterwards every acknowledged message is stored exactly once, and the subscriber, which
 * reconnects by itself, handles each stored message exactly once.
 */
@Timeout(120)
class ServerRestartTest
{
    private static final String SUBJECT = "agents.restart.in";
    private static final int MESSAGES = 4_000;
    private static final long INTERVAL_NANOS = TimeUnit.MICROSECONDS.toNanos(1_000);   // 1000 msgs/s

    @Test
    void shouldLoseNothingAcknowledgedWhenTheServerIsKilledAndRestarted() throws Exception
    {
        final FaultLedger ledger = new FaultLedger();
        try (NatsProcess server = NatsProcess.create("restart", List.of()).start())
        {
            final BusConfig config = new BusConfig().url(server.url())
                .maxReconnect(-1).reconnectWait(Duration.ofMillis(100))
                .publishTimeout(Duration.ofSeconds(2))
                .delivery(d -> d.ackWait(Duration.ofSeconds(3))
                    .redeliveryDelay(Duration.ofMillis(100), Duration.ofMillis(400)))
                .breaker(50, 20, Duration.ofMillis(500))   // probe the restarted server soon
                .conclude();
            try (JetStreamBus bus = JetStreamBus.connect(config))
            {
                bus.provision();
                ledger.watch(bus.subscribe(SubscriptionSpec.durable("restart-worker", SUBJECT), ledger.handler()));
                long killedAt = 0;
                long restartedAt = 0;
                final long start = System.nanoTime();
                for (int i = 0; i < MESSAGES; i++)
                {
                    LockSupport.parkNanos(start + i * INTERVAL_NANOS - System.nanoTime());
                    if (MESSAGES / 4 == i)
                    {
                        server.kill();
                        killedAt = System.nanoTime();
                    }
                    if (MESSAGES / 4 + 1_000 == i)   // down for about a second of the load
                    {
                        server.start();
                        restartedAt = System.nanoTime();
                    }
                    final Message m = TestMessage.to("restart", i);
                    ledger.publish(bus, SUBJECT, m);
                }
                Await.until(Duration.ofSeconds(30), () -> ledger.settledCount() == MESSAGES,
                    () -> ledger.settledCount() + " of " + MESSAGES + " publishes settled");
                final Map<String, Integer> stored = FaultLedger.stored(JetStreamInternals.connection(bus),
                    Streams.MESSAGES, SUBJECT);
                Await.until(Duration.ofSeconds(30), () -> ledger.handledCount() >= stored.size(),
                    () -> ledger.handledCount() + " of " + stored.size() + " stored messages handled");
                FaultLedger.awaitLateDeliveries(config.delivery().ackWait());   // a late redelivery would show now
                ledger.assertNothingLostOrDuplicated(stored);
                assertTrue(ledger.ackedCount() > MESSAGES / 2, "most publishes acknowledged: " + ledger.ackedCount());
                ledger.record("1. server SIGKILL + restart", "kill -9 at message 1000, restart 1 s later",
                    stored, "down " + (restartedAt - killedAt) / 1_000_000 + " ms; first ack "
                        + ledger.msToFirstAckAfter(killedAt) + " ms and first delivery " + ledger.msToFirstHandledAfter(killedAt)
                        + " ms after the kill");
            }
        }
    }
}
