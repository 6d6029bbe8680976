package io.agentflow.bus;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.nio.file.Path;
import java.util.Map;

import static io.agentflow.bus.SettingsChecks.require;

/**
 * How a bus authenticates to NATS and protects the connection, from {@code AF_BUS_*} variables: at most one of
 * token, user and password, NKey, or a credentials file (a user JWT and its NKey seed, decentralised auth); TLS
 * when a CA file is given (the server's certificate must chain to it and name the host connected to), mutual TLS
 * when a client certificate and key are given too. Files are PEM. A {@code tls://} URL without a CA file trusts the
 * JVM's CA certificates and checks the host name just the same; {@code opentls://} (TLS that trusts any
 * certificate) is refused unless {@code AF_BUS_TLS_INSECURE=true}.
 * Secrets never appear in text this library writes: see {@link #redact(String)}.
 *
 * @param token        {@code AF_BUS_TOKEN}.
 * @param user         {@code AF_BUS_USER}, with {@code AF_BUS_PASSWORD}.
 * @param password     {@code AF_BUS_PASSWORD}.
 * @param nkeySeedFile {@code AF_BUS_NKEY_SEED_FILE}: a file holding the user's NKey seed ({@code SU...}).
 * @param credsFile    {@code AF_BUS_CREDS_FILE}, else the NATS tools' {@code NATS_CREDS}: a {@code .creds} file as
 *                     {@code nsc} writes it (the user's JWT and NKey seed), for servers in operator mode.
 * @param tlsCaFile    {@code AF_BUS_TLS_CA_FILE}: the CA certificate(s) to trust; switches TLS on.
 * @param tlsCertFile  {@code AF_BUS_TLS_CERT_FILE}: this client's certificate chain, for mutual TLS.
 * @param tlsKeyFile   {@code AF_BUS_TLS_KEY_FILE}: its private key (PKCS#8, {@code BEGIN PRIVATE KEY}).
 * @param inboxPrefix  {@code AF_BUS_INBOX_PREFIX} (default {@code _INBOX}): replies and pulled messages arrive on
 *                     subjects under it; give each agent its own ({@code _INBOX_alice}) so that subject
 *                     permissions can keep agents from reading each other's deliveries.
 * @param tlsInsecure  {@code AF_BUS_TLS_INSECURE}: allow {@code opentls://}, encryption without knowing who answers
 *                     (a test rig, never production); default false.
 */
