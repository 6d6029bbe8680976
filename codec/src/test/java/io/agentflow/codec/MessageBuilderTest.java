package io.agentflow.codec;

import com.dslplatform.json.DslJson;
import com.dslplatform.json.runtime.Settings;
import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MessageBuilderTest
{
    @Test
    void shouldFillDefaultsAndHash()
    {
        final Message m = base().build();
        assertTrue(UlidGenerator.isValid(m.id()));
        assertEquals("", m.traceId());
        assertEquals(Json.EMPTY_OBJECT, m.metadata());
        assertEquals(Json.NULL, m.payload());
        assertEquals(CostInfo.ZERO, m.cost());
        assertEquals(64, m.envelopeHash().length());
        assertNull(m.workflowId());
    }

    @Test
    void shouldGiveAChangedCopyANewHash()
    {
        final Message m = base().build();
        final Message changed = m.toBuilder().to("someone-else").build();
        assertEquals(m.id(), changed.id());
        assertNotEquals(m.envelopeHash(), changed.envelopeHash());
        assertEquals(m, m.toBuilder().build());
    }

    @Test
    void shouldRejectEachBrokenRuleNamingItsPath()
    {
        assertRule("$.from", ErrorCode.SCHEMA_ERROR, b -> b.from(null));
        assertRule("$.from", ErrorCode.VALIDATION_ERROR, b -> b.from(""));
        assertRule("$.to", ErrorCode.VALIDATION_ERROR, b -> b.to(""));
        assertRule("$.type", ErrorCode.SCHEMA_ERROR, b -> b.type(null));
        assertRule("$.id", ErrorCode.VALIDATION_ERROR, b -> b.id("01arz3ndektsv4rrffq69g5fav"));
        assertRule("$.trace_id", ErrorCode.VALIDATION_ERROR, b -> b.traceId("4BF92F3577B34DA6A3CE929D0E0E4736")
            .spanId(TestMessages.SPAN_ID));
        assertRule("$.trace_id", ErrorCode.VALIDATION_ERROR, b -> b.traceId("0".repeat(32))
            .spanId(TestMessages.SPAN_ID));
        assertRule("$.span_id", ErrorCode.VALIDATION_ERROR, b -> b.traceId(TestMessages.TRACE_ID).spanId(""));
        assertRule("$.span_id", ErrorCode.VALIDATION_ERROR, b -> b.spanId(TestMessages.SPAN_ID));
        assertRule("$.metadata", ErrorCode.SCHEMA_ERROR, b -> b.metadata("not an object"));
        assertRule("$.ts", ErrorCode.VALIDATION_ERROR, b -> b.tsMicros(-1));
        assertRule("$.cost.dollars", ErrorCode.VALIDATION_ERROR, b -> b.cost(new CostInfo(Double.NaN, 0)));
        assertRule("$.cost.tokens", ErrorCode.VALIDATION_ERROR, b -> b.cost(new CostInfo(0, -1)));
    }

    @Test
    void shouldTakePayloadsAsTreesRawBytesOrApplicationObjects()
    {
        final Json fromTree = Json.of(Map.of("b", 1, "a", "x"));
        final Json fromBytes = Json.parse("{ \"a\" : \"x\", \"b\" : 1.0 }");
        final DslJson<Object> dslJson = new DslJson<>(Settings.withRuntime().includeServiceLoader());
        final Json fromObject = Json.fromObject(new Task("x", 1), dslJson);
        assertEquals("{\"a\":\"x\",\"b\":1}", fromTree.toString());
        assertEquals(fromTree, fromBytes);
        assertEquals(fromTree, fromObject);
        assertEquals(new Task("x", 1), fromObject.toObject(Task.class, dslJson));
    }

    public static final class Task
    {
        public String a;
        public int b;

        public Task()
        {
        }

        Task(final String a, final int b)
        {
            this.a = a;
            this.b = b;
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Task && ((Task)o).a.equals(a) && ((Task)o).b == b;
        }

        @Override
        public int hashCode()
        {
            return a.hashCode() * 31 + b;
        }
    }

    private static void assertRule(final String path, final ErrorCode code, final UnaryOperator<Message.Builder> change)
    {
        final MessageError e = assertThrows(MessageError.class, () -> change.apply(base()).build());
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(path, e.path(), e.getMessage());
    }

    private static Message.Builder base()
    {
        return Message.builder().from("a").to("b").type(MessageType.EVENT);
    }
}
