package io.agentflow.jmh;

import io.agentflow.bus.inprocess.StoredIdWindow;
import io.agentflow.bus.runtime.RecentUlids;
import io.agentflow.codec.UlidGenerator;
import org.agrona.collections.ObjectHashSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The duplicate-id windows against what Agrona or the JDK would give instead (issue 19), in steady state: a window
 * of the default 100,000 ids, full, fed a cycle of 2^18 distinct ULIDs, so every operation is a miss, an insert and
 * an eviction. Per operation:
 * <ul>
 *   <li>{@code ulidWindow}: {@link RecentUlids} (ours: 128-bit ids in two longs, open addressing) against
 *   {@code ulidWindowAgronaStrings}, Agrona's {@link ObjectHashSet} of the ids as Strings, which needs a String per
 *   id (Agrona has no 128-bit set);</li>
 *   <li>{@code idWindow}: the {@code Message} path's window, asked and fed the id String (now {@link RecentUlids}
 *   too) against {@code idWindowLinkedHashMap}, the {@code LinkedHashMap} it was, and {@code idWindowAgronaSet},
 *   Agrona's set of Strings beside a queue;</li>
 *   <li>{@code storedWindow}: {@link StoredIdWindow} (now Agrona's object-to-long map and two queues) against
 *   {@code storedWindowLinkedHashMap}, the {@code LinkedHashMap} of {@code long[]} it was; a clock moving 1 us per
 *   message and a 100 ms window hold 100,000 ids.</li>
 * </ul>
 * Run with {@code -prof gc}: the allocation per operation is the point as much as the time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class DedupWindowBenchmark
{
    private static final int WINDOW = 100_000;
    private static final int IDS = 1 << 18;

    private final byte[][] idBytes = new byte[IDS][];
    private final String[] idStrings = new String[IDS];
    private RecentUlids ulids;
    private ObjectHashSet<String> agronaIds;
    private ArrayDeque<String> agronaIdOrder;
    private RecentUlids ids;
    private Map<String, Boolean> linkedIds;
    private StoredIdWindow stored;
    private LinkedHashMap<String, long[]> linkedStored;
    private int next;
    private long now;

    @Setup
    public void setUp()
    {
        final UlidGenerator generator = new UlidGenerator();
        for (int i = 0; i < IDS; i++)
        {
            idStrings[i] = generator.next();
            idBytes[i] = idStrings[i].getBytes(StandardCharsets.US_ASCII);
        }
        ulids = new RecentUlids(WINDOW);
        agronaIds = new ObjectHashSet<>(1 << 16);
        agronaIdOrder = new ArrayDeque<>(1 << 16);
        ids = new RecentUlids(WINDOW);
        linkedIds = new LinkedHashMap<>(1 << 16, 0.75f, false)
        {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(final Map.Entry<String, Boolean> eldest)
            {
                return size() > WINDOW;
            }
        };
        stored = new StoredIdWindow(Duration.ofMillis(100));
        linkedStored = new LinkedHashMap<>();
        for (int i = 0; i < 2 * IDS; i++)   // fill every window and let each forget once
        {
            ulidWindow();
            ulidWindowAgronaStrings();
            idWindow();
            idWindowLinkedHashMap();
            idWindowAgronaSet();
            storedWindow();
            storedWindowLinkedHashMap();
        }
    }

    @Benchmark
    public boolean ulidWindow()
    {
        return ulids.addIfAbsent(idBytes[next++ & (IDS - 1)], 0);
    }

    @Benchmark
    public boolean ulidWindowAgronaStrings()
    {
        return agronaAdd(new String(idBytes[next++ & (IDS - 1)], 0, UlidGenerator.LENGTH, StandardCharsets.ISO_8859_1));
    }

    @Benchmark
    public boolean idWindow()
    {
        final String id = idStrings[next++ & (IDS - 1)];
        if (ids.contains(id))
        {
            return false;
        }
        ids.add(id);
        return true;
    }

    @Benchmark
    public boolean idWindowLinkedHashMap()
    {
        final String id = idStrings[next++ & (IDS - 1)];
        synchronized (this)   // as RecentIds was, twice: contains, then add
        {
            if (linkedIds.containsKey(id))
            {
                return false;
            }
        }
        synchronized (this)
        {
            linkedIds.put(id, Boolean.TRUE);
        }
        return true;
    }

    @Benchmark
    public boolean idWindowAgronaSet()
    {
        return agronaAdd(idStrings[next++ & (IDS - 1)]);
    }

    @Benchmark
    public long storedWindow()
    {
        final String id = idStrings[next++ & (IDS - 1)];
        now += 1_000;
        final long earlier = stored.earlier(id, now);
        if (0 == earlier)
        {
            stored.stored(id, next, now);
        }
        return earlier;
    }

    @Benchmark
    public long storedWindowLinkedHashMap()
    {
        final String id = idStrings[next++ & (IDS - 1)];
        now += 1_000;
        final long windowNanos = 100_000_000L;
        final Iterator<long[]> oldest = linkedStored.values().iterator();
        while (oldest.hasNext() && now - oldest.next()[1] > windowNanos)
        {
            oldest.remove();
        }
        final long[] earlier = linkedStored.get(id);
        if (null == earlier)
        {
            linkedStored.put(id, new long[]{next, now});
            return 0;
        }
        return earlier[0];
    }

    private boolean agronaAdd(final String id)
    {
        synchronized (this)   // as the windows are: handler shards share them
        {
            if (!agronaIds.add(id))
            {
                return false;
            }
            agronaIdOrder.addLast(id);
            if (agronaIdOrder.size() > WINDOW)
            {
                agronaIds.remove(agronaIdOrder.pollFirst());
            }
            return true;
        }
    }
}
