package io.agentflow.bus.security;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** The DER bytes inside one PEM block; for the TLS key and the signing keys alike. */
public final class Pem
{
    private Pem()
    {
    }

    /**
     * @param type the block's label, e.g. {@code PRIVATE KEY} (PKCS#8) or {@code PUBLIC KEY} (X.509).
     * @throws IllegalArgumentException when there is no such block or its base64 is broken.
     */
    public static byte[] body(final String pem, final String type)
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

    /** @return the text of a PEM file named by {@code setting}, or a {@code validation_error} naming both. */
    public static String read(final Path file, final String setting)
    {
        try
        {
            return Files.readString(file, StandardCharsets.US_ASCII);
        }
        catch (final IOException ex)
        {
            throw MessageError.atPath(ErrorCode.VALIDATION_ERROR, setting, "cannot read " + file + ": " + ex);
        }
    }
}
