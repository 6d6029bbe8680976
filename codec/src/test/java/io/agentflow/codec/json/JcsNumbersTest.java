package io.agentflow.codec.json;

import org.erdtman.jcs.NumberToJSON;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JcsNumbersTest
{
    private static final int RANDOM_SAMPLE = 300_000;

    static Stream<Arguments> rfc8785AppendixB() throws IOException
    {
        final List<Arguments> rows = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(
            JcsNumbersTest.class.getResourceAsStream("/rfc8785/numbers.txt"), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                if (!line.startsWith("#") && !line.isBlank())
                {
                    final String[] parts = line.split(" ");
                    rows.add(Arguments.of(parts[0], parts[1]));
                }
            }
        }
        return rows.stream();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("rfc8785AppendixB")
    void shouldWriteRfc8785AppendixBExactly(final String bitsHex, final String expected)
    {
        final double v = Double.longBitsToDouble(Long.parseUnsignedLong(bitsHex, 16));
        if ("error".equals(expected))
        {
            assertThrows(IllegalArgumentException.class, () -> format(v));
        }
        else
        {
            assertEquals(expected, format(v));
        }
    }

    @Test
    void shouldComputeTheSchubfachTableLikeThePublishedOne()
    {
        // the first two rows of the table published with the algorithm (and in OpenJDK's MathUtils)
        assertArrayEquals(new long[]{0x4F0C_EDC9_5A71_8DD4L, 0x5B01_E8B0_9AA0_D1B5L}, JcsNumbers.tableEntry(-324));
        assertArrayEquals(new long[]{0x7E7B_160E_F71C_1621L, 0x119C_A780_F767_B5EEL}, JcsNumbers.tableEntry(-323));
    }

    @ParameterizedTest
    @ValueSource(doubles = {2e23, 1e23, 5e-324, 1e-7, 123e-20, 0.1, 0.3, 1.0 / 3, 100, 1e21, 1e20, 4.35, 0.000001})
    void shouldAgreeWithAnIndependentEcmaScriptImplementation(final double v) throws IOException
    {
        assertEquals(NumberToJSON.serializeNumber(v), format(v));
    }

    @Test
    void shouldRoundTripShortestAndAgreeWithIndependentImplementationOnRandomDoubles() throws IOException
    {
        final SplittableRandom random = new SplittableRandom(20261126);
        for (int i = 0; i < RANDOM_SAMPLE; i++)
        {
            final double v = sample(random, i);
            if (!Double.isFinite(v))
            {
                continue;
            }
            final String s = format(v);
            assertEquals(v, Double.parseDouble(s), () -> "round trip of " + s);
            assertShortest(v, s);
            if (i % 10 == 0)
            {
                assertEquals(NumberToJSON.serializeNumber(v), s, () -> "bits " + Long.toHexString(
                    Double.doubleToRawLongBits(v)));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "1", "-1", "0.5", "1e5", "1E+5", "1.5e-7", "123456789012345678901234567890",
        "0.1", "4.35", "9007199254740993", "1e-400", "2.2250738585072011e-308",
        // 19 digits above 2^63 overflowed a long accumulator once (found by CanonicalFormPropertiesTest)
        "9273726921930790000", "9999999999999999999", "-9300000000000000000", "9223372036854775808",
        "999999999999999999", "0.9999999999999999999", "92737269219307.90000"})
    void shouldParseLikeDoubleParseDouble(final String literal)
    {
        final byte[] b = literal.getBytes(StandardCharsets.US_ASCII);
        assertEquals(Double.parseDouble(literal), JsonNumberParser.parse(b, 0, b.length));
    }

    @Test
    void shouldWriteLongsAsPlainDigits()
    {
        final byte[] b = new byte[JcsNumbers.MAX_CHARS];
        assertEquals("-9007199254740991", new String(b, 0, JcsNumbers.write(-JcsNumbers.MAX_SAFE_INTEGER, b, 0),
            StandardCharsets.US_ASCII));
        assertEquals("0", new String(b, 0, JcsNumbers.write(0L, b, 0), StandardCharsets.US_ASCII));
    }

    private static double sample(final SplittableRandom random, final int i)
    {
        switch (i % 4)
        {
            case 0: return Double.longBitsToDouble(random.nextLong());                 // any bit pattern
            case 1: return random.nextDouble() * Math.pow(10, random.nextInt(-30, 30)); // human scales
            case 2: return Math.round(random.nextDouble() * 1e6) / 100.0;             // prices
            default: return Double.longBitsToDouble(random.nextLong(0x0010_0000_0000_0000L)); // subnormals
        }
    }

    /** No decimal with one digit fewer rounds to {@code v}: neither neighbour at that precision parses back. */
    private static void assertShortest(final double v, final String s)
    {
        final int digits = significantDigits(s);
        if (digits <= 1)
        {
            return;
        }
        final BigDecimal exact = new BigDecimal(v);
        final MathContext shorter = new MathContext(digits - 1, RoundingMode.FLOOR);
        final BigDecimal down = exact.round(shorter);
        final BigDecimal up = exact.round(new MathContext(digits - 1, RoundingMode.CEILING));
        assertFalse(down.doubleValue() == v || up.doubleValue() == v, () -> s + " is not shortest for " + v);
    }

    private static int significantDigits(final String s)
    {
        final String mantissa = s.replace("-", "").split("e")[0].replace(".", "").replaceFirst("^0+", "");
        return mantissa.replaceFirst("0+$", "").length();
    }

    private static String format(final double v)
    {
        final byte[] b = new byte[JcsNumbers.MAX_CHARS];
        return new String(b, 0, JcsNumbers.write(v, b, 0), StandardCharsets.US_ASCII);
    }
}
