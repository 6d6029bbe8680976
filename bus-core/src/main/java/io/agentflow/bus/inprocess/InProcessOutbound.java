package io.agentflow.bus.inprocess;

import io.agentflow.bus.observe.BusMetrics;
import io.agentflow.bus.pipeline.PipelineSink;
import io.agentflow.bus.pipeline.PublishEvent;
import io.agentflow.codec.error.MessageError;

/**
 * The pipeline's edge to the in-process streams: the stream keeps what it stores, so the slot's bytes are copied
 * once, here, on the publisher's thread; stored means done, so every send decides its outcome at once.
 */
final class InProcessOutbound implements PipelineSink
{
    private final InProcessBus bus;
    // per ring slot, the subject checked last and its stream: publishers usually reuse one String per subject. A
    // slot is used by one publisher at a time, and the pipeline's gate orders one use before the next
    private int mask;
    private String[] subjects;
    private InProcessStream[] streams;

    InProcessOutbound(final InProcessBus bus)
    {
        this.bus = bus;
    }

    @Override
    public void attach(final int ringSize, final Completion completion)
    {
        mask = ringSize - 1;
        subjects = new String[ringSize];
        streams = new InProcessStream[ringSize];
    }

    @Override
    public boolean send(final PublishEvent e)
    {
        try
        {
            final String subject = e.subject();
            final int slot = (int)(e.ringSequence() & mask);
            if (subject != subjects[slot])
            {
                streams[slot] = bus.streamOfPublishSubject(subject);
                subjects[slot] = subject;
            }
            final InProcessStream stream = streams[slot];
            // ids the pipeline made are new by construction; one the publisher chose may be a retry, checked
            // against the duplicate window as publish() does (an id String, on that path only)
            final long sequence = bus.indexed(stream, subject, e.wireArray(), 0, e.wireLength(), e.idChosen()
                ? stream.appendUnlessDuplicate(subject, e.wireArray(), 0, e.wireLength(), null, e.idString(), true)
                : stream.append(subject, e.wireArray(), 0, e.wireLength(), null, true));
            e.completed(stream.name(), Math.abs(sequence), sequence < 0);
            BusMetrics.shared().published(e.type());
        }
        catch (final MessageError ex)
        {
            BusMetrics.shared().publishFailed(e.type(), ex.code());
            e.failed(ex);
        }
        return true;
    }
}
