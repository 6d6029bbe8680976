package io.agentflow.bus;

/**
 * The broker's acknowledgement of a publish.
 *
 * @param stream    the stream that stored the message.
 * @param sequence  its position in that stream.
 * @param duplicate whether the broker had already stored a message with the same id within its duplicate window,
 *                  in which case {@code sequence} is that of the earlier copy.
 */
public record PublishAck(String stream, long sequence, boolean duplicate)
{
}
