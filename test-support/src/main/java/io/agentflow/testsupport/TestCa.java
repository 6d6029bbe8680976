package io.agentflow.testsupport;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A certificate authority made at test time (EC P-256), issuing server and client certificates as PEM files in a
 * directory: {@code <name>.pem} (certificate) and {@code <name>-key.pem} (PKCS#8 key).
 */
public final class TestCa
{
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final String name;
    private final KeyPair keys;
    private final X509Certificate certificate;

    private TestCa(final Path dir, final String name, final KeyPair keys, final X509Certificate certificate)
    {
        this.dir = dir;
        this.name = name;
        this.keys = keys;
        this.certificate = certificate;
    }

    public static TestCa create(final Path dir, final String name) throws Exception
    {
        final KeyPair keys = keyPair();
        final X500Name subject = new X500Name("CN=" + name);
        final X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(), notBefore(),
            notAfter(), subject, keys.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
            .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        final X509Certificate cert = sign(builder, keys);
        final TestCa ca = new TestCa(dir, name, keys, cert);
        Files.writeString(ca.certificateFile(), pem(cert));
        return ca;
    }

    public Path certificateFile()
    {
        return dir.resolve(name + ".pem");
    }

    /** Issues a certificate for {@code cn} with the given subject alternative names ({@code DNS:x}, {@code IP:y}). */
    public Path issue(final String cn, final String... subjectAltNames) throws Exception
    {
        final KeyPair leafKeys = keyPair();
        final GeneralName[] names = new GeneralName[subjectAltNames.length];
        for (int i = 0; i < names.length; i++)
        {
            final String[] kv = subjectAltNames[i].split(":", 2);
            names[i] = new GeneralName("IP".equals(kv[0]) ? GeneralName.iPAddress : GeneralName.dNSName, kv[1]);
        }
        final X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
            notBefore(), notAfter(), new X500Name("CN=" + cn), leafKeys.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        if (names.length > 0)
        {
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        final X509Certificate cert = sign(builder, keys);
        final Path certFile = dir.resolve(cn + ".pem");
        Files.writeString(certFile, pem(cert));
        Files.writeString(keyFile(cn), "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(leafKeys.getPrivate().getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
        return certFile;
    }

    public Path keyFile(final String cn)
    {
        return dir.resolve(cn + "-key.pem");
    }

    private static X509Certificate sign(final X509v3CertificateBuilder builder, final KeyPair issuer)
        throws Exception
    {
        final X509CertificateHolder holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA")
            .build(issuer.getPrivate()));
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    private static KeyPair keyPair() throws Exception
    {
        final KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static String pem(final Object object) throws Exception
    {
        final StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out))
        {
            writer.writeObject(object);
        }
        return out.toString();
    }

    private static BigInteger serial()
    {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static Date notBefore()
    {
        return Date.from(Instant.now().minus(Duration.ofHours(1)));
    }

    private static Date notAfter()
    {
        return Date.from(Instant.now().plus(Duration.ofDays(1)));
    }
}
