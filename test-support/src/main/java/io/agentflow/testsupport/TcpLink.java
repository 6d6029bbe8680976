package io.agentflow.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder on loopback that a test can cut and heal: the network between two processes, for partitions.
 * Cut, it drops nothing and refuses nothing; it stops carrying bytes, both ways, on every connection it holds and
 * every one it accepts while cut, as a firewall that DROPs packets does: the endpoints see a silent peer, not a
 * reset, and find out only through their own timeouts (pings, raft heartbeats). Healed, what was held flows on, as
 * TCP's retransmissions would deliver it.
 */
public final class TcpLink implements AutoCloseable
{
    private static final int CHUNK = 64 * 1024;

    private final String name;
    private final int targetPort;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private volatile boolean cut;
    private volatile boolean closed;

    private TcpLink(final String name, final int targetPort) throws IOException
    {
        this.name = name;
        this.targetPort = targetPort;
        this.listener = LoopbackPorts.listen(50);
        final Thread acceptor = new Thread(this::acceptLoop, "link-" + name);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** @return a link listening on a free loopback port that carries each connection on to {@code targetPort}. */
    public static TcpLink to(final String name, final int targetPort) throws IOException
    {
        return new TcpLink(name, targetPort);
    }

    public int port()
    {
        return listener.getLocalPort();
    }

    public String name()
    {
        return name;
    }

    /** Stops carrying bytes, both ways, on every connection, held and new. */
    public void cut()
    {
        cut = true;
    }

    /** Carries bytes again; what was held flows on. */
    public void heal()
    {
        synchronized (gate)
        {
            cut = false;
            gate.notifyAll();
        }
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            try
            {
                final Socket inbound = listener.accept();
                sockets.add(inbound);
                final Thread t = new Thread(() -> connect(inbound), "link-" + name + "-connect");
                t.setDaemon(true);
                t.start();
            }
            catch (final IOException ex)
            {
                // the link closed
            }
        }
    }

    /** Carries an accepted connection on to the target; while cut, the attempt waits as a dropped SYN would. */
    private void connect(final Socket inbound)
    {
        try
        {
            awaitHealed();
            final Socket outbound = new Socket(InetAddress.getLoopbackAddress(), targetPort);
            sockets.add(outbound);
            inbound.setTcpNoDelay(true);
            outbound.setTcpNoDelay(true);
            pump(inbound, outbound, "->");
            pump(outbound, inbound, "<-");
        }
        catch (final IOException | InterruptedException ex)
        {
            closeQuietly(inbound);   // the target refused (not up yet): its client retries
            sockets.remove(inbound);
        }
    }

    private void pump(final Socket from, final Socket to, final String direction) throws IOException
    {
        final InputStream in = from.getInputStream();
        final OutputStream out = to.getOutputStream();
        final Thread t = new Thread(() ->
        {
            final byte[] buffer = new byte[CHUNK];
            try
            {
                int n;
                while ((n = in.read(buffer)) >= 0)
                {
                    awaitHealed();
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
            catch (final IOException | InterruptedException ex)
            {
                // one side closed: close both, as a connection ends
            }
            finally
            {
                awaitHealedQuietly();   // a connection closed during a cut is not seen to close until the heal
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "link-" + name + direction);
        t.setDaemon(true);
        t.start();
    }

    private void awaitHealed() throws InterruptedException
    {
        synchronized (gate)
        {
            while (cut && !closed)
            {
                gate.wait();
            }
        }
    }

    private void awaitHealedQuietly()
    {
        try
        {
            awaitHealed();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignored)
        {
            // closing: nothing to do
        }
    }

    @Override
    public void close() throws IOException
    {
        closed = true;
        heal();
        listener.close();
        sockets.forEach(TcpLink::closeQuietly);
    }
}
