package org.zerotir.reward;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-written table of answer pairs in src/test/resources/reward/tricky-pairs.tsv, each checked both ways. */
class TrickyPairsTest {

    static List<Arguments> pairs() throws IOException {
        List<Arguments> rows = new ArrayList<>();
        try (var in = TrickyPairsTest.class.getResourceAsStream("/reward/tricky-pairs.tsv");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] cells = line.split("\t");
                if (cells.length != 3) throw new IllegalStateException("tricky-pairs.tsv line " + number + " has " + cells.length + " cells: " + line);
                MathEquivalence.Result expected = MathEquivalence.Result.valueOf(cells[2].strip());
                rows.add(Arguments.of(number, cells[0], cells[1], expected));
            }
        }
        assertTrue(rows.size() >= 150, "the table should hold at least 150 pairs, has " + rows.size());
        return rows;
    }

    @ParameterizedTest(name = "line {0}: {1} vs {2} -> {3}")
    @MethodSource("pairs")
    void bothDirectionsGiveTheExpectedVerdict(int line, String a, String b, MathEquivalence.Result expected) {
        MathEquivalence eq = MathEquivalence.standard();
        assertEquals(expected, eq.check(a, b).result(), () -> "line " + line + ": " + a + "  vs  " + b + " gave " + eq.check(a, b));
        assertEquals(expected, eq.check(b, a).result(), () -> "line " + line + " reversed: " + b + "  vs  " + a + " gave " + eq.check(b, a));
    }
}
