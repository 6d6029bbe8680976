package io.agentflow.jmh;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.jetstream.JetStreamBus;
import io.agentflow.testsupport.NatsTestServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What batching acks buys on the consume path: acknowledging one fetched batch with fire-and-forget acks and a
 * single flush (what the bus does) against a synchronous ack per message, on a real {@code nats-server} this
 * benchmark starts. One operation is one batch: fetch it, ack it; the batch is published (untimed) before each.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class AckBenchmark
{
    private static final Duration WAIT = Duration.ofSeconds(5);

    @Param({"100"})
    int batch;

    private NatsTestServer server;
    private Connection connection;
    private JetStream js;
    private JetStreamSubscription sub;
    private byte[] body;

    @Setup(Level.Trial)
    public void start() throws Exception
    {
        server = NatsTestServer.start();
        try (JetStreamBus bus = JetStreamBus.connect(new BusConfig().url(server.url()).conclude()))
        {
            bus.provision();
        }
        connection = io.nats.client.Nats.connect(server.url());
        js = connection.jetStream();
        connection.jetStreamManagement().addOrUpdateConsumer("AF_MESSAGES", ConsumerConfiguration.builder()
            .durable("ack-bench").filterSubject("agents.ack.in").ackPolicy(AckPolicy.Explicit)
            .maxAckPending(100_000).build());
        sub = js.subscribe("agents.ack.in", PullSubscribeOptions.bind("AF_MESSAGES", "ack-bench"));
        body = new io.agentflow.codec.EnvelopeEncoder().encodeToBytes(SampleMessages.message());
    }

    @Setup(Level.Invocation)
    public void publishBatch() throws Exception
    {
        for (int i = 0; i < batch; i++)
        {
            js.publishAsync("agents.ack.in", body);
        }
        connection.flush(WAIT);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception
    {
        connection.close();
        server.close();
    }

    /** What the bus does: {@code ack()} per message (queued), one flush for the batch. */
    @Benchmark
    public int fetchAndAckBatched() throws Exception
    {
        final List<Message> messages = fetchAll();
        for (final Message m : messages)
        {
            m.ack();
        }
        connection.flush(WAIT);   // wait until the server has the acks: a like-for-like end point
        return messages.size();
    }

    /** The alternative: a synchronous ack per message, one round trip each. */
    @Benchmark
    public int fetchAndAckSync() throws Exception
    {
        final List<Message> messages = fetchAll();
        for (final Message m : messages)
        {
            m.ackSync(WAIT);
        }
        return messages.size();
    }

    private List<Message> fetchAll()
    {
        final List<Message> messages = sub.fetch(batch, WAIT);
        if (messages.size() != batch)
        {
            throw new IllegalStateException("fetched " + messages.size() + " of " + batch);
        }
        return messages;
    }
}
