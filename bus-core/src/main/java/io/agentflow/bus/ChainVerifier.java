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

    /** Per chain, the messages claiming each sequence number (more than one: all but one were inserted). */
    private final Map<String, TreeMap<Long, List<Link>>> chains = new HashMap<>();
    private final List<ReplayReport.ChainBreak> breaks = new ArrayList<>();

    void accept(final Message m, final long streamSequence)
    {
        if (!(m.metadata().tree() instanceof Map<?, ?> meta) || !(meta.get("workflow_id") instanceof String wf))
        {
            return;
        }
        final String name = wf + "/" + m.from();
        final TreeMap<Long, List<Link>> chain = chains.get(name);
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
        final TreeMap<Long, List<Link>> links = null != chain ? chain : new TreeMap<>();
        chains.putIfAbsent(name, links);
        if (!links.isEmpty() && link.seq() < links.lastKey() && !links.containsKey(link.seq()))
        {
            final Link later = links.lastEntry().getValue().get(0);
            report(streamSequence, link.id(), "reordered", "chain " + name + ": seq " + link.seq()
                + " stored after seq " + later.seq() + " (id " + later.id() + ", stream seq " + later.streamSequence()
                + ")");
        }
        links.computeIfAbsent(link.seq(), k -> new ArrayList<>(1)).add(link);
    }

    /** @return every break found, in stream order: reorderings as they came, then insertions and gaps. */
    List<ReplayReport.ChainBreak> finish()
    {
        chains.forEach((name, links) ->
        {
            Link previous = null;
            for (final Map.Entry<Long, List<Link>> entry : links.entrySet())
            {
                final Link genuine = genuine(entry.getValue(), previous, links.get(entry.getKey() + 1));
                for (final Link other : entry.getValue())
                {
                    if (other != genuine)
                    {
                        report(other.streamSequence(), other.id(), "inserted", "chain " + name + ": seq "
                            + other.seq() + " is claimed by id " + other.id() + " (stream seq " + other.streamSequence()
                            + ") as well as by id " + genuine.id() + " (stream seq " + genuine.streamSequence()
                            + "), which the chain continues from");
                    }
                }
                if (null != previous && genuine.seq() > previous.seq() + 1)
                {
                    final long first = previous.seq() + 1;
                    final long last = genuine.seq() - 1;
                    report(genuine.streamSequence(), genuine.id(), "gap", "chain " + name + ": seq "
                        + (first == last ? first : first + ".." + last) + " missing between id " + previous.id()
                        + " (seq " + previous.seq() + ", stream seq " + previous.streamSequence() + ") and id "
                        + genuine.id() + " (seq " + genuine.seq() + ", stream seq " + genuine.streamSequence()
                        + "): deleted or never stored");
                }
                else if (null != previous && !previous.hash().equals(genuine.prev()))
                {
                    report(genuine.streamSequence(), genuine.id(), "inserted", "chain " + name + ": seq "
                        + genuine.seq() + " (id " + genuine.id() + ") links to " + shortHash(genuine.prev())
                        + " but seq " + previous.seq() + " (id " + previous.id() + ") has hash "
                        + shortHash(previous.hash()));
                }
                previous = genuine;
            }
        });
        breaks.sort(Comparator.comparingLong(ReplayReport.ChainBreak::streamSequence));
        return breaks;
    }

    /**
     * @return of the messages claiming one place, the one the chain continues from (its successor links to it),
     * else the one that links to its predecessor, else the first stored.
     */
    private static Link genuine(final List<Link> claimants, final Link previous, final List<Link> successors)
    {
        if (1 == claimants.size())
        {
            return claimants.get(0);
        }
        if (null != successors)
        {
            for (final Link c : claimants)
            {
                if (successors.stream().anyMatch(s -> s.prev().equals(c.hash())))
                {
                    return c;
                }
            }
        }
        if (null != previous)
        {
            for (final Link c : claimants)
            {
                if (c.prev().equals(previous.hash()))
                {
                    return c;
                }
            }
        }
        return claimants.get(0);
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
