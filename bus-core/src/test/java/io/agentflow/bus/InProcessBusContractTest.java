package io.agentflow.bus;

import io.agentflow.bus.connect.MessageBuses;
import io.agentflow.bus.inprocess.InProcessBus;
import io.agentflow.bus.inprocess.InProcessStream;
import io.agentflow.bus.inprocess.StoredMessage;
import io.agentflow.bus.wire.Subjects;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;

/** The bus contract against the in-process transport, a fresh bus per test. */
class InProcessBusContractTest extends MessageBusContract
{
    @Override
    MessageBus newBus()
    {
        return MessageBuses.connect(config().conclude());
    }

    @Override
    BusConfig config()
    {
        return new BusConfig()
            .url("embedded:")
            .delivery(d -> d.redeliveryDelay(Duration.ofMillis(100), Duration.ofMillis(400)).maxDeliver(3))
            .maxMessageBytes(TestConfigs.MAX_MESSAGE_BYTES);
    }

    @Override
    void injectRaw(final MessageBus into, final String subject, final byte[] bytes)
    {
        ((InProcessBus)into).publishWire(subject, bytes);
    }

    @Override
    byte[] lastQuarantined(final String reason)
    {
        final List<StoredMessage> records = ((InProcessBus)bus).quarantined().stream()
            .filter(s -> s.subject().equals(Subjects.quarantine(reason))).toList();
        assertFalse(records.isEmpty(), "a quarantine record for " + reason);
        return records.get(records.size() - 1).bytes();
    }
}
