package io.agentflow.bus.inprocess;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StoredIdWindowTest
{
    private static final long MS = 1_000_000L;

    @Test
    void anIdStoredWithinTheWindowNamesItsSequenceAndLeavesOnceOlder()
    {
        final StoredIdWindow window = new StoredIdWindow(Duration.ofMillis(100));
        window.stored("a", 1, 0);
        window.stored("b", 2, 50 * MS);
        assertEquals(1, window.earlier("a", 100 * MS), "100 ms old: still within");
        assertEquals(2, window.earlier("b", 100 * MS));
        assertEquals(0, window.earlier("c", 100 * MS));
        assertEquals(0, window.earlier("a", 100 * MS + 1), "older than the window");
        assertEquals(2, window.earlier("b", 100 * MS + 1), "the younger one stays");
        window.stored("a", 3, 120 * MS);
        assertEquals(3, window.earlier("a", 150 * MS + 1), "stored again under its new sequence");
        assertEquals(0, window.earlier("b", 150 * MS + 1));
        assertEquals(0, window.earlier("a", 220 * MS + 1));
    }
}
