package io.agentflow.bus.jetstream;

import io.agentflow.bus.BusSecurity;
import io.agentflow.bus.security.Pem;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * An {@link SSLContext} from PEM files, whose client sockets check the server's host name. jnats creates its TLS
 * socket without an endpoint identification algorithm, so a certificate for any name signed by the trusted CA
 * would be accepted; the sockets made here set {@code HTTPS} identification (RFC 2818: DNS or IP subject
 * alternative names) before the handshake.
 */
final class PemTls
{
    private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "Ed25519", "EdDSA");

    private PemTls()
    {
    }

    static SSLContext context(final Path caFile, final Path certFile, final Path keyFile)
    {
        try
        {
            KeyStore trust = null;   // no CA file: the JVM's CA certificates (javax.net.ssl.trustStore or cacerts)
            if (null != caFile)
            {
                trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int n = 0;
                for (final Certificate ca : certificates(caFile, BusSecurity.TLS_CA_FILE_ENV))
                {
                    trust.setCertificateEntry("ca-" + n++, ca);
                }
            }
            final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManager[] keyManagers = null;
            if (null != certFile)
            {
                final KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                final char[] transientPassword = new char[0];
                keys.setKeyEntry("client", privateKey(keyFile), transientPassword,
                    certificates(certFile, BusSecurity.TLS_CERT_FILE_ENV).toArray(new Certificate[0]));
                final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, transientPassword);
                keyManagers = kmf.getKeyManagers();
            }
            final SSLContext plain = SSLContext.getInstance("TLS");
            plain.init(keyManagers, tmf.getTrustManagers(), new SecureRandom());
            return new HostCheckingContext(plain);
        }
        catch (final GeneralSecurityException | IOException ex)
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, BusSecurity.TLS_CA_FILE_ENV,
                "cannot set up TLS from " + (null != caFile ? caFile : "the JVM's CA certificates")
                    + (null != certFile ? ", " + certFile + ", " + keyFile : "") + ": " + ex.getMessage());
        }
    }

    private static Collection<? extends Certificate> certificates(final Path file, final String setting)
        throws GeneralSecurityException
    {
        final Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(
            new ByteArrayInputStream(Pem.read(file, setting).getBytes(StandardCharsets.US_ASCII)));
        if (certs.isEmpty())
        {
            throw new GeneralSecurityException("no certificate in " + file);
        }
        return certs;
    }

    private static PrivateKey privateKey(final Path file) throws GeneralSecurityException
    {
        final byte[] der;
        try
        {
            der = Pem.body(Pem.read(file, BusSecurity.TLS_KEY_FILE_ENV), "PRIVATE KEY");
        }
        catch (final IllegalArgumentException ex)
        {
            throw new GeneralSecurityException(file + " is not a PKCS#8 PEM key (BEGIN PRIVATE KEY); convert it with "
                + "'openssl pkcs8 -topk8 -nocrypt'");
        }
        for (final String algorithm : KEY_ALGORITHMS)
        {
            try
            {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            }
            catch (final GeneralSecurityException ex)
            {
                // try the next algorithm
            }
        }
        throw new GeneralSecurityException("unsupported key algorithm in " + file + " (EC, RSA or Ed25519)");
    }

    /** RFC 2818 identification: the certificate must name the host connected to (DNS or IP alternative name). */
    private static SSLParameters hostChecked(final SSLParameters parameters)
    {
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        return parameters;
    }

    /** The context jnats gets: everything as the wrapped one, except that client sockets check the host name. */
    private static final class HostCheckingContext extends SSLContext
    {
        HostCheckingContext(final SSLContext delegate)
        {
            super(new Spi(delegate), delegate.getProvider(), delegate.getProtocol());
        }
    }

    private static final class Spi extends SSLContextSpi
    {
        private final SSLContext delegate;

        Spi(final SSLContext delegate)
        {
            this.delegate = delegate;
        }

        @Override
        protected void engineInit(final KeyManager[] km, final javax.net.ssl.TrustManager[] tm, final SecureRandom sr)
        {
            throw new UnsupportedOperationException("initialised already");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory()
        {
            return new HostCheckingSocketFactory(delegate.getSocketFactory());
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory()
        {
            return delegate.getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine()
        {
            return checking(delegate.createSSLEngine());
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(final String host, final int port)
        {
            return checking(delegate.createSSLEngine(host, port));
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext()
        {
            return delegate.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext()
        {
            return delegate.getClientSessionContext();
        }

        private static SSLEngine checking(final SSLEngine engine)
        {
            engine.setSSLParameters(hostChecked(engine.getSSLParameters()));
            return engine;
        }
    }

    private static final class HostCheckingSocketFactory extends SSLSocketFactory
    {
        private final SSLSocketFactory delegate;

        HostCheckingSocketFactory(final SSLSocketFactory delegate)
        {
            this.delegate = delegate;
        }

        private static Socket checking(final Socket socket)
        {
            final SSLSocket ssl = (SSLSocket)socket;
            ssl.setSSLParameters(hostChecked(ssl.getSSLParameters()));
            return ssl;
        }

        @Override
        public String[] getDefaultCipherSuites()
        {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites()
        {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket(final Socket s, final String host, final int port, final boolean autoClose)
            throws IOException
        {
            return checking(delegate.createSocket(s, host, port, autoClose));
        }

        @Override
        public Socket createSocket(final String host, final int port) throws IOException
        {
            return checking(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(final String host, final int port, final InetAddress localHost, final int localPort)
            throws IOException
        {
            return checking(delegate.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(final InetAddress host, final int port) throws IOException
        {
            return checking(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(final InetAddress address, final int port, final InetAddress localAddress,
            final int localPort) throws IOException
        {
            return checking(delegate.createSocket(address, port, localAddress, localPort));
        }
    }
}
