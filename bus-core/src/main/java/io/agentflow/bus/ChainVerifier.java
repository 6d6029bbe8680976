package io.agentflow.bus;

import io.agentflow.codec.Message;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks the hash chains of {@link WorkflowChain} over messages in stream order, one chain per workflow and
 * sender: {@code chain_seq} 1, 2, 3... each {@code chain_prev} the hash of the message before. What breaks that
 * is reported precisely ({@link #finish()}):
 * <ul>
 *   <li>{@code gap}: sequence numbers missing between two messages, named with their neighbours (a deleted
 *       message, or one never stored);</li>
 *   <li>{@code reordered}: a message stored after one that follows it;</li>
 *   <li>{@code inserted}: a message claiming a place already taken, or linking to a hash that is not its
 *       predecessor's;</li>
 *   <li>{@code unlinked}: a message without chain fields from a sender whose messages are chained.</li>
 * </ul>
 * The lowest sequence number seen anchors a chain: a replay from a point in time starts mid-chain without a
 * report. Memory: a sequence number, hash and id per chained message replayed.
 */
final class ChainVerifier
{
    private record Link(long seq, String prev, String hash, String id, long streamSequence)
    {
    }

    private final Map<String, TreeMap<Long, Link>> chains = new HashMap<>();
    private final List<ReplayReport.ChainBreak> breaks = new ArrayList<>();

    void accept(final Message m, final long streamSequence)
    {
        if (!(m.metadata().tree() instanceof Map<?, ?> meta) || !(meta.get("workflow_id") instanceof String wf))
        {
            return;
        }
        final String name = wf + "/" + m.from();
        final TreeMap<Long, Link> chain = chains.get(name);
        if (!(meta.get(WorkflowChain.SEQ) instanceof Number seqValue)
            || !(meta.get(WorkflowChain.PREV) instanceof String prev))
        {
            if (null != chain)
            {
                report(streamSequence, m.id(), "unlinked", "chain " + name + ": message without "
                    + WorkflowChain.SEQ + "/" + WorkflowChain.PREV + " from a sender whose messages are chained");
            }
            return;
        }
        final Link link = new Link(seqValue.longValue(), prev, m.envelopeHash(), m.id(), streamSequence);
        final TreeMap<Long, Link> links = null != chain ? chain : new TreeMap<>();
        chains.putIfAbsent(name, links);
        final Link taken = links.get(link.seq());
        if (null != taken)
        {
            report(streamSequence, link.id(), "inserted", "chain " + name + ": seq " + link.seq()
                + " is taken by id " + taken.id() + " (stream seq " + taken.streamSequence() + ")");
            return;
        }
        if (!links.isEmpty() && link.seq() < links.lastKey())
        {
            final Link later = links.lastEntry().getValue();
            report(streamSequence, link.id(), "reordered", "chain " + name + ": seq " + link.seq()
                + " stored after seq " + later.seq() + " (id " + later.id() + ", stream seq " + later.streamSequence()
                + ")");
        }
        links.put(link.seq(), link);
        final Link before = links.get(link.seq() - 1);
        if (null != before && !before.hash().equals(link.prev()))
        {
            report(streamSequence, link.id(), "inserted", "chain " + name + ": seq " + link.seq() + " links to "
                + shortHash(link.prev()) + " but seq " + before.seq() + " (id " + before.id() + ") has hash "
                + shortHash(before.hash()));
        }
        final Link after = links.get(link.seq() + 1);
        if (null != after && !link.hash().equals(after.prev()))
        {
            report(after.streamSequence(), after.id(), "inserted", "chain " + name + ": seq " + after.seq()
                + " links to " + shortHash(after.prev()) + " but seq " + link.seq() + " (id " + link.id()
                + ") has hash " + shortHash(link.hash()));
        }
    }

    /** @return every break found, gaps included, in stream order. */
    List<ReplayReport.ChainBreak> finish()
    {
        chains.forEach((name, links) ->
        {
            Link previous = null;
            for (final Link link : links.values())
            {
                if (null != previous && link.seq() > previous.seq() + 1)
                {
                    final long first = previous.seq() + 1;
                    final long lastMissing = link.seq() - 1;
                    report(link.streamSequence(), link.id(), "gap", "chain " + name + ": seq " + (first == lastMissing
                        ? first : first + ".." + lastMissing) + " missing between id " + previous.id() + " (seq "
                        + previous.seq() + ", stream seq " + previous.streamSequence() + ") and id " + link.id()
                        + " (seq " + link.seq() + ", stream seq " + link.streamSequence() + "): deleted or never stored");
                }
                previous = link;
            }
        });
        breaks.sort(Comparator.comparingLong(ReplayReport.ChainBreak::streamSequence));
        return breaks;
    }

    private void report(final long streamSequence, final String id, final String kind, final String detail)
    {
        breaks.add(new ReplayReport.ChainBreak(streamSequence, id, kind, detail));
    }

    private static String shortHash(final String hash)
    {
        return hash.isEmpty() ? "(none)" : hash.substring(0, Math.min(12, hash.length()));
    }
}
