package io.agentflow.bus.inprocess;

import org.agrona.collections.LongArrayQueue;
import org.agrona.collections.Object2LongHashMap;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The ids a stream stored within its duplicate window and where: JetStream's {@code Nats-Msg-Id} de-duplication, in
 * process. Ids leave in the order they came once older than the window. An Agrona map from id to sequence beside two
 * queues of arrival (ids, times): nothing is allocated per stored id once the queues have grown, where a
 * {@code LinkedHashMap} of {@code long[]} took two objects per message (perf-reports/agrona.md). Not thread-safe:
 * the stream's lock guards it.
 */
public final class StoredIdWindow
{
    private static final long ABSENT = 0;   // sequences start at 1
    private static final long NO_TIME = Long.MIN_VALUE;   // the queue's "empty" value, which it refuses to hold

    private final long windowNanos;
    private final Object2LongHashMap<String> sequences = new Object2LongHashMap<>(ABSENT);
    private final ArrayDeque<String> arrivals = new ArrayDeque<>();
    private final LongArrayQueue arrivalTimes = new LongArrayQueue(NO_TIME);

    public StoredIdWindow(final Duration window)
    {
        this.windowNanos = window.toNanos();
    }

    /** @return the sequence under which {@code id} was stored within the window before {@code now}, else 0. */
    public long earlier(final String id, final long now)
    {
        while (!arrivalTimes.isEmpty() && now - arrivalTimes.peekLong() > windowNanos)
        {
            arrivalTimes.pollLong();
            sequences.removeKey(arrivals.pollFirst());
        }
        return sequences.getValue(id);
    }

    public void stored(final String id, final long sequence, final long now)
    {
        sequences.put(id, sequence);
        arrivals.addLast(id);
        arrivalTimes.addLong(NO_TIME == now ? now + 1 : now);   // 1 ns later: nothing to a window of minutes
    }
}
