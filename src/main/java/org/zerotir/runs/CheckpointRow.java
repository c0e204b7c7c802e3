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

/** A checkpoint the trainer wrote (its files are in the run's directory). */
@Entity
@Table(name = "checkpoints")
@IdClass(CheckpointRow.Key.class)
public class CheckpointRow extends PanacheEntityBase {

    /** The composite primary key, as Hibernate's @IdClass wants it: a class with the same field names. */
    public static class Key implements Serializable {
        public UUID runId;
        public int step;

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && java.util.Objects.equals(runId, key.runId) && step == key.step;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(runId, step);
        }
    }

    @Id
    @Column(name = "run_id")
    public UUID runId;

    @Id
    public int step;

    @Column(nullable = false)
    public String path;

    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;
}
