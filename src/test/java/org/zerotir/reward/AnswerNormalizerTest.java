package org.zerotir.reward;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AnswerNormalizerTest {

    private static void becomes(String expected, String raw) {
        assertEquals(expected, AnswerNormalizer.normalize(raw), raw);
    }

    @Test
    void presentationIsRemoved() {
        becomes("\\frac{1}{2}", "$\\dfrac12$");
        becomes("\\frac{1}{2}", "\\boxed{\\tfrac{1}{2}}");
        becomes("\\frac{1}{2}", "$\\boxed{\\frac 1 2}$");
        becomes("(3,\\frac{\\pi}{2})", "\\left( 3, \\frac{\\pi}{2} \\right)");
        becomes("\\{1,2\\}", "\\left\\{ 1, 2 \\right\\}");
        becomes("90", "90^\\circ");
        becomes("90", "90^{\\circ}");
        becomes("90", "90°");
        becomes("32348", "\\$32,\\!348");
        becomes("10080", "10,\\!080");
        becomes("11111111100", "11,\\! 111,\\! 111,\\! 100");
        becomes("1000", "1{,}000");
        becomes("5.4", "5.4 \\text{ cents}");
        becomes("864", "864 \\mbox{ inches}^2");
        becomes("15", "15\\mbox{ cm}^2");
        becomes("\\frac{270}{7}", "\\frac{270}7\\text{ degrees}");
        becomes("36", "36 dollars");
        becomes("15", "15 square units");
        becomes("12", "12 ft^2");
        becomes("7", "7 Students.");
        becomes("3m", "3 m"); // a single letter may be a variable
        becomes("2\\sec", "2 \\sec");
        becomes("east", "east");
        becomes("Evelyn", "\\text{Evelyn}");
        becomes("C", "\\text{(C)}");
        becomes("C", "\\textbf{(C)}");
        becomes("3+2i", "3+2\\mathrm{i}");
        becomes("0.0000672", ".0000672");
        becomes("42", "42.");
        becomes("7\\frac{1}{2}", "7 1/2");
        becomes("\\sqrt{2}", "\\sqrt2");
        becomes("x^2", "x^{2}");
        becomes("4210_5", "4210_{5}");
        becomes("p-q", "p - q");
        becomes("3,4", "3\\text{ and }4");
        becomes("\\infty", "+\\infty");
        becomes("50%", "50\\%");
        becomes("\\leq", "\\le");
        becomes("\\begin{pmatrix}1\\\\2\\end{pmatrix}", "\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}");
        becomes("x\\rightarrow", "x \\rightarrow");
    }

    @Test
    void variablePrefixesGoOnlyWhenSomethingIsLeft() {
        assertEquals("5", AnswerNormalizer.stripVariablePrefix("x=5"));
        assertEquals("x^2", AnswerNormalizer.stripVariablePrefix("f(x)=x^2"));
        assertEquals("\\frac{\\pi}{2}", AnswerNormalizer.stripVariablePrefix("\\theta=\\frac{\\pi}{2}"));
        assertEquals("[-2,7]", AnswerNormalizer.stripVariablePrefix("x\\in[-2,7]"));
        assertEquals("x=", AnswerNormalizer.stripVariablePrefix("x="));
        assertEquals("x=y=2", AnswerNormalizer.stripVariablePrefix("x=y=2"));
        assertEquals("2x+3=y", AnswerNormalizer.stripVariablePrefix("2x+3=y"));
    }
}
