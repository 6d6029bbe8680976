package io.agentflow.bus.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids of the last {@code capacity} messages a subscription handled, oldest forgotten first: a second
 * delivery of a handled message within that window is acknowledged without calling the handler again. Only
 * successful handling is remembered, so a redelivery after a handler failure still runs. Thread-safe.
 */
public final class RecentIds
{
    private final int capacity;
    private final Map<String, Boolean> ids;

    RecentIds(final int capacity)
    {
        this.capacity = capacity;
        this.ids = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false)
        {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(final Map.Entry<String, Boolean> eldest)
            {
                return size() > RecentIds.this.capacity;
            }
        };
    }

    public synchronized boolean contains(final String id)
    {
        return capacity > 0 && ids.containsKey(id);
    }

    public synchronized void add(final String id)
    {
        if (capacity > 0)
        {
            ids.put(id, Boolean.TRUE);
        }
    }
}
