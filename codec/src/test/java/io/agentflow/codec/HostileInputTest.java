package io.agentflow.codec;

import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.CanonicalScanner;
import io.agentflow.codec.json.JsonReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random and mutated byte strings through the reader, the scanner, the fast hash check and the decoder: only
 * {@link MessageError} may come out, never another exception or a hang, and a mutation of a real message that still
 * decodes must decode to that same message (tamper evidence).
 */
class HostileInputTest
{
    private static final int INPUTS = 120_000;
    private static final byte[] ALPHABET = "{}[]\":,\\ 0123456789.eE+-truefalsnul\u00e9\t\n".getBytes(
        StandardCharsets.UTF_8);

    @Test
    @Timeout(120)
    void shouldRaiseOnlyMessageErrorsAndNeverAcceptAForgery()
    {
        final SplittableRandom random = new SplittableRandom(0xA6E47F10L);
        final Message original = TestMessages.realistic();
        final byte[] wire = new EnvelopeEncoder().encodeToBytes(original);
        final EnvelopeDecoder decoder = new EnvelopeDecoder();
        final JsonReader reader = new JsonReader();
        final CanonicalScanner scanner = new CanonicalScanner();
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < INPUTS; i++)
        {
            final byte[] input = input(random, wire, i);
            try
            {
                scanner.scanObject(input, 0, input.length);
                decoder.checkHash(input, 0, input.length);
                try
                {
                    reader.read(input);
                }
                catch (final MessageError expected)
                {
                    assertTrue(expected.getMessage().length() > 0);
                }
                final Message m = decoder.decode(input);
                assertEquals(original, m, () -> "a changed message was accepted: " + new String(input,
                    StandardCharsets.UTF_8));
                decoded++;
            }
            catch (final MessageError e)
            {
                rejected++;
            }
            catch (final RuntimeException | StackOverflowError | OutOfMemoryError e)
            {
                fail("input #" + i + " escaped as " + e + ": " + Arrays.toString(Arrays.copyOf(input, 200)), e);
            }
        }
        assertEquals(INPUTS, decoded + rejected);
        assertTrue(rejected > INPUTS / 2, "most inputs are broken; rejected=" + rejected);
    }

    private static byte[] input(final SplittableRandom random, final byte[] wire, final int i)
    {
        switch (i % 6)
        {
            case 0:
            {
                final byte[] b = new byte[random.nextInt(0, 300)];
                random.nextBytes(b);
                return b;
            }
            case 1:
            {
                final byte[] b = new byte[random.nextInt(1, 300)];
                for (int j = 0; j < b.length; j++)
                {
                    b[j] = ALPHABET[random.nextInt(ALPHABET.length)];
                }
                return b;
            }
            case 2:
            {
                final byte[] b = wire.clone();
                for (int flips = random.nextInt(1, 4); flips > 0; flips--)
                {
                    b[random.nextInt(b.length)] = (byte)random.nextInt(256);
                }
                return b;
            }
            case 3:
            {
                final int cut = random.nextInt(wire.length);
                final int len = random.nextInt(1, 20);
                final byte[] b = new byte[wire.length + len];
                System.arraycopy(wire, 0, b, 0, cut);
                for (int j = 0; j < len; j++)
                {
                    b[cut + j] = ALPHABET[random.nextInt(ALPHABET.length)];
                }
                System.arraycopy(wire, cut, b, cut + len, wire.length - cut);
                return b;
            }
            case 4:
            {
                final int from = random.nextInt(wire.length);
                final int to = Math.min(wire.length, from + random.nextInt(1, 40));
                final byte[] b = new byte[wire.length - (to - from)];
                System.arraycopy(wire, 0, b, 0, from);
                System.arraycopy(wire, to, b, from, wire.length - to);
                return b;
            }
            default:
            {
                final int depth = random.nextInt(1, 3000);
                final String open = random.nextBoolean() ? "[" : "{\"a\":";
                final String num = random.nextBoolean() ? "1" + "0".repeat(random.nextInt(400)) : "-0.e" + depth;
                return (open.repeat(depth) + num).getBytes(StandardCharsets.UTF_8);
            }
        }
    }
}
