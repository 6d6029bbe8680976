package io.agentflow.bus.security;

import io.agentflow.bus.wire.MessageHeaders;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Map;

/**
 * Signed envelopes on a bus: who this bus signs as (optional), whom it trusts, and where it insists. A hash proves
 * a message was not corrupted; only a signature proves who wrote it, because whoever can rewrite a message can
 * rewrite its hash too. Publishing signs every message when a signing key is set; receiving checks by
 * {@link SignaturePolicy}. Settings: {@value #SIGNING_KEY_FILE_ENV} with {@value #SIGNING_KEY_ID_ENV},
 * {@value #TRUSTED_KEYS_DIR_ENV}, {@value #POLICY_ENV}.
 *
 * @param signer   signs outgoing messages, or {@code null}.
 * @param trusted  the public keys accepted, by key id.
 * @param policy   per subject: none, verify-if-present, require.
 */
public record Signatures(EnvelopeSigner signer, KeyRegistry trusted, SignaturePolicy policy)
{
    public static final String SIGNING_KEY_FILE_ENV = "AF_BUS_SIGNING_KEY_FILE";
    public static final String SIGNING_KEY_ID_ENV = "AF_BUS_SIGNING_KEY_ID";
    public static final String TRUSTED_KEYS_DIR_ENV = "AF_BUS_TRUSTED_KEYS_DIR";
    public static final String POLICY_ENV = "AF_BUS_SIGNATURE_POLICY";

    /** Quarantine reasons, also the {@code signature} detail of the error. */
    public static final String MISSING = "signature_missing";
    public static final String UNKNOWN_KEY = "signature_unknown_key";
    public static final String INVALID = "signature_invalid";
    /** The signature verifies, but its key may not speak for this sender or on this subject ({@link KeyGrant}). */
    public static final String NOT_PERMITTED = "signature_not_permitted";

    /**
     * @return the name of a refusal as quarantine records, replay reports and {@code tail} give it: the signature
     * reason ({@link #MISSING}, {@link #INVALID}...) for a signature refusal, else the error code's wire name.
     */
    public static String reason(final MessageError e)
    {
        return e.details().get("signature") instanceof String reason ? reason : e.code().wireName();
    }

    public static final Signatures NONE = new Signatures(null, new KeyRegistry(), SignaturePolicy.NONE);

    public static Signatures fromEnv(final Map<String, String> env)
    {
        final String keyFile = env.get(SIGNING_KEY_FILE_ENV);
        final String keyId = env.get(SIGNING_KEY_ID_ENV);
        if ((null == keyFile || keyFile.isBlank()) != (null == keyId || keyId.isBlank()))
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, "config", SIGNING_KEY_FILE_ENV + " and "
                + SIGNING_KEY_ID_ENV + " go together");
        }
        final String dir = env.get(TRUSTED_KEYS_DIR_ENV);
        return new Signatures(null == keyFile || keyFile.isBlank() ? null : EnvelopeSigner.fromPem(keyId.trim(),
            Path.of(keyFile.trim())), null == dir || dir.isBlank() ? new KeyRegistry()
            : KeyRegistry.fromDirectory(Path.of(dir.trim())), SignaturePolicy.parse(env.get(POLICY_ENV)));
    }

    /** Adds this bus's signature of {@code envelopeHash} on {@code subject} to outgoing headers, when it signs. */
    public void sign(final MessageHeaders headers, final String subject, final String envelopeHash)
    {
        if (null != signer)
        {
            headers.put(EnvelopeSigner.KEY_ID_HEADER, signer.keyId());
            headers.put(EnvelopeSigner.SIGNATURE_HEADER, signer.sign(subject, envelopeHash));
        }
    }

    /**
     * @param from the envelope's sender, which the hash covers.
     * @return {@code null} when a message received on {@code subject} passes the policy, else a
     * {@code validation_error} whose {@code signature} detail is {@link #MISSING}, {@link #UNKNOWN_KEY},
     * {@link #INVALID} or {@link #NOT_PERMITTED}.
     */
    public MessageError check(final String subject, final String id, final String from, final String envelopeHash,
        final MessageHeaders headers)
    {
        if (policy.isNone())
        {
            return null;
        }
        final SignaturePolicy.Mode mode = policy.modeFor(subject);
        if (SignaturePolicy.Mode.NONE == mode)
        {
            return null;
        }
        final String signature = null == headers ? null : headers.get(EnvelopeSigner.SIGNATURE_HEADER);
        final String keyId = null == headers ? null : headers.get(EnvelopeSigner.KEY_ID_HEADER);
        if (null == signature)
        {
            return SignaturePolicy.Mode.REQUIRE == mode ? refuse(MISSING, id, subject, "no " +
                EnvelopeSigner.SIGNATURE_HEADER + " header, and " + subject + " requires signed messages") : null;
        }
        final PublicKey key = trusted.get(keyId);
        if (null == key)
        {
            return refuse(UNKNOWN_KEY, id, subject, "signed with key id '" + keyId + "', which is not trusted");
        }
        if (!EnvelopeSigner.verify(key, subject, envelopeHash, signature))
        {
            return refuse(INVALID, id, subject, "the signature does not verify with key '" + keyId + "' over "
                + "envelope_hash " + envelopeHash + " on " + subject);
        }
        final KeyGrant grant = trusted.grant(keyId);
        if (!grant.permits(from, subject))
        {
            return refuse(NOT_PERMITTED, id, subject, "key '" + keyId + "' may not sign as '" + from + "' on "
                + subject + " (it may: " + grant + ")");
        }
        return null;
    }

    /**
     * @return the key id whose signature {@link #check} verified on a message that passed it, or {@code null} when
     * none was checked there (no signature, or a subject the policy does not check): what a handler may trust.
     */
    public String signer(final String subject, final MessageHeaders headers)
    {
        if (policy.isNone() || null == headers || SignaturePolicy.Mode.NONE == policy.modeFor(subject)
            || null == headers.get(EnvelopeSigner.SIGNATURE_HEADER))
        {
            return null;
        }
        return headers.get(EnvelopeSigner.KEY_ID_HEADER);
    }

    private static MessageError refuse(final String reason, final String id, final String subject,
        final String detail)
    {
        return new MessageError(ErrorCode.VALIDATION_ERROR, detail, Map.of("signature", reason, "id", id,
            "subject", subject), null);
    }
}
