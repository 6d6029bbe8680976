package io.agentflow.bus.jetstream;

import io.agentflow.bus.BusConfig;
import io.agentflow.bus.BusSecurity;
import io.agentflow.bus.ConnectionTuning;
import io.agentflow.bus.security.Pem;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus's settings as jnats options: authentication and TLS ({@link BusSecurity}), keep-alive and buffers
 * ({@link ConnectionTuning}). The settings values know nothing of jnats; this is where they meet it.
 */
final class NatsOptions
{
    private static final Logger LOG = LoggerFactory.getLogger(NatsOptions.class);

    private NatsOptions()
    {
    }

    /** @return jnats options with {@code config}'s security and tuning, for the servers of its URL. */
    static Options.Builder of(final BusConfig config)
    {
        final Options.Builder options = new Options.Builder();
        security(config.security(), options, config.url());
        tuning(config.tuning(), options);
        return options;
    }

    /** Adds {@code security} to jnats options for the servers of {@code url}. */
    private static void security(final BusSecurity security, final Options.Builder options, final String url)
    {
        if (null != security.token())
        {
            options.token(security.token().toCharArray());
        }
        if (null != security.user())
        {
            options.userInfo(security.user().toCharArray(), security.password().toCharArray());
        }
        if (null != security.nkeySeedFile())
        {
            options.authHandler(Nats.staticCredentials(null, Pem.read(security.nkeySeedFile(),
                BusSecurity.NKEY_SEED_FILE_ENV).trim().toCharArray()));
        }
        if (null != security.credsFile())
        {
            options.authHandler(Nats.credentials(security.credsFile().toString()));   // read at each connect
        }
        if (null != security.tlsCaFile() || BusSecurity.anyServer(url, "tls://"))
        {
            // jnats' own tls:// context checks the chain but not the host name: ours checks both, with the JVM's
            // CA certificates when no CA file is given
            options.sslContext(PemTls.context(security.tlsCaFile(), security.tlsCertFile(), security.tlsKeyFile()));
        }
        else if (BusSecurity.anyServer(url, "opentls://"))
        {
            LOG.warn("{}=true: TLS to {} trusts any certificate", BusSecurity.TLS_INSECURE_ENV,
                BusSecurity.redact(url));
        }
        if (!BusSecurity.INBOX_PREFIX_DEFAULT.equals(security.inboxPrefix()))
        {
            options.inboxPrefix(security.inboxPrefix());
        }
    }

    private static void tuning(final ConnectionTuning tuning, final Options.Builder options)
    {
        options.pingInterval(tuning.pingInterval()).maxPingsOut(tuning.maxPingsOut()).bufferSize(tuning.bufferSize());
        if (tuning.socketSendBuffer() > 0)
        {
            options.sendBufferSize(tuning.socketSendBuffer());
        }
        if (tuning.socketReceiveBuffer() > 0)
        {
            options.receiveBufferSize(tuning.socketReceiveBuffer());
        }
    }
}
