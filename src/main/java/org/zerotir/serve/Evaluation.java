package org.zerotir.serve;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.CreationTimestamp;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.UUID;

/** One row of {@code evaluations} (db-migrations/V2_1__evaluations.sql), which Flyway owns. */
@Entity
@Table(name = "evaluations")
public class Evaluation extends PanacheEntityBase {

    public enum Status { QUEUED, RUNNING, COMPLETED, FAILED }

    @Id
    @GeneratedValue
    public UUID id;

    @Column(nullable = false)
    public String model;

    @Column(nullable = false)
    public String benchmark;

    /** samples, temperature, tool, limit, ... as JSON. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public String settings;

    @Column(nullable = false)
    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public Status status = Status.QUEUED;

    /** avg@k, pass@k, code_ratio, calls_per_response, response_length, no_answer_rate, truncated_rate. */
    @JdbcTypeCode(SqlTypes.JSON)
    public String summary;

    /** The eval/<benchmark>/... metrics. */
    @JdbcTypeCode(SqlTypes.JSON)
    public String metrics;

    @Column(name = "error_message")
    public String errorMessage;

    @CreationTimestamp
    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "finished_at")
    public Instant finishedAt;
}
