package io.agentflow.jmh;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.agentflow.codec.EnvelopeDecoder;
import io.agentflow.codec.EnvelopeEncoder;
import io.agentflow.codec.HashCheck;
import io.agentflow.codec.Message;
import io.agentflow.codec.json.GrowableBytes;
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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Encode, hash, verify and decode of a realistic ~1 KiB message, with the baselines in the same class and run:
 * raw SHA-256 over the same canonical bytes, and Jackson with sorted keys plus SHA-256. Gates compare ratios, never
 * absolute times. Run with {@code -prof gc} to see {@code gc.alloc.rate.norm}.
 *
 * <pre>
 *   ours                      baseline
 *   encodeAndHash        vs   jacksonSortedEncodeAndHash, jacksonSortedEncode
 *   verifyFast           vs   rawSha256
 *   decode (full receive) vs  jacksonParseReencodeAndHash
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class CodecBenchmark
{
    private final EnvelopeEncoder encoder = new EnvelopeEncoder();
    private final EnvelopeDecoder decoder = new EnvelopeDecoder();
    private final GrowableBytes out = new GrowableBytes(4096);
    private final byte[] digest = new byte[32];
    private final ObjectMapper sortedMapper = new ObjectMapper()
        .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private MessageDigest sha256;
    private Message message;
    private Map<String, Object> messageTree;
    private byte[] wire;
    private byte[] reserialized;

    @Setup
    public void setUp() throws NoSuchAlgorithmException, IOException
    {
        sha256 = MessageDigest.getInstance("SHA-256");
        message = SampleMessages.message();
        messageTree = SampleMessages.messageTree(message);
        wire = encoder.encodeToBytes(message);
        // the same message re-serialized by another producer: spaces, unsorted keys; verifies on the full path only
        final Object tree = new ObjectMapper().readValue(wire, Object.class);
        reserialized = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(tree);
        if (HashCheck.MATCH != decoder.checkHash(wire, 0, wire.length) || !decoder.decode(reserialized).equals(message))
        {
            throw new IllegalStateException("benchmark inputs do not verify");
        }
    }

    /** Baseline: SHA-256 of the same canonical bytes, nothing else. */
    @Benchmark
    public byte[] rawSha256() throws DigestException
    {
        sha256.update(wire, 0, wire.length);
        sha256.digest(digest, 0, 32);
        return digest;
    }

    @Benchmark
    public int encodeAndHash()
    {
        encoder.encode(message, out);
        return out.length();
    }

    @Benchmark
    public HashCheck verifyFast()
    {
        return decoder.checkHash(wire, 0, wire.length);
    }

    /** Full receive of canonical bytes: strict scan, contract validation, hash; yields a Message. */
    @Benchmark
    public Message decode()
    {
        return decoder.decode(wire, 0, wire.length);
    }

    /** Full receive of non-canonical bytes: parse, validate, re-canonicalize, hash. */
    @Benchmark
    public Message decodeReserialized()
    {
        return decoder.decode(reserialized, 0, reserialized.length);
    }

    @Benchmark
    public byte[] jacksonSortedEncode() throws JsonProcessingException
    {
        return sortedMapper.writeValueAsBytes(messageTree);
    }

    @Benchmark
    public byte[] jacksonSortedEncodeAndHash() throws JsonProcessingException
    {
        return sha256.digest(sortedMapper.writeValueAsBytes(messageTree));
    }

    @Benchmark
    public byte[] jacksonParseReencodeAndHash() throws IOException
    {
        @SuppressWarnings("unchecked")
        final Map<String, Object> tree = sortedMapper.readValue(wire, Map.class);
        tree.remove("envelope_hash");
        return sha256.digest(sortedMapper.writeValueAsBytes(tree));
    }

    public static void main(final String[] args)
    {
        final CodecBenchmark b = new CodecBenchmark();
        try
        {
            b.setUp();
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
        System.out.println(b.wire.length + " bytes: " + new String(b.wire, StandardCharsets.UTF_8));
    }
}