public record BusSecurity(String token, String user, String password, Path nkeySeedFile, Path credsFile,
    Path tlsCaFile, Path tlsCertFile, Path tlsKeyFile, String inboxPrefix, boolean tlsInsecure)
{
    public static final String TOKEN_ENV = "AF_BUS_TOKEN";
    /** {@code AF_BUS_TOKEN_FILE}, {@code AF_BUS_PASSWORD_FILE}: the secret read from a file instead. */
    public static final String FILE_SUFFIX = "_FILE";
    public static final String USER_ENV = "AF_BUS_USER";
    public static final String PASSWORD_ENV = "AF_BUS_PASSWORD";
    public static final String NKEY_SEED_FILE_ENV = "AF_BUS_NKEY_SEED_FILE";
    public static final String CREDS_FILE_ENV = "AF_BUS_CREDS_FILE";
    /** natscli's and nats.go's variable for the same: used when {@value #CREDS_FILE_ENV} is not set. */
    public static final String NATS_CREDS_ENV = "NATS_CREDS";
    public static final String TLS_CA_FILE_ENV = "AF_BUS_TLS_CA_FILE";
    public static final String TLS_CERT_FILE_ENV = "AF_BUS_TLS_CERT_FILE";
    public static final String TLS_KEY_FILE_ENV = "AF_BUS_TLS_KEY_FILE";
    public static final String INBOX_PREFIX_ENV = "AF_BUS_INBOX_PREFIX";
    public static final String INBOX_PREFIX_DEFAULT = "_INBOX";
    public static final String TLS_INSECURE_ENV = "AF_BUS_TLS_INSECURE";
    private static final java.util.regex.Pattern USER_INFO = java.util.regex.Pattern.compile("(://)[^/@\\s,]+@");

    /** No authentication, no TLS. */
    public static final BusSecurity NONE = new BusSecurity(null, null, null, null, null, null, null, null,
        INBOX_PREFIX_DEFAULT, false);

    public static BusSecurity fromEnv(final Map<String, String> env)
    {
        return new BusSecurity(secret(env, TOKEN_ENV), blankToNull(env.get(USER_ENV)),
            secret(env, PASSWORD_ENV), path(env.get(NKEY_SEED_FILE_ENV)),
            path(env.getOrDefault(CREDS_FILE_ENV, env.get(NATS_CREDS_ENV))), path(env.get(TLS_CA_FILE_ENV)),
            path(env.get(TLS_CERT_FILE_ENV)), path(env.get(TLS_KEY_FILE_ENV)),
            env.getOrDefault(INBOX_PREFIX_ENV, INBOX_PREFIX_DEFAULT),
            EnvValues.flag(env, TLS_INSECURE_ENV, false));
    }

    /**
     * @return the secret {@code name} names, or the content of the file {@code name_FILE} names (trimmed), as
     * container platforms hand secrets over; setting both is refused.
     * @throws MessageError {@code validation_error} when both are set or the file cannot be read.
     */
    static String secret(final Map<String, String> env, final String name)
    {
        final String direct = blankToNull(env.get(name));
        final String file = blankToNull(env.get(name + FILE_SUFFIX));
        require(null == direct || null == file, "set " + name + " or " + name + FILE_SUFFIX + ", not both");
        if (null == file)
        {
            return direct;
        }
        try
        {
            return blankToNull(java.nio.file.Files.readString(java.nio.file.Path.of(file)).trim());
        }
        catch (final java.io.IOException ex)
        {
            throw MessageError.of(ErrorCode.VALIDATION_ERROR, "invalid bus configuration: " + name + FILE_SUFFIX
                + "=" + file + " cannot be read: " + ex);
        }
    }

    /**
     * @return {@code text} (a URL, a list of them, or an error naming one) with the user information of every URL,
     * {@code user:password@} or {@code token@}, written as {@code ***@}.
     */
    public static String redact(final String text)
    {
        return null == text ? null : USER_INFO.matcher(text).replaceAll("$1***@");
    }

    /** @throws MessageError {@code validation_error} naming the settings that do not go together. */
    void check()
    {
        final int methods = (null != token ? 1 : 0) + (null != user || null != password ? 1 : 0)
            + (null != nkeySeedFile ? 1 : 0) + (null != credsFile ? 1 : 0);
        require(methods <= 1, "choose one of " + TOKEN_ENV + ", " + USER_ENV + "/" + PASSWORD_ENV + ", "
            + NKEY_SEED_FILE_ENV + " and " + CREDS_FILE_ENV);
        require(null == credsFile || java.nio.file.Files.isReadable(credsFile), CREDS_FILE_ENV + "=" + credsFile
            + " cannot be read");
        require((null == user) == (null == password), USER_ENV + " and " + PASSWORD_ENV + " go together");
        require((null == tlsCertFile) == (null == tlsKeyFile), TLS_CERT_FILE_ENV + " and " + TLS_KEY_FILE_ENV
            + " go together");
        require(null == tlsCertFile || null != tlsCaFile, TLS_CERT_FILE_ENV + " needs " + TLS_CA_FILE_ENV
            + " (the CA that signed the server's certificate)");
        require(null != inboxPrefix && !inboxPrefix.isBlank() && !inboxPrefix.contains(" ")
            && !inboxPrefix.contains("*") && !inboxPrefix.contains(">"), INBOX_PREFIX_ENV
            + " must be a subject prefix without wildcards: " + inboxPrefix);
    }

    /** @throws MessageError {@code validation_error} for {@code opentls://} without {@code AF_BUS_TLS_INSECURE}. */
    void checkUrl(final String url, final String urlSetting)
    {
        require(!anyServer(url, "opentls://") || tlsInsecure, urlSetting + " uses opentls://, which trusts any "
            + "certificate (anyone on the path can read and rewrite the traffic); use tls:// with " + TLS_CA_FILE_ENV
            + ", or set " + TLS_INSECURE_ENV + "=true to accept that");
    }

    /** @return whether a server of the comma-separated {@code url} list uses {@code scheme}. */
    public static boolean anyServer(final String url, final String scheme)
    {
        return java.util.Arrays.stream(url.split(",")).anyMatch(s -> s.trim().startsWith(scheme));
    }

    private static Path path(final String value)
    {
        return null == blankToNull(value) ? null : Path.of(value.trim());
    }

    private static String blankToNull(final String value)
    {
        return null == value || value.isBlank() ? null : value;
    }

    @Override
    public String toString()   // never print secrets
    {
        return "BusSecurity[token=" + (null != token ? "***" : "none") + ", user=" + user + ", password="
            + (null != password ? "***" : "none") + ", nkeySeedFile=" + nkeySeedFile + ", credsFile=" + credsFile
            + ", tlsCaFile=" + tlsCaFile
            + ", tlsCertFile=" + tlsCertFile + ", tlsKeyFile=" + tlsKeyFile + ", inboxPrefix=" + inboxPrefix
            + ", tlsInsecure=" + tlsInsecure + "]";
    }
}
