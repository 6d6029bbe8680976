package io.agentflow.codec.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.EnvelopeEncoder;
import io.agentflow.codec.error.MessageError;

import java.util.Arrays;

/**
 * Coverage-guided fuzzing of the receive path: the strict reader, the canonical scanner, the hash check and the
 * contract checks, on arbitrary bytes; whatever the in-place check accepts, decode must accept and re-encode to the
 * same bytes. Only a {@link MessageError} may come out; anything else (another
 * exception, a hang past Jazzer's time-out, an out-of-memory) is a finding and fails the build.
 */
class DecoderFuzzTest
{
    private final EnvelopeDecoder decoder = new EnvelopeDecoder();
    private final EnvelopeEncoder encoder = new EnvelopeEncoder();

    @FuzzTest(maxExecutions = 1_000_000)
    void decode(final byte[] input)
    {
        final boolean inPlace = decoder.verifyInPlace(input, 0, input.length);
        try
        {
            final byte[] again = encoder.wireBytes(decoder.decode(input));
            if (inPlace && !Arrays.equals(input, again))
            {
                throw new IllegalStateException("verified in place but not canonical");
            }
        }
        catch (final MessageError expected)
        {
            // refused with a named code: what hostile input should get; never what the in-place check accepted
            if (inPlace)
            {
                throw new IllegalStateException("verified in place, refused by decode: " + expected.getMessage());
            }
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
