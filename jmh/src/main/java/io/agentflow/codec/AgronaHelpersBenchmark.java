package io.agentflow.codec;

import io.agentflow.codec.json.GrowableBytes;
import io.agentflow.codec.json.JcsNumbers;
import org.agrona.AsciiSequenceView;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The codec's two hand-written helpers that Agrona covers, each against Agrona's in one invocation (issue 19). It
 * sits in the codec's package to reach {@link AsciiSequence}, which is internal.
 * <ul>
 *   <li>ASCII views: the receive path's in-place member checks ({@code CanonicalMembers}: a ULID, a type word, a
 *   64-hex hash, a trace and span id) through {@link AsciiSequence} against Agrona's {@link AsciiSequenceView} over
 *   an {@link UnsafeBuffer};</li>
 *   <li>growable buffers: the canonical writer's pattern for one envelope of about 1.4 KB (punctuation byte by byte,
 *   names and strings as arrays, numbers written straight into the array after a reserve), into
 *   {@link GrowableBytes} against Agrona's {@link ExpandableArrayBuffer} with the position and the size limit kept
 *   by the caller, as the writer would have to.</li>
 * </ul>
 * Agrona 2's buffers need {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} (without it they fail with
 * an {@code IllegalAccessError}), so the fork gets that flag.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class AgronaHelpersBenchmark
{
    private static final int LIMIT = 1 << 20;
    private static final byte[][] NAMES = {"\"cost\":".getBytes(StandardCharsets.US_ASCII),
        "\"envelope_hash\":".getBytes(StandardCharsets.US_ASCII), "\"from\":".getBytes(StandardCharsets.US_ASCII),
        "\"id\":".getBytes(StandardCharsets.US_ASCII), "\"payload_member_name\":".getBytes(StandardCharsets.US_ASCII)};
    private static final MessageType[] TYPES = MessageType.values();
    private static final byte[] VALUE = "\"a string value of an agent's payload\"".getBytes(StandardCharsets.US_ASCII);

    private byte[] members;
    private int idStart;
    private int typeStart;
    private int hashStart;
    private int traceStart;
    private int spanStart;
    private final AsciiSequence ours = new AsciiSequence();
    private final AsciiSequence oursSpan = new AsciiSequence();
    private final UnsafeBuffer wrapped = new UnsafeBuffer(new byte[0]);
    private final AsciiSequenceView agrona = new AsciiSequenceView();
    private final AsciiSequenceView agronaSpan = new AsciiSequenceView();
    private final GrowableBytes growable = new GrowableBytes(4096, LIMIT);
    private final ExpandableArrayBuffer expandable = new ExpandableArrayBuffer(4096);
    private final double[] numbers = {0.0042, 1234, 17.5, 3.25e-7, 99};

    @Setup
    public void setUp()
    {
        final String id = new UlidGenerator().next();
        final String text = "{\"id\":\"" + id + "\",\"type\":\"event\",\"envelope_hash\":\"" + "ab12".repeat(16)
            + "\",\"trace_id\":\"" + "4bf92f3577b34da6a3ce929d0e0e4736" + "\",\"span_id\":\"00f067aa0ba902b7\"}";
        members = text.getBytes(StandardCharsets.US_ASCII);
        idStart = text.indexOf(id);
        typeStart = text.indexOf("event");
        hashStart = text.indexOf("ab12");
        traceStart = text.indexOf("4bf9");
        spanStart = text.indexOf("00f0");
        if (!asciiViewOurs() || !asciiViewAgrona() || growableBytesOurs() != expandableArrayBufferAgrona())
        {
            throw new IllegalStateException("the two sides must do the same work");
        }
    }

    @Benchmark
    public boolean asciiViewOurs()
    {
        final byte[] b = members;
        return UlidGenerator.isValid(ours.wrap(b, idStart, 26))
            && isType(ours.wrap(b, typeStart, 5))
            && Hex.isLowerHex(ours.wrap(b, hashStart, 64), 64)
            && ContractRules.isTrace(ours.wrap(b, traceStart, 32), oursSpan.wrap(b, spanStart, 16));
    }

    @Benchmark
    public boolean asciiViewAgrona()
    {
        final byte[] b = members;
        if (wrapped.byteArray() != b)
        {
            wrapped.wrap(b);
        }
        return UlidGenerator.isValid(agrona.wrap(wrapped, idStart, 26))
            && isType(agrona.wrap(wrapped, typeStart, 5))
            && Hex.isLowerHex(agrona.wrap(wrapped, hashStart, 64), 64)
            && ContractRules.isTrace(agrona.wrap(wrapped, traceStart, 32), agronaSpan.wrap(wrapped, spanStart, 16));
    }

    @Benchmark
    public int growableBytesOurs()
    {
        final GrowableBytes out = growable.reset();
        out.put((byte)'{');
        for (int i = 0; i < 30; i++)
        {
            out.put(NAMES[i % NAMES.length]);
            if (i % 6 == 5)
            {
                final int at = out.reserve(JcsNumbers.MAX_CHARS);
                out.advanceTo(JcsNumbers.write(numbers[i % numbers.length], out.array(), at));
            }
            else
            {
                out.put(VALUE);
            }
            out.put((byte)',');
        }
        out.put((byte)'}');
        return out.length();
    }

    @Benchmark
    public int expandableArrayBufferAgrona()
    {
        final ExpandableArrayBuffer out = expandable;
        int at = 0;
        out.putByte(at++, (byte)'{');
        for (int i = 0; i < 30; i++)
        {
            final byte[] name = NAMES[i % NAMES.length];
            at = put(out, at, name);
            if (i % 6 == 5)
            {
                checkLimit(at + JcsNumbers.MAX_CHARS);
                out.checkLimit(at + JcsNumbers.MAX_CHARS);
                at = JcsNumbers.write(numbers[i % numbers.length], out.byteArray(), at);
            }
            else
            {
                at = put(out, at, VALUE);
            }
            checkLimit(at + 1);
            out.putByte(at++, (byte)',');
        }
        checkLimit(at + 1);
        out.putByte(at++, (byte)'}');
        return at;
    }

    private static int put(final ExpandableArrayBuffer out, final int at, final byte[] src)
    {
        checkLimit(at + src.length);
        out.putBytes(at, src);
        return at + src.length;
    }

    private static void checkLimit(final int required)   // what GrowableBytes' limit does for hostile input
    {
        if (required > LIMIT)
        {
            throw new IllegalStateException("canonical form too large");
        }
    }

    private static boolean isType(final CharSequence word)
    {
        for (final MessageType t : TYPES)
        {
            if (t.wireName().contentEquals(word))
            {
                return true;
            }
        }
        return false;
    }
}
