package io.agentflow.bus.inprocess;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * The ids a stream stored within its duplicate window and where: JetStream's {@code Nats-Msg-Id} de-duplication, in
 * process. Ids leave in the order they came once older than the window. Not thread-safe: the stream's lock guards it.
 */
final class StoredIdWindow
{
    private final long windowNanos;
    private final LinkedHashMap<String, long[]> stored = new LinkedHashMap<>();   // id -> {sequence, storedAtNanos}

    StoredIdWindow(final Duration window)
    {
        this.windowNanos = window.toNanos();
    }

    /** @return the sequence under which {@code id} was stored within the window before {@code now}, else 0. */
    long earlier(final String id, final long now)
    {
        final Iterator<long[]> oldest = stored.values().iterator();
        while (oldest.hasNext() && now - oldest.next()[1] > windowNanos)
        {
            oldest.remove();
        }
        final long[] earlier = stored.get(id);
        return null == earlier ? 0 : earlier[0];
    }

    void stored(final String id, final long sequence, final long now)
    {
        stored.put(id, new long[]{sequence, now});
    }
}
