-- The run service's records of what a run did (DESIGN.md §5). Every table is keyed so that writing the
-- same step twice (a retried batch, a step recomputed after a resume) replaces rows instead of adding
-- them: the service writes with INSERT ... ON CONFLICT DO UPDATE.

-- Per-step metrics under the names of org.zerotir.rl.MetricNames. Training metrics of step s (1-based:
-- the state after s updates) and held-out evaluations (eval/<benchmark>/...) share the table; step 0
-- holds the evaluation of the starting model. value is NULL where the trainer reported NaN or infinity.
CREATE TABLE metrics (
    run_id      uuid             NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step        integer          NOT NULL CHECK (step >= 0),
    name        text             NOT NULL CHECK (length(name) > 0),
    value       double precision,
    recorded_at timestamptz      NOT NULL DEFAULT now(),
    CONSTRAINT metrics_run_step_name_key PRIMARY KEY (run_id, step, name)
);

-- A few sampled responses per step, in full, for the rollout browser.
CREATE TABLE rollouts (
    run_id      uuid             NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step        integer          NOT NULL CHECK (step >= 1),
    sample      integer          NOT NULL CHECK (sample >= 0),
    problem     text             NOT NULL,
    reference   text             NOT NULL,
    response    text             NOT NULL,
    answer      text,
    reward      double precision NOT NULL,
    correct     boolean          NOT NULL,
    truncated   boolean          NOT NULL,
    fake_output boolean          NOT NULL,
    calls       integer          NOT NULL CHECK (calls >= 0),
    -- [{"code", "output", "status", "durationMillis"}, ...] in the order the model ran them
    executions  jsonb            NOT NULL,
    CONSTRAINT rollouts_run_step_sample_key PRIMARY KEY (run_id, step, sample)
);

-- Checkpoints the trainer wrote; the files live in the run's directory.
CREATE TABLE checkpoints (
    run_id     uuid        NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    step       integer     NOT NULL CHECK (step >= 1),
    path       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT checkpoints_run_step_key PRIMARY KEY (run_id, step)
);

-- API keys for the mutating endpoints, stored as the hex SHA-256 of the key: a leaked table gives no key.
CREATE TABLE api_keys (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL,
    key_sha256 text        NOT NULL UNIQUE CHECK (key_sha256 ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The scheduler takes the oldest queued run first.
CREATE INDEX runs_status_created_at_idx ON runs (status, created_at);
