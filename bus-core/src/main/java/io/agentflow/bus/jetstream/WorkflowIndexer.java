package io.agentflow.bus.jetstream;

import io.agentflow.bus.runtime.WorkflowIds;
import io.agentflow.bus.wire.Streams;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.json.JsonLimits;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.PublishAck;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the workflow index over JetStream. A durable pull consumer of {@code AF_MESSAGES}
 * ({@value Streams#WORKFLOW_INDEXER}, on {@code agents.*.*}) reads each message on an agent subject once; for each
 * batch it stores one record per workflow on {@code index.workflows.<id>} in {@code AF_WORKFLOW_INDEX}, the batch's
 * stream sequences of that workflow as ASCII decimals separated by spaces, and acknowledges the batch only once
 * those records are stored. A crash therefore repeats a batch (replay drops repeated sequences) and never skips one;
 * the records carry no {@code Nats-Msg-Id}, since a repeated batch may be cut differently. Every bus with
 * {@code AF_BUS_WORKFLOW_INDEX=true} runs one: they share the consumer and split the work. Runs on its own daemon
 * thread; a broker that goes away is waited for.
 */
final class WorkflowIndexer implements AutoCloseable
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WorkflowIndexer.class);
    private static final int BATCH = 256;
    private static final Duration WAIT = Duration.ofSeconds(1);
    private static final Duration PUBLISH_WAIT = Duration.ofSeconds(30);

    private final JetStream js;
    private final JetStreamManagement jsm;
    private final JsonLimits limits;
    private final Duration ackWait;
    private final Thread thread;
    private volatile boolean running = true;

    WorkflowIndexer(final JetStream js, final JetStreamManagement jsm, final JsonLimits limits, final Duration ackWait)
    {
        this.js = js;
        this.jsm = jsm;
        this.limits = limits;
        this.ackWait = ackWait;
        this.thread = new Thread(this::run, "agentflow-workflow-indexer");
        thread.setDaemon(true);
    }

    WorkflowIndexer start()
    {
        thread.start();
        return this;
    }

    /** The indexer's consumer: every message on agent subjects, from the first, acknowledged one by one. */
    static ConsumerConfiguration consumer(final Duration ackWait)
    {
        return ConsumerConfiguration.builder()
            .durable(Streams.WORKFLOW_INDEXER)
            .filterSubject("agents.*.*")
            .deliverPolicy(DeliverPolicy.All)
            .ackPolicy(AckPolicy.Explicit)   // several indexers share it: an ack covers only what one has indexed
            .ackWait(ackWait)
            .maxAckPending(10 * BATCH)
            .build();
    }

    private void run()
    {
        JetStreamSubscription sub = null;
        while (running)
        {
            try
            {
                if (null == sub)
                {
                    jsm.addOrUpdateConsumer(Streams.MESSAGES, consumer(ackWait));
                    sub = js.subscribe(null, PullSubscribeOptions.bind(Streams.MESSAGES, Streams.WORKFLOW_INDEXER));
                }
                index(sub.fetch(BATCH, WAIT));
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            catch (final Exception ex)
            {
                if (!running)
                {
                    return;
                }
                // not provisioned yet (a bus connects before it provisions), or the broker is away: its messages
                // wait in the stream
                if (ex instanceof io.nats.client.JetStreamApiException api && 404 == api.getErrorCode())
                {
                    LOG.info("workflow index: {}; trying again in 1 s", ex.toString());
                }
                else
                {
                    LOG.warn("workflow index: {}; trying again in 1 s", ex.toString());
                }
                sub = null;
                try
                {
                    Thread.sleep(1_000);
                }
                catch (final InterruptedException stop)
                {
                    return;
                }
            }
        }
    }

    private void index(final List<Message> batch) throws Exception
    {
        if (batch.isEmpty())
        {
            return;
        }
        final Map<String, StringBuilder> records = new LinkedHashMap<>();
        for (final Message m : batch)
        {
            final byte[] data = m.getData();
            final String workflow = WorkflowIds.of(data, 0, data.length, limits);
            if (null != workflow)
            {
                final StringBuilder r = records.computeIfAbsent(workflow, w -> new StringBuilder());
                r.append(r.isEmpty() ? "" : " ").append(m.metaData().streamSequence());
            }
        }
        final List<CompletableFuture<PublishAck>> stored = new ArrayList<>(records.size());
        records.forEach((workflow, sequences) -> stored.add(js.publishAsync(Subjects.workflowIndex(workflow),
            sequences.toString().getBytes(StandardCharsets.US_ASCII))));
        for (final CompletableFuture<PublishAck> f : stored)
        {
            f.get(PUBLISH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        for (final Message m : batch)
        {
            m.ack();
        }
    }

    /**
     * Parses one index record; @return its stream sequences. A token that is no sequence (a record someone else
     * wrote) is skipped: the index only points, and what it points at is verified when read.
     */
    static long[] sequences(final byte[] record)
    {
        return java.util.Arrays.stream(new String(record, StandardCharsets.US_ASCII).split(" "))
            .filter(t -> t.matches("[1-9][0-9]{0,18}")).mapToLong(Long::parseLong).toArray();
    }

    @Override
    public void close()
    {
        running = false;
        thread.interrupt();
        try
        {
            thread.join(WAIT.toMillis() * 5);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
