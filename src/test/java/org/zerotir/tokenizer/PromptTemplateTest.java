package org.zerotir.tokenizer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromptTemplateTest {
    private static final String PROBLEM = "Compute $\\frac{1}{2} + {problem}$ and \\boxed{x}.";

    @Test
    void zerotirTellsAboutPythonOutputBlocksAndBoxedAndEndsInThink() {
        PromptTemplate t = PromptTemplate.load("zerotir");
        assertFalse(t.isChat());
        String prompt = t.render(PROBLEM);
        assertTrue(prompt.contains("```python"), prompt);
        assertTrue(prompt.contains("```output"), prompt);
        assertTrue(prompt.contains("\\boxed{}"), prompt);
        assertTrue(prompt.contains("\n" + PROBLEM + "\n"), "the problem goes in verbatim, braces and a literal {problem} included");
        assertTrue(prompt.endsWith("Assistant: <think>"), "no trailing newline: the model continues the line");
        assertEquals(1, prompt.split("\\{problem}", -1).length - 1, "only the problem's own {problem} remains");
    }

    @Test
    void zerorlIsTheSamePromptWithoutTheTool() {
        String withTool = PromptTemplate.load("zerotir").render("P");
        String withoutTool = PromptTemplate.load("zerorl").render("P");
        assertFalse(withoutTool.contains("python"), withoutTool);
        assertFalse(withoutTool.contains("```"), withoutTool);
        assertTrue(withoutTool.contains("\\boxed{}"));
        assertTrue(withoutTool.endsWith("This is the problem:\nP\nAssistant: <think>"));
        assertTrue(withTool.length() > withoutTool.length());
    }

    @Test
    void chatmlRendersMessagesInQwenTurns() throws IOException {
        PromptTemplate t = PromptTemplate.load("chatml");
        assertTrue(t.isChat());
        assertEquals("<|im_start|>system\nPlease integrate natural language reasoning with programs to solve the problem above, and put your final answer within \\boxed{}.<|im_end|>\n"
                + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n", t.render("What is 2+2?"));
        String chat = t.renderChat(List.of(new PromptTemplate.Message("system", "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."),
                new PromptTemplate.Message("user", "hi {content}"), new PromptTemplate.Message("assistant", "hello")), false);
        assertEquals("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nhi {content}<|im_end|>\n<|im_start|>assistant\nhello<|im_end|>\n", chat);
        // With the Qwen tokenizer the markers are single special tokens.
        Path qwen = org.zerotir.SharedData.require("qwen2.5-tokenizer/tokenizer.json");
        int[] ids = Tokenizer.load(qwen).encode(t.render("1+1"));
        assertEquals(151644, ids[0]);
        assertEquals(3, Arrays.stream(ids).filter(id -> id == 151644).count());
        assertEquals(2, Arrays.stream(ids).filter(id -> id == 151645).count());
        assertThrows(IllegalStateException.class, () -> PromptTemplate.load("zerotir").renderChat(List.of(), true));
    }

    @Test
    void badTemplatesAreRejectedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PromptTemplate.load("alpaca")).getMessage().contains("zerotir"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("x", "no placeholder")).getMessage().contains("{problem}"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("x", "{problem} {problem}")).getMessage().contains("exactly once"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("x", "{problem} {answer}")).getMessage().contains("{answer}"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("x", "--- turn ---\n{role}{content}\n--- user ---\n{problem}\n"))
                .getMessage().contains("generation"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PromptTemplate.parse("x", "--- turn ---\n{role}\n--- generation ---\nA\n--- user ---\n{problem}\n"))
                .getMessage().contains("{content}"));
        assertEquals("[user] {problem}\n>", PromptTemplate.parse("x", "--- turn ---\n[{role}] {content}\n\n--- generation ---\n>\n--- user ---\n{problem}\n").render("{problem}"));
    }

    @Test
    void theMiniTemplateIsTheFrameOfTheMiniBaseCorpus() {
        // the mini models learnt this frame in pre-training; RL must pose problems in exactly it
        String problem = "What is 347 * 58?";
        assertEquals(org.zerotir.data.BaseCorpus.toolPrompt(problem), PromptTemplate.load("mini").render(problem));
    }
}
