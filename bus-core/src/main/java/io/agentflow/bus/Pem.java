package io.agentflow.bus;

import java.util.Base64;

/** The DER bytes inside one PEM block; for the TLS key and the signing keys alike. */
final class Pem
{
    private Pem()
    {
    }

    /**
     * @param type the block's label, e.g. {@code PRIVATE KEY} (PKCS#8) or {@code PUBLIC KEY} (X.509).
     * @throws IllegalArgumentException when there is no such block or its base64 is broken.
     */
    static byte[] body(final String pem, final String type)
    {
        final String begin = "-----BEGIN " + type + "-----";
        final int b = pem.indexOf(begin);
        final int e = pem.indexOf("-----END " + type + "-----");
        if (b < 0 || e < b)
        {
            throw new IllegalArgumentException("no " + begin + " block");
        }
        return Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
    }
}
