package io.agentflow.testsupport;

import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopbackPortsTest
{
    @Test
    void shouldNeverHandOutAPortTwice() throws Exception
    {
        // the kernel picks "any free port" at random from ~28,000: asked 2,000 times it repeats a few hundred
        // (272 in one try), and once gave a node the same client and monitoring port
        final Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 1_000; i++)
        {
            final int port = LoopbackPorts.free();
            assertTrue(seen.add(port), "port " + port + " handed out again after " + i + " others");
            try (ServerSocket socket = LoopbackPorts.listen(1))
            {
                assertTrue(seen.add(socket.getLocalPort()), "listening port " + socket.getLocalPort()
                    + " handed out before");
            }
        }
    }
}
