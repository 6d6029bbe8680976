package io.agentflow.bus;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Three (or more) {@link NatsProcess} nodes routed to each other on loopback, each with its own store. */
public final class NatsCluster implements AutoCloseable
{
    private final List<NatsProcess> nodes;

    private NatsCluster(final List<NatsProcess> nodes)
    {
        this.nodes = nodes;
    }

    public static NatsCluster start(final int size) throws Exception
    {
        final List<Integer> routePorts = new ArrayList<>();
        for (int i = 0; i < size; i++)
        {
            routePorts.add(NatsProcess.freePort());
        }
        final String routes = routePorts.stream().map(p -> "nats-route://127.0.0.1:" + p)
            .collect(Collectors.joining(", "));
        final List<NatsProcess> nodes = new ArrayList<>();
        for (int i = 0; i < size; i++)
        {
            nodes.add(NatsProcess.create("n" + (i + 1), List.of(
                "cluster { name: af-test, listen: 127.0.0.1:" + routePorts.get(i) + ", routes: [" + routes + "] }")));
        }
        final NatsCluster cluster = new NatsCluster(nodes);
        try
        {
            for (final NatsProcess node : nodes)
            {
                node.launch();   // all at once: each waits for the others' routes
            }
            for (final NatsProcess node : nodes)
            {
                node.awaitListening();
            }
        }
        catch (final IOException | InterruptedException ex)
        {
            cluster.close();
            throw ex;
        }
        return cluster;
    }

    /** @return every node's client URL, comma-separated, as {@code AF_BUS_URL} takes it. */
    public String urls()
    {
        return nodes.stream().map(NatsProcess::url).collect(Collectors.joining(","));
    }

    /** @return the nodes, in the order they were started. */
    public List<NatsProcess> nodes()
    {
        return List.copyOf(nodes);
    }

    public NatsProcess node(final String serverName)
    {
        return nodes.stream().filter(n -> n.name().equals(serverName)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no node " + serverName));
    }

    @Override
    public void close() throws Exception
    {
        Exception first = null;
        for (final NatsProcess node : nodes)
        {
            try
            {
                node.close();
            }
            catch (final Exception ex)
            {
                first = null == first ? ex : first;
            }
        }
        if (null != first)
        {
            throw first;
        }
    }
}
