package io.agentflow.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loopback ports for test servers and links, each handed out once per JVM. The kernel's "any free port" may give
 * the same port twice in a row while nothing listens on it yet: a node once got one number for its client and its
 * monitoring port, and never started (PartitionTest, session 15). So a port handed out before is asked again.
 */
public final class LoopbackPorts
{
    private static final int TRIES = 1_000;
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private LoopbackPorts()
    {
    }

    /** @return a port nothing listens on right now, not handed out before: for a server that binds it later. */
    public static int free() throws IOException
    {
        try (ServerSocket socket = listen(1))
        {
            return socket.getLocalPort();
        }
    }

    /** @return a socket listening on a port not handed out before. */
    public static ServerSocket listen(final int backlog) throws IOException
    {
        for (int i = 0; i < TRIES; i++)
        {
            final ServerSocket socket = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
            if (HANDED_OUT.add(socket.getLocalPort()))
            {
                return socket;
            }
            socket.close();
        }
        throw new IOException("no loopback port that was not handed out before in " + TRIES + " tries");
    }
}
