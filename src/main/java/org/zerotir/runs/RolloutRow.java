package org.zerotir.runs;

import java.io.Serializable;
import java.util.UUID;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/** One sampled response of a step, in full (db-migrations/V2__run_service.sql). */
@Entity
@Table(name = "rollouts")
@IdClass(RolloutRow.Key.class)
public class RolloutRow extends PanacheEntityBase {

    /** The composite primary key, as Hibernate's @IdClass wants it: a class with the same field names. */
    public static class Key implements Serializable {
        public UUID runId;
        public int step;
        public int sample;

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && java.util.Objects.equals(runId, key.runId) && step == key.step && sample == key.sample;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(runId, step, sample);
        }
    }

    @Id
    @Column(name = "run_id")
    public UUID runId;

    @Id
    public int step;

    @Id
    public int sample;

    @Column(nullable = false)
    public String problem;

    @Column(nullable = false)
    public String reference;

    @Column(nullable = false)
    public String response;

    public String answer;

    @Column(nullable = false)
    public double reward;

    @Column(nullable = false)
    public boolean correct;

    @Column(nullable = false)
    public boolean truncated;

    @Column(name = "fake_output", nullable = false)
    public boolean fakeOutput;

    @Column(nullable = false)
    public int calls;

    /** {@code [{"code", "output", "status", "durationMillis"}]}, as JSON. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public String executions;
}
