package org.zerotir.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.zerotir.eval.ResponseRecord;
import org.zerotir.rollout.CodeRunner;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The table {@code evaluation_responses} (db-migrations/V3_1__evaluation_responses.sql): every response an
 * evaluation judged, written in one batch, read back by page or whole (the headline table is rebuilt from them).
 * Plain JDBC: thousands of rows go in one batch, and the datasource joins the caller's transaction.
 */
@ApplicationScoped
public class EvaluationResponses {

    /** One stored response as the API shows it. */
    public record View(int position, String problemId, int sample, String response, String answer, String reference, boolean correct,
                       boolean usedCode, int calls, int length, boolean truncated, JsonNode executions) {}

    public record Page(List<View> items, int page, int size, long total) {}

    private static final String INSERT = """
            INSERT INTO evaluation_responses (evaluation_id, position, problem_id, sample, response, answer, reference, correct,
                                              used_code, length, truncated, executions)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb)""";
    private static final String COLUMNS = "position, problem_id, sample, response, answer, reference, correct, used_code, length, truncated, executions";

    /** Looked up on use: in sandbox-only mode the datasource is inactive, and injecting it directly fails startup. */
    private final Instance<DataSource> dataSource;
    private final ObjectMapper json;

    public EvaluationResponses(Instance<DataSource> dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    /** Stores the records in their order (records.get(i) at position i); call inside the transaction that completes the evaluation. */
    public void store(UUID evaluation, List<ResponseRecord> records) {
        try (Connection connection = dataSource.get().getConnection(); PreparedStatement insert = connection.prepareStatement(INSERT)) {
            for (int i = 0; i < records.size(); i++) {
                ResponseRecord r = records.get(i);
                insert.setObject(1, evaluation);
                insert.setInt(2, i);
                insert.setString(3, text(r.problemId()));
                insert.setInt(4, r.sample());
                insert.setString(5, text(r.responseText()));
                insert.setString(6, r.answer() == null ? null : text(r.answer()));
                insert.setString(7, text(r.reference()));
                insert.setBoolean(8, r.correct());
                insert.setBoolean(9, r.usedCode());
                insert.setInt(10, r.length());
                insert.setBoolean(11, r.truncated());
                insert.setString(12, executions(r.executions()));
                insert.addBatch();
                if (i % 500 == 499) insert.executeBatch();
            }
            insert.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot store the responses of evaluation " + evaluation + ": " + e.getMessage(), e);
        }
    }

    /** A page of responses in benchmark order; correct (when not null) keeps only right or only wrong ones. */
    public Page page(UUID evaluation, Boolean correct, int page, int size) {
        String where = " WHERE evaluation_id = ?" + (correct == null ? "" : " AND correct = ?");
        try (Connection connection = dataSource.get().getConnection();
             PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM evaluation_responses" + where);
             PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM evaluation_responses" + where
                     + " ORDER BY position LIMIT ? OFFSET ?")) {
            bind(count, evaluation, correct);
            long total;
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                total = rows.getLong(1);
            }
            int next = bind(select, evaluation, correct);
            select.setInt(next, size);
            select.setLong(next + 1, (long) page * size);
            return new Page(read(select), page, size, total);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the responses of evaluation " + evaluation + ": " + e.getMessage(), e);
        }
    }

    /** Every response, as the evaluator produced them: what the summary and the headline table are computed from. */
    public List<ResponseRecord> records(UUID evaluation) {
        try (Connection connection = dataSource.get().getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM evaluation_responses WHERE evaluation_id = ? ORDER BY position")) {
            select.setObject(1, evaluation);
            List<ResponseRecord> records = new ArrayList<>();
            for (View v : read(select)) {
                List<CodeRunner.Execution> executions = new ArrayList<>();
                for (JsonNode e : v.executions()) {
                    executions.add(new CodeRunner.Execution(e.path("code").asText(), e.path("output").asText(),
                            CodeRunner.Status.valueOf(e.path("status").asText()), e.path("durationMillis").asLong()));
                }
                records.add(new ResponseRecord(v.problemId(), v.sample(), v.correct(), v.answer(), v.reference(), v.length(), v.truncated(),
                        executions, v.response()));
            }
            return records;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the responses of evaluation " + evaluation + ": " + e.getMessage(), e);
        }
    }

    private static int bind(PreparedStatement statement, UUID evaluation, Boolean correct) throws SQLException {
        statement.setObject(1, evaluation);
        if (correct == null) return 2;
        statement.setBoolean(2, correct);
        return 3;
    }

    private List<View> read(PreparedStatement select) throws SQLException {
        List<View> views = new ArrayList<>();
        try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                JsonNode executions = parse(rows.getString(11));
                views.add(new View(rows.getInt(1), rows.getString(2), rows.getInt(3), rows.getString(4), rows.getString(5), rows.getString(6),
                        rows.getBoolean(7), rows.getBoolean(8), executions.size(), rows.getInt(9), rows.getBoolean(10), executions));
            }
        }
        return views;
    }

    private String executions(List<CodeRunner.Execution> executions) {
        ArrayNode array = json.createArrayNode();
        for (CodeRunner.Execution e : executions) {
            array.addObject().put("code", text(e.code())).put("output", text(e.output())).put("status", e.status().name())
                    .put("durationMillis", e.durationMillis());
        }
        return array.toString();
    }

    private JsonNode parse(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** PostgreSQL text cannot hold NUL, which a model or a program may well print. */
    private static String text(String value) {
        return value == null ? "" : value.replace("\u0000", "\uFFFD");
    }
}
