package io.agentflow.testsupport;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a power loss would leave of a process's files, read from an {@code strace -f -y -s 0} log of its writes and
 * syncs: for each file, the bytes written before the last {@code fsync}/{@code fdatasync} of it that completed.
 * Anything written later sat in the page cache, which a power loss (unlike a killed process) takes with it. The
 * model fits append-only files, which a message store's blocks are; it is applied by truncating each block to its
 * synced extent ({@link #applyPowerLoss}).
 */
public final class SyncTrace
{
    // 1234  pwrite64(9</store/msgs/1.blk>, ""..., 612, 4096) = 612    (or "<unfinished ...>", "<... resumed>")
    private static final Pattern CALL = Pattern.compile("^(\\w+)\\((\\d+)<([^>]*)>(.*)$");
    private static final Pattern RESUMED = Pattern.compile("^<\\.\\.\\. (\\w+) resumed>.*\\)\\s+=\\s+(-?\\d+).*$");
    private static final Pattern RESULT = Pattern.compile("^(.*)\\)\\s+=\\s+(-?\\d+).*$");
    private static final Pattern NUMBERS = Pattern.compile("(\\d+)");

    private final Map<String, Long> written = new HashMap<>();    // extent written so far
    private final Map<String, Long> position = new HashMap<>();   // for write(2), which writes at the file offset
    private final Map<String, Long> synced = new HashMap<>();     // extent covered by a completed sync
    private final Map<String, Integer> syncs = new HashMap<>();
    private final Map<String, Integer> writes = new HashMap<>();
    private final Map<String, Pending> pending = new HashMap<>();

    /** A call whose entry strace printed apart from its exit, because another thread's call came between. */
    private record Pending(String call, String path, String args, long syncedAtEntry)
    {
    }

    public static SyncTrace read(final Path log) throws IOException
    {
        final SyncTrace trace = new SyncTrace();
        try (Stream<String> lines = Files.lines(log))
        {
            lines.forEach(trace::line);
        }
        return trace;
    }

    private void line(final String raw)
    {
        final int space = raw.indexOf(' ');
        if (space < 0)
        {
            return;
        }
        final String pid = raw.substring(0, space);
        final String rest = raw.substring(space).trim();
        final Matcher resumed = RESUMED.matcher(rest);
        if (resumed.matches())
        {
            final Pending p = pending.remove(pid);
            if (null != p)
            {
                completed(p.call(), p.path(), p.args(), Long.parseLong(resumed.group(2)), p.syncedAtEntry());
            }
            return;
        }
        final Matcher call = CALL.matcher(rest);
        if (!call.matches())
        {
            return;   // "+++ killed by SIGKILL +++", signals
        }
        final String name = call.group(1);
        final String path = call.group(3);
        final String args = call.group(4);
        final long extentAtEntry = written.getOrDefault(path, 0L);
        if (args.endsWith("<unfinished ...>"))
        {
            pending.put(pid, new Pending(name, path, args, extentAtEntry));
            return;
        }
        final Matcher result = RESULT.matcher(args);
        if (result.matches())
        {
            completed(name, path, result.group(1), Long.parseLong(result.group(2)), extentAtEntry);
        }
    }

    private void completed(final String call, final String path, final String args, final long result,
        final long extentAtEntry)
    {
        switch (call)
        {
            case "fsync", "fdatasync" ->
            {
                if (0 == result)   // covers what was written before it began
                {
                    synced.merge(path, extentAtEntry, Math::max);
                    syncs.merge(path, 1, Integer::sum);
                }
            }
            case "pwrite64", "pwritev" ->
            {
                if (result > 0)
                {
                    final List<Long> numbers = numbers(args);
                    final long offset = numbers.get(numbers.size() - 1);
                    written.merge(path, offset + result, Math::max);
                    writes.merge(path, 1, Integer::sum);
                }
            }
            case "write", "writev" ->
            {
                if (result > 0)
                {
                    final long end = position.merge(path, result, Long::sum);
                    written.merge(path, end, Math::max);
                    writes.merge(path, 1, Integer::sum);
                }
            }
            default ->
            {
                // not a write or a sync
            }
        }
    }

    private static List<Long> numbers(final String args)
    {
        final List<Long> numbers = new ArrayList<>();
        final Matcher m = NUMBERS.matcher(args.replace("<unfinished ...>", ""));
        while (m.find())
        {
            numbers.add(Long.parseLong(m.group(1)));
        }
        return numbers;
    }

    /** @return completed syncs of files under {@code dir}. */
    public int syncsUnder(final Path dir)
    {
        return countUnder(syncs, dir);
    }

    /** @return completed writes to files under {@code dir}. */
    public int writesUnder(final Path dir)
    {
        return countUnder(writes, dir);
    }

    private static int countUnder(final Map<String, Integer> perFile, final Path dir)
    {
        return perFile.entrySet().stream().filter(e -> Path.of(e.getKey()).startsWith(dir))
            .mapToInt(Map.Entry::getValue).sum();
    }

    /**
     * Leaves {@code msgs} (a stopped stream's message directory) as a power loss would: each block cut to what a
     * completed sync covered, and the files derived from the blocks (indexes, per-subject state), whose last contents
     * the model cannot know, removed, so the server rebuilds them from the blocks.
     *
     * @return what was done, for the record.
     */
    public String applyPowerLoss(final Path msgs) throws IOException
    {
        final List<String> done = new ArrayList<>();
        try (Stream<Path> files = Files.list(msgs))
        {
            for (final Path file : files.sorted().collect(Collectors.toList()))
            {
                final String name = file.getFileName().toString();
                if (name.endsWith(".blk"))
                {
                    final long size = Files.size(file);
                    final long kept = Math.min(size, synced.getOrDefault(file.toString(), 0L));
                    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"))
                    {
                        f.setLength(kept);
                    }
                    done.add(name + " " + size + " -> " + kept + " bytes");
                }
                else
                {
                    Files.delete(file);
                    done.add(name + " removed");
                }
            }
        }
        return String.join(", ", done);
    }
}
