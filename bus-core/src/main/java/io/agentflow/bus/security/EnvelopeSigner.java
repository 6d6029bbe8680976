package io.agentflow.bus.security;

import io.agentflow.bus.wire.Subjects;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 signatures over an envelope hash and the subject it is published on (the JDK's own EdDSA). What is signed
 * is {@code agentflow-envelope-v2:}, the subject (UTF-8), a newline, and the 64 hex digits of {@code envelope_hash}.
 * The prefix keeps a signature made here from being valid for any other use of the same key; the subject keeps a
 * signed message from being stored again on another subject (say {@code system.control}) with its signature still
 * valid. The sender needs no binding of its own: the hash covers {@code from}, and the receiver checks that the key
 * may speak for that sender ({@link KeyGrant}). The signature travels in the
 * {@value #SIGNATURE_HEADER} header (base64url, no padding) with the signer's key id in {@value #KEY_ID_HEADER}.
 */
public final class EnvelopeSigner
{
    public static final String SIGNATURE_HEADER = "AF-Signature";
    public static final String KEY_ID_HEADER = "AF-Key-Id";
    private static final byte[] DOMAIN = "agentflow-envelope-v2:".getBytes(StandardCharsets.US_ASCII);
    private static final ThreadLocal<Signature> ED25519 = ThreadLocal.withInitial(EnvelopeSigner::newSignature);

    private final String keyId;
    private final PrivateKey key;

    public EnvelopeSigner(final String keyId, final PrivateKey key)
    {
        this.keyId = Subjects.token(keyId, "signing key id");   // one token: no separators or controls
        this.key = key;
    }

    /** Reads a PKCS#8 PEM Ed25519 private key ({@code openssl genpkey -algorithm ed25519}). */
    public static EnvelopeSigner fromPem(final String keyId, final Path privateKeyPem)
    {
        try
        {
            return new EnvelopeSigner(keyId, KeyFactory.getInstance("Ed25519").generatePrivate(
                new PKCS8EncodedKeySpec(Pem.body(Pem.read(privateKeyPem, Signatures.SIGNING_KEY_FILE_ENV),
                    "PRIVATE KEY"))));
        }
        catch (final GeneralSecurityException | IllegalArgumentException ex)
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, Signatures.SIGNING_KEY_FILE_ENV,
                "not an Ed25519 PKCS#8 PEM key: " + privateKeyPem + ": " + ex.getMessage());
        }
    }

    /** Reads an X.509 PEM Ed25519 public key ({@code openssl pkey -pubout}). */
    public static PublicKey publicKeyFromPem(final String pem) throws GeneralSecurityException
    {
        return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(Pem.body(pem, "PUBLIC KEY")));
    }

    public String keyId()
    {
        return keyId;
    }

    /** @return the base64url signature of {@code envelopeHash} published on {@code subject}. */
    public String sign(final String subject, final String envelopeHash)
    {
        try
        {
            final Signature s = ED25519.get();
            s.initSign(key);
            signed(s, subject, envelopeHash);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("Ed25519 signing failed", ex);
        }
    }

    /**
     * @return whether {@code signature} (base64url) is {@code key}'s signature of {@code envelopeHash} published on
     * {@code subject}.
     */
    public static boolean verify(final PublicKey key, final String subject, final String envelopeHash,
        final String signature)
    {
        try
        {
            final Signature s = ED25519.get();
            s.initVerify(key);
            signed(s, subject, envelopeHash);
            return s.verify(Base64.getUrlDecoder().decode(signature));
        }
        catch (final GeneralSecurityException | IllegalArgumentException ex)
        {
            return false;   // malformed base64 or signature bytes: not a valid signature
        }
    }

    private static void signed(final Signature s, final String subject, final String envelopeHash)
        throws GeneralSecurityException
    {
        s.update(DOMAIN);
        s.update(subject.getBytes(StandardCharsets.UTF_8));
        s.update((byte)'\n');
        s.update(envelopeHash.getBytes(StandardCharsets.US_ASCII));
    }

    private static Signature newSignature()
    {
        try
        {
            return Signature.getInstance("Ed25519");
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("this JDK has no Ed25519", ex);
        }
    }
}
