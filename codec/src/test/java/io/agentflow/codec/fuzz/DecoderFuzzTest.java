package io.agentflow.codec.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.MessageError;

/**
 * Coverage-guided fuzzing of the receive path: the strict reader, the canonical scanner, the hash check and the
 * contract checks, on arbitrary bytes. Only a {@link MessageError} may come out; anything else (another
 * exception, a hang past Jazzer's time-out, an out-of-memory) is a finding and fails the build.
 */
class DecoderFuzzTest
{
    private final EnvelopeDecoder decoder = new EnvelopeDecoder();

    @FuzzTest(maxExecutions = 1_000_000)
    void decode(final byte[] input)
    {
        try
        {
            decoder.decode(input);
        }
        catch (final MessageError expected)
        {
            // refused with a named code: what hostile input should get
        }
        try
        {
            decoder.checkHash(input, 0, input.length);
        }
        catch (final MessageError expected)
        {
            // as above
        }
    }
}
