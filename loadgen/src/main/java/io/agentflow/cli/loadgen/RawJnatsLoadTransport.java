package io.agentflow.cli.loadgen;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.ConsumeOptions;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.PublishOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.PublishAck;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The baseline: the same schedule, subjects and payload size through bare jnats, with no envelope, hash or
 * verification: JetStream {@code publishAsync} of raw bytes (with the same in-flight bound as the bus) and jnats'
 * own consume loop acking each message, on a consumer with the same bound of messages awaiting acks as the bus's
 * ({@code 2 * AF_BUS_FETCH_BATCH}). What a team wiring jnats well by hand would write. {@code raw-jnats} sends a
 * {@code Nats-Msg-Id} of the same length as ours (26 characters) with each publish, as the contract makes ours do,
 * so that the ratio measures our client and not the broker's de-duplication; {@code raw-jnats-noid} sends none,
 * which shows what exactly-once storage costs the broker.
 * <pre>
 *   body: run tag (4) | flow (4) | hop (4) | from agent (4) | intended nanos (8) | pad to payload size
 * </pre>
 */
final class RawJnatsLoadTransport implements LoadTransport
{
    private static final int HEADER = 24;

    private final Connection connection;
    private final JetStream js;
    private final int tag;
    private final String consumerName;
    private final int payloadBytes;
    private final String[] subjects;
    private final Semaphore inFlight;
    private final boolean withIds;
    private final int maxAckPending;
    private final String idPrefix;
    private final AtomicLong ids = new AtomicLong();
    private MessageConsumer consumer;
    private Acks acks;

    RawJnatsLoadTransport(final String url, final int runTag, final int agents, final int payloadBytes,
        final int maxInFlight, final int maxAckPending, final boolean withIds) throws Exception
    {
        this.maxAckPending = maxAckPending;
        this.withIds = withIds;
        this.idPrefix = String.format("%08x-", runTag);   // 9 characters, then 17 digits: 26 in all, as a ULID
        this.connection = Nats.connect(url);
        this.js = connection.jetStream();
        this.tag = runTag;
        this.consumerName = "loadgen-raw-" + Integer.toHexString(runTag);
        this.payloadBytes = Math.max(HEADER, payloadBytes);
        this.inFlight = new Semaphore(maxInFlight);
        this.subjects = new String[agents];
        for (int i = 0; i < agents; i++)
        {
            subjects[i] = "agents.agent-" + i + ".in";
        }
    }

    @Override
    public String name()
    {
        return withIds ? "raw-jnats" : "raw-jnats-noid";
    }

    @Override
    public void start(final Receiver receiver, final Acks acks)
    {
        this.acks = acks;
        try
        {
            connection.jetStreamManagement().addOrUpdateConsumer("AF_MESSAGES", ConsumerConfiguration.builder()
                .durable(consumerName + (withIds ? "" : "-noid")).filterSubject("agents.*.in").ackPolicy(AckPolicy.Explicit)
                .deliverPolicy(DeliverPolicy.New).maxAckPending(maxAckPending).build());
            consumer = connection.getConsumerContext("AF_MESSAGES", consumerName + (withIds ? "" : "-noid")).consume(
                ConsumeOptions.builder().batchSize(100).build(), m -> onMessage(m, receiver));
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("raw jnats consumer: " + ex.getMessage(), ex);
        }
    }

    private void onMessage(final io.nats.client.Message m, final Receiver receiver)
    {
        final ByteBuffer b = ByteBuffer.wrap(m.getData());
        m.ack();
        if (b.remaining() < HEADER || b.getInt() != tag)
        {
            return;
        }
        final int flow = b.getInt();
        final int hop = b.getInt();
        final int from = b.getInt();
        final long t0 = b.getLong();
        final String subject = m.getSubject();
        receiver.onArrival(Integer.parseInt(subject.substring(13, subject.length() - 3)), from, flow, hop, t0);
    }

    @Override
    public void send(final int fromAgent, final int toAgent, final int flow, final int hop, final long intendedNanos,
        final long sentAtNanos)
    {
        final ByteBuffer b = ByteBuffer.allocate(payloadBytes);
        b.putInt(tag).putInt(flow).putInt(hop).putInt(fromAgent).putLong(intendedNanos);
        try
        {
            inFlight.acquire();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        final CompletableFuture<PublishAck> sent = withIds
            ? js.publishAsync(subjects[toAgent], b.array(), PublishOptions.builder().messageId(nextId()).build())
            : js.publishAsync(subjects[toAgent], b.array());
        sent.whenComplete((ack, failure) ->
        {
            inFlight.release();
            if (null == failure)
            {
                acks.acked(sentAtNanos);
            }
            else
            {
                acks.failed(failure);
            }
        });
    }

    /** @return a new id of 26 characters: the run's tag, then a counter. */
    private String nextId()
    {
        final String n = Long.toString(ids.incrementAndGet());
        return idPrefix + "0".repeat(17 - n.length()) + n;
    }

    @Override
    public long rejected()
    {
        return 0;
    }

    @Override
    public void close()
    {
        try
        {
            if (null != consumer)
            {
                consumer.stop();
                consumer.close();
            }
            connection.jetStreamManagement().deleteConsumer("AF_MESSAGES", consumerName + (withIds ? "" : "-noid"));
            connection.close();
        }
        catch (final Exception ex)
        {
            System.err.println("loadgen: raw jnats close: " + ex.getMessage());
        }
    }
}
