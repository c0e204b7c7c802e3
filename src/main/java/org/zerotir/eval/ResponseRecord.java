package org.zerotir.eval;

import org.zerotir.rollout.CodeRunner;

import java.util.List;

/**
 * One evaluated response: what the summary is computed from, and what a user reads to see why.
 *
 * @param length      response tokens, tool outputs included (as the trainer's response/length_mean counts them)
 * @param answer      the extracted final answer, null when the response gave none
 * @param truncated   cut off at the token limit
 */
public record ResponseRecord(String problemId, int sample, boolean correct, String answer, String reference, int length,
                             boolean truncated, List<CodeRunner.Execution> executions, String responseText) {

    public int calls() {
        return executions.size();
    }

    public boolean usedCode() {
        return !executions.isEmpty();
    }
}
