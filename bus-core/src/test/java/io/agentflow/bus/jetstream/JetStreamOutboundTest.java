package io.agentflow.bus.jetstream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The ack subjects' numbers: whatever arrives on the pipeline's inbox, only a well-formed slot and generation
 * count.
 */
class JetStreamOutboundTest
{
    @Test
    void readsOnlyPlainDecimalNumbers()
    {
        assertEquals(0, JetStreamOutbound.number("_INBOX.x.0.0", 9, 10));
        assertEquals(1023, JetStreamOutbound.number("_INBOX.x.1023.7", 9, 13));
        assertEquals(-1, JetStreamOutbound.number("_INBOX.x.-1.0", 9, 11));
        assertEquals(-1, JetStreamOutbound.number("_INBOX.x.a.0", 9, 10));
        assertEquals(-1, JetStreamOutbound.number("_INBOX.x..0", 9, 9));
        assertEquals(-1, JetStreamOutbound.number("_INBOX.x.99999999999.0", 9, 20));
    }
}
