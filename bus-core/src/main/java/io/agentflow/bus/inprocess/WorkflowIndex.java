package io.agentflow.bus.inprocess;

import io.agentflow.bus.runtime.WorkflowIds;
import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.json.JsonLimits;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The in-process workflow index: for each workflow, the stream sequences of its messages (on its own subjects, and on
 * agent subjects by {@code metadata.workflow_id}), recorded as each is stored, so a replay reads exactly those
 * messages instead of scanning the stream. A publish that has
 * completed is indexed (it is recorded before the publish returns). Sequences are kept as they arrive and sorted
 * when read, since publishers on several threads record theirs in any order. Workflows whose messages retention has
 * all removed are dropped every {@value #SWEEP_EVERY} records. Thread-safe (one monitor).
 */
final class WorkflowIndex
{
    private static final int SWEEP_EVERY = 1 << 16;
    private static final String WORKFLOWS = "workflows.";

    /** A growable list of sequences. */
    private static final class Sequences
    {
        long[] values = new long[8];
        int size;
    }

    private final Map<String, Sequences> byWorkflow = new HashMap<>();
    private final JsonLimits limits;
    private long recorded;

    WorkflowIndex(final JsonLimits limits)
    {
        this.limits = limits;
    }

    /**
     * Records {@code sequence} under its workflow: the one a workflow subject names, or on an agent subject the one
     * the envelope at {@code wire[offset, offset + length)} names in its metadata.
     */
    void record(final String subject, final byte[] wire, final int offset, final int length, final long sequence,
        final long firstRetained)
    {
        final String workflow = subject.startsWith(WORKFLOWS)
            ? subject.substring(WORKFLOWS.length(), subject.indexOf('.', WORKFLOWS.length()))
            : Subjects.isAgentSubject(subject) ? WorkflowIds.of(wire, offset, length, limits) : null;
        if (null == workflow)
        {
            return;
        }
        synchronized (byWorkflow)
        {
            final Sequences s = byWorkflow.computeIfAbsent(workflow, w -> new Sequences());
            if (s.size == s.values.length)
            {
                s.values = Arrays.copyOf(s.values, 2 * s.size);
            }
            s.values[s.size++] = sequence;
            if (++recorded % SWEEP_EVERY == 0)
            {
                sweep(firstRetained);
            }
        }
    }

    /** Forgets what retention removed: sequences below {@code firstRetained}, and workflows left with none. */
    private void sweep(final long firstRetained)
    {
        byWorkflow.values().removeIf(w ->
        {
            int kept = 0;
            for (int i = 0; i < w.size; i++)
            {
                if (w.values[i] >= firstRetained)
                {
                    w.values[kept++] = w.values[i];
                }
            }
            w.size = kept;
            return 0 == kept;
        });
    }

    /** @return the sequences recorded for {@code workflow}, ascending, without repeats. */
    long[] sequences(final String workflow)
    {
        synchronized (byWorkflow)
        {
            final Sequences s = byWorkflow.get(workflow);
            return null == s ? new long[0] : Arrays.stream(s.values, 0, s.size).sorted().distinct().toArray();
        }
    }
}
