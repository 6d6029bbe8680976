package io.agentflow.bus.wire;

import io.agentflow.codec.error.ErrorCode;
import io.agentflow.codec.error.MessageError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SubjectsTest
{
    @Test
    void shouldBuildTheTaxonomy()
    {
        assertEquals("workflows.wf-1.in", Subjects.workflowIn("wf-1"));
        assertEquals("workflows.wf-1.out", Subjects.workflowOut("wf-1"));
        assertEquals("agents.planner.in", Subjects.agentIn("planner"));
        assertEquals("agents.planner.out", Subjects.agentOut("planner"));
        assertEquals("workflows.wf-1.*", Subjects.workflowAll("wf-1"));
        assertEquals("quarantine.hash_mismatch", Subjects.quarantine("hash_mismatch"));
        assertEquals("quarantine.hash_mismatch.agent-alice", Subjects.quarantine("hash_mismatch", "agent-alice"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.b", "*", "a>", "with space", "tab\t", "nl\n", "nbsp\u00a0", "del\u007f", "",
        "em\u2003space"})
    void shouldRejectUnsafeTokens(final String id)
    {
        final MessageError e = assertThrows(MessageError.class, () -> Subjects.token(id, "agent_id"));
        assertEquals(ErrorCode.VALIDATION_ERROR, e.code());
        assertEquals("agent_id", e.path());
    }

    @Test
    void shouldBoundTokenLength()
    {
        assertEquals("x".repeat(128), Subjects.token("x".repeat(128), "id"));
        assertTrue(assertThrows(MessageError.class, () -> Subjects.token("x".repeat(129), "id")).getMessage()
            .contains("length=129"));
    }

    @Test
    void shouldAcceptUnicodeIdsThatAreNotSeparators()
    {
        assertEquals("agents.\u00e9quipe-\u6f22.in", Subjects.agentIn("\u00e9quipe-\u6f22"));
    }

    @Test
    void shouldLabelMetricsByPatternNeverByRawId()
    {
        assertEquals("agents.*.in", Subjects.pattern("agents.secret-customer-42.in"));
        assertEquals("workflows.*.out", Subjects.pattern("workflows.wf-9.out"));
        assertEquals("tools.calls", Subjects.pattern("tools.calls"));
        assertEquals("quarantine.*", Subjects.pattern("quarantine.hash_mismatch"));
        assertEquals("other", Subjects.pattern("anything.else"));
    }

    @Test
    void shouldFindTheOrderingToken()
    {
        assertEquals(7, Subjects.idTokenStart("agents.planner.in"));
        assertEquals(10, Subjects.idTokenStart("workflows.wf-1.out"));
        assertEquals(-1, Subjects.idTokenStart("tools.calls"));
        assertEquals(-1, Subjects.idTokenStart("agents.only"));
    }
}
