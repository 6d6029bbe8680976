package io.agentflow.codec;

import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * Cryptographically strong random bytes without allocating: the ChaCha20 keystream under a key and nonce drawn from
 * {@link SecureRandom}, the construction of OpenBSD's {@code arc4random} and Linux's {@code getrandom}. The JDK's
 * default {@code SecureRandom} (NativePRNG) mixes in SHA1PRNG, which allocates a digest per 20 bytes; the gate
 * holds the publish path to no allocation per message. A fresh key every {@value #REKEY_BYTES} bytes keeps far
 * inside ChaCha20's 2^38-byte counter. Not thread-safe: the caller holds its lock.
 */
final class SecureBytes
{
    private static final int REKEY_BYTES = 1 << 30;

    private final SecureRandom seeds = new SecureRandom();
    private final byte[] key = new byte[32];
    private final byte[] nonce = new byte[12];
    private final Cipher chacha;
    private byte[] zeros = new byte[0];
    private long sinceKey = REKEY_BYTES;

    SecureBytes()
    {
        try
        {
            chacha = Cipher.getInstance("ChaCha20");
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("the JDK provides ChaCha20 since 11", ex);
        }
    }

    /** Fills {@code out} with random bytes. */
    void fill(final byte[] out)
    {
        if (zeros.length < out.length)
        {
            zeros = new byte[out.length];
        }
        try
        {
            if (sinceKey + out.length > REKEY_BYTES)
            {
                seeds.nextBytes(key);
                seeds.nextBytes(nonce);
                chacha.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"),
                    new ChaCha20ParameterSpec(nonce, 0));
                sinceKey = 0;
            }
            chacha.update(zeros, 0, out.length, out, 0);   // keystream XOR 0 = keystream
            sinceKey += out.length;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("ChaCha20 keystream", ex);
        }
    }
}
