package org.zerotir.runs;

import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

/**
 * One row of {@code metrics} (db-migrations/V2__run_service.sql): a metric's value at a step. Written in
 * batches by {@link MetricsWriter} with plain SQL upserts and read with plain SQL too
 * ({@link RunService#storedMetrics}: a dashboard polls, and Hibernate's per-row entities cost more CPU than the
 * query); the entity stays so that Hibernate validates the table against it at start.
 */
@Entity
@Table(name = "metrics")
@IdClass(MetricRow.Key.class)
public class MetricRow extends PanacheEntityBase {

    /** The composite primary key, as Hibernate's @IdClass wants it: a class with the same field names. */
    public static class Key implements Serializable {
        public UUID runId;
        public int step;
        public String name;

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && java.util.Objects.equals(runId, key.runId) && step == key.step && java.util.Objects.equals(name, key.name);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(runId, step, name);
        }
    }

    @Id
    @Column(name = "run_id")
    public UUID runId;

    @Id
    public int step;

    @Id
    public String name;

    /** Null where the trainer reported NaN or an infinity (JSON has neither). */
    public Double value;

    @Column(name = "recorded_at", insertable = false, updatable = false)
    public Instant recordedAt;
}
