package io.agentflow.jmh;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.Subscription;
import io.agentflow.bus.SubscriptionSpec;
import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.codec.Message;
import io.agentflow.codec.MessageType;
import io.agentflow.testsupport.NatsTestServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What a refused message costs end to end over JetStream (issue 17): one operation stores a message with raw jnats
 * and waits until the subscription has dealt with it, either delivered to the handler (a valid message: the
 * baseline) or refused and its quarantine record stored (malformed bytes). Same server, subscription and wait.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class QuarantineBenchmark
{
    private static final String SUBJECT = "agents.qbench.in";

    private NatsTestServer server;
    private JetStreamBus bus;
    private Subscription subscription;
    private Connection raw;
    private JetStream js;
    private final byte[] garbage = "{\"not\":\"an envelope\"}".getBytes(StandardCharsets.US_ASCII);

    @Setup(Level.Trial)
    public void start() throws Exception
    {
        server = NatsTestServer.start();
        bus = JetStreamBus.connect(new BusConfig().url(server.url()).maxReconnect(0).conclude());
        bus.provision();
        subscription = bus.subscribe(SubscriptionSpec.durable("qbench", SUBJECT)
            .startingAt(SubscriptionSpec.StartPosition.NEW), (m, d) -> { });
        raw = Nats.connect(server.url());
        js = raw.jetStream();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception
    {
        subscription.close();
        raw.close();
        bus.close();
        server.close();
    }

    @Benchmark
    public long deliver() throws Exception
    {
        final long before = subscription.stats().delivered();
        js.publish(SUBJECT, Message.builder().from("bench").to("qbench").type(MessageType.EVENT)
            .payload(Map.of("n", before)).build().toString().getBytes(StandardCharsets.UTF_8));
        while (subscription.stats().delivered() == before)
        {
            LockSupport.parkNanos(10_000);
        }
        return before;
    }

    @Benchmark
    public long refuseAndQuarantine() throws Exception
    {
        final long before = subscription.stats().quarantined();
        js.publish(SUBJECT, garbage);
        while (subscription.stats().quarantined() == before)
        {
            LockSupport.parkNanos(10_000);
        }
        return before;
    }
}
