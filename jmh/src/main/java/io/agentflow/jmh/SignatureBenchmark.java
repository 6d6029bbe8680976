package io.agentflow.jmh;

import io.agentflow.bus.security.EnvelopeSigner;
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

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;

/**
 * What a signed envelope costs per message (issue 8): Ed25519 signing of the envelope hash on publish and its
 * verification on receipt, beside what every message costs anyway in the same run, encode+hash on publish and
 * the hash check on receipt, so the report can give ratios.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SignatureBenchmark
{
    private final EnvelopeEncoder encoder = new EnvelopeEncoder();
    private final EnvelopeDecoder decoder = new EnvelopeDecoder();
    private final GrowableBytes out = new GrowableBytes(4096);
    private Message message;
    private byte[] wire;
    private EnvelopeSigner signer;
    private KeyPair keys;
    private String signature;
    private final String subject = "agents.worker-7.in";

    @Setup
    public void setUp() throws NoSuchAlgorithmException
    {
        message = SampleMessages.message();
        wire = encoder.encodeToBytes(message);
        keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        signer = new EnvelopeSigner("bench-1", keys.getPrivate());
        signature = signer.sign(subject, message.envelopeHash());
        if (!EnvelopeSigner.verify(keys.getPublic(), subject, message.envelopeHash(), signature))
        {
            throw new IllegalStateException("signature does not verify");
        }
    }

    /** Baseline, publish side: canonical encode and SHA-256 of the same message. */
    @Benchmark
    public int encodeAndHash()
    {
        encoder.encode(message, out);
        return out.length();
    }

    @Benchmark
    public String sign()
    {
        return signer.sign(subject, message.envelopeHash());
    }

    /** Baseline, receive side: the hash check every message gets. */
    @Benchmark
    public HashCheck verifyHash()
    {
        return decoder.checkHash(wire, 0, wire.length);
    }

    @Benchmark
    public boolean verifySignature()
    {
        return EnvelopeSigner.verify(keys.getPublic(), subject, message.envelopeHash(), signature);
    }
}
