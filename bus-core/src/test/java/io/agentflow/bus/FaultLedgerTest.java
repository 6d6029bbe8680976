package io.agentflow.bus;

import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.Message;
import io.agentflow.testsupport.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault tests' checker sees a redelivery that the subscription's de-duplication window keeps from the handler
 * (issue 18: "0 duplicated" used to be guaranteed by that window), and waits long enough for one to come.
 */
@Timeout(60)
class FaultLedgerTest extends ProvisionedServerTest
{
    @Test
    void aRedeliveryShowsAtTheSubscriptionThoughTheHandlerSeesTheMessageOnce() throws Exception
    {
        final Duration ackWait = Duration.ofSeconds(1);
        final FaultLedger ledger = new FaultLedger();
        final AtomicInteger calls = new AtomicInteger();
        final Message m = TestMessage.to("ledger-late", 1);
        try (JetStreamBus slowAcker = JetStreamBus.connect(TestConfigs.of(server).delivery(d -> d.ackWait(ackWait)).conclude()))
        {
            // the fault: the first handling outlasts the ack wait, so the server delivers the message again
            ledger.watch(slowAcker.subscribe(SubscriptionSpec.durable("ledger-late", Subjects.agentIn("ledger-late")),
                (message, delivery) ->
                {
                    if (1 == calls.incrementAndGet())
                    {
                        Thread.sleep(ackWait.toMillis() + 500);
                    }
                    ledger.recordHandled(message.id());
                }));
            ledger.publish(bus, Subjects.agentIn("ledger-late"), m);
            Await.until(Duration.ofSeconds(10), () -> 1 == ledger.handledCount(), () -> "handled");
            final long waitStart = System.nanoTime();
            FaultLedger.awaitLateDeliveries(ackWait);
            assertTrue(System.nanoTime() - waitStart >= ackWait.plus(FaultLedger.LATE_MARGIN).toNanos(),
                "waited the ack wait and the margin");
            assertEquals(1, calls.get(), "the handler saw it once");
            assertEquals(1, ledger.duplicatesAtTheSubscription(), "the redelivery reached the subscription");
        }
    }
}
