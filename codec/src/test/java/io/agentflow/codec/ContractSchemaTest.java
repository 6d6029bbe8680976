package io.agentflow.codec;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import io.agentflow.codec.json.JsonReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The shipped JSON Schema and the codec must agree on every sample: a real draft 2020-12 validator (networknt, with
 * format assertions on) judges the same documents the codec decodes. Each sample is hashed by an independent JCS
 * implementation so that only the contract, not the hash, decides.
 */
class ContractSchemaTest
{
    private static JsonSchema schema;

    @BeforeAll
    static void loadSchema() throws IOException
    {
        final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        try (InputStream in = Message.class.getResourceAsStream("message-v1.schema.json"))
        {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in, config);
        }
    }

    static Stream<Arguments> samples()
    {
        final List<Arguments> samples = new ArrayList<>();
        valid(samples, "realistic", t -> { });
        valid(samples, "no trace", t -> { t.put("trace_id", ""); t.put("span_id", ""); });
        valid(samples, "payload null", t -> t.put("payload", null));
        valid(samples, "payload array", t -> t.put("payload", List.of(1, "a", List.of())));
        valid(samples, "payload string", t -> t.put("payload", "just text"));
        valid(samples, "empty metadata", t -> t.put("metadata", Map.of()));
        valid(samples, "zero cost", t -> t.put("cost", Map.of("dollars", 0, "tokens", 0)));
        valid(samples, "integral tokens as 5.0", t -> t.put("cost", Map.of("dollars", 1.5, "tokens", 5.0)));
        valid(samples, "epoch", t -> t.put("ts", "1970-01-01T00:00:00.000000Z"));
        valid(samples, "leap day", t -> t.put("ts", "2028-02-29T23:59:59.999999Z"));
        for (final MessageType type : MessageType.values())
        {
            valid(samples, "type " + type.wireName(), t -> t.put("type", type.wireName()));
        }
        for (final String member : EnvelopeDecoder.NAMES)
        {
            if (!"envelope_hash".equals(member))
            {
                invalid(samples, "missing " + member, t -> t.remove(member));
            }
        }
        invalid(samples, "unknown member", t -> t.put("priority", 1));
        invalid(samples, "id lowercase", t -> t.put("id", ((String)t.get("id")).toLowerCase()));
        invalid(samples, "id 25 chars", t -> t.put("id", ((String)t.get("id")).substring(1)));
        invalid(samples, "id first char 8", t -> t.put("id", "8" + ((String)t.get("id")).substring(1)));
        invalid(samples, "id with U", t -> t.put("id", ((String)t.get("id")).substring(0, 25) + "U"));
        invalid(samples, "trace uppercase", t -> t.put("trace_id", TestMessages.TRACE_ID.toUpperCase()));
        invalid(samples, "trace all zero", t -> t.put("trace_id", "0".repeat(32)));
        invalid(samples, "trace 31 hex", t -> t.put("trace_id", TestMessages.TRACE_ID.substring(1)));
        invalid(samples, "span empty with trace", t -> t.put("span_id", ""));
        invalid(samples, "span without trace", t -> t.put("trace_id", ""));
        invalid(samples, "span all zero", t -> t.put("span_id", "0".repeat(16)));
        invalid(samples, "from empty", t -> t.put("from", ""));
        invalid(samples, "to empty", t -> t.put("to", ""));
        invalid(samples, "from number", t -> t.put("from", 7));
        invalid(samples, "type unknown", t -> t.put("type", "broadcast"));
        invalid(samples, "type uppercase", t -> t.put("type", "EVENT"));
        valid(samples, "ts without fraction", t -> t.put("ts", "2026-11-26T20:06:50Z"));
        valid(samples, "ts 3 fraction digits", t -> t.put("ts", "2026-11-26T20:06:50.123Z"));
        valid(samples, "ts offset", t -> t.put("ts", "2026-11-26T20:06:50.123456+00:00"));
        valid(samples, "ts nanoseconds and an offset", t -> t.put("ts", "2026-11-26T21:06:50.123456789+01:00"));
        invalid(samples, "ts without offset", t -> t.put("ts", "2026-11-26T20:06:50.123456"));
        invalid(samples, "ts 10 fraction digits", t -> t.put("ts", "2026-11-26T20:06:50.1234567890Z"));
        invalid(samples, "ts leap second", t -> t.put("ts", "2026-12-31T23:59:60Z"));
        invalid(samples, "ts february 30", t -> t.put("ts", "2026-02-30T20:06:50.123456Z"));
        invalid(samples, "ts before 1970", t -> t.put("ts", "1969-12-31T23:59:59.999999Z"));
        invalid(samples, "ts hour 24", t -> t.put("ts", "2026-11-26T24:06:50.123456Z"));
        invalid(samples, "dollars negative", t -> t.put("cost", Map.of("dollars", -0.01, "tokens", 0)));
        invalid(samples, "dollars string", t -> t.put("cost", Map.of("dollars", "1", "tokens", 0)));
        invalid(samples, "tokens fractional", t -> t.put("cost", Map.of("dollars", 0, "tokens", 1.5)));
        invalid(samples, "tokens negative", t -> t.put("cost", Map.of("dollars", 0, "tokens", -1)));
        invalid(samples, "tokens beyond 2^53", t -> t.put("cost", Map.of("dollars", 0, "tokens", 1e16)));
        invalid(samples, "cost extra member", t -> t.put("cost", Map.of("dollars", 0, "tokens", 0, "euros", 1)));
        invalid(samples, "cost missing tokens", t -> t.put("cost", Map.of("dollars", 0)));
        invalid(samples, "cost array", t -> t.put("cost", List.of(0, 0)));
        invalid(samples, "metadata array", t -> t.put("metadata", List.of()));
        invalid(samples, "metadata string", t -> t.put("metadata", "wf-1"));
        return samples.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void shouldAgreeWithAJsonSchemaValidator(final String name, final boolean expectedValid, final byte[] document)
        throws IOException
    {
        final Set<ValidationMessage> schemaErrors = schema.validate(new ObjectMapper().readTree(document));
        boolean codecValid = true;
        String codecError = "";
        try
        {
            new EnvelopeDecoder().decode(document);
        }
        catch (final MessageError e)
        {
            codecValid = false;
            codecError = e.getMessage();
            assertNotEquals(ErrorCode.HASH_MISMATCH, e.code(), "the sample was hashed independently: " + codecError);
        }
        assertEquals(expectedValid, schemaErrors.isEmpty(), "schema: " + schemaErrors);
        assertEquals(expectedValid, codecValid, "codec: " + codecError);
        // the samples are canonical with a correct hash: the in-place check must draw the same line as decode
        assertEquals(expectedValid, new EnvelopeDecoder().verifyInPlace(document, 0, document.length), "in place");
    }

    private static void valid(final List<Arguments> samples, final String name, final Consumer<Map<String, Object>> edit)
    {
        samples.add(Arguments.of(name, true, document(edit)));
    }

    private static void invalid(
        final List<Arguments> samples, final String name, final Consumer<Map<String, Object>> edit)
    {
        samples.add(Arguments.of(name, false, document(edit)));
    }

    @SuppressWarnings("unchecked")
    private static byte[] document(final Consumer<Map<String, Object>> edit)
    {
        final Map<String, Object> tree = new LinkedHashMap<>(
            (Map<String, Object>)new JsonReader().read(TestMessages.utf8(TestMessages.realistic().toString())));
        edit.accept(tree);
        return TestMessages.independentlyHashed(tree);
    }
}
