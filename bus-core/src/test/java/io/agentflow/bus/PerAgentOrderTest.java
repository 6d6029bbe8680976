package io.agentflow.bus;

import io.agentflow.codec.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class PerAgentOrderTest
{
    private static final int AGENTS = 8;
    private static final int PER_AGENT = 40;
    private static NatsTestServer server;

    @BeforeAll
    static void start() throws Exception
    {
        server = NatsTestServer.start();
    }

    @AfterAll
    static void stop() throws Exception
    {
        server.close();
    }

    @Test
    void shouldKeepEachAgentsOrderWhileHandlingAgentsInParallel() throws Exception
    {
        final Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        try (JetStreamBus bus = JetStreamBus.connect(server.config().handlerThreads(4).fetchBatch(64).conclude()))
        {
            bus.provision();
            for (int i = 0; i < PER_AGENT; i++)
            {
                for (int a = 0; a < AGENTS; a++)   // interleaved: agent order differs from stream order
                {
                    bus.publish(Subjects.agentIn("agent-" + a), TestMessage.to("agent-" + a, i));
                }
            }
            try (Subscription s = bus.subscribe(SubscriptionSpec.durable("all-agents", "agents.*.in"), (m, d) ->
            {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                Thread.sleep(1);   // long enough for handlers of different agents to overlap
                seen.computeIfAbsent(m.to(), k -> new ArrayList<>()).add(number(m));
                running.decrementAndGet();
            }))
            {
                Await.until(Duration.ofSeconds(30), () -> s.stats().delivered() == AGENTS * PER_AGENT,
                    () -> "all delivered: " + s.stats());
            }
        }
        final List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < PER_AGENT; i++)
        {
            expected.add(i);
        }
        assertEquals(AGENTS, seen.size());
        seen.forEach((agent, numbers) -> assertEquals(expected, numbers, "order of " + agent));
        assertTrue(maxRunning.get() > 1, "different agents were handled in parallel: max=" + maxRunning.get());
    }

    private static int number(final Message m)
    {
        return ((Number)((Map<?, ?>)m.payload().tree()).get("n")).intValue();
    }
}
