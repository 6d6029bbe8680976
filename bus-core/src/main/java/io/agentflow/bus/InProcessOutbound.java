package io.agentflow.bus;

import io.agentflow.bus.pipeline.PipelineSink;
import io.agentflow.bus.pipeline.PublishEvent;
import io.agentflow.codec.MessageError;

/**
 * The pipeline's edge to the in-process streams: the stream keeps what it stores, so the slot's bytes are copied
 * once, here; stored means done, so completion has nothing to wait for.
 */
final class InProcessOutbound implements PipelineSink
{
    private final InProcessBus bus;
    // the last subject checked and its stream: publishers usually reuse one String per subject (encode thread only)
    private String lastSubject;
    private InProcessStream lastStream;

    InProcessOutbound(final InProcessBus bus)
    {
        this.bus = bus;
    }

    @Override
    public void send(final PublishEvent e)
    {
        try
        {
            final String subject = e.subject();
            if (subject != lastSubject)
            {
                lastStream = bus.streamOfPublishSubject(subject);
                lastSubject = subject;
            }
            // ids the pipeline made are new by construction; one the publisher chose may be a retry, checked
            // against the duplicate window as publish() does (an id String, on that path only)
            e.completed(e.idChosen()
                ? Math.abs(lastStream.appendUnlessDuplicate(subject, e.wireArray(), 0, e.wireLength(), null,
                    e.idString(), true))
                : lastStream.append(subject, e.wireArray(), 0, e.wireLength(), null, true));
        }
        catch (final MessageError ex)
        {
            e.failed(ex);
        }
    }

    @Override
    public boolean completesOnSend()
    {
        return true;
    }

    @Override
    public void complete(final PublishEvent e)
    {
        // stored in send
    }
}
