-- A run is a validated configuration plus a state machine (DESIGN.md §5):
-- QUEUED -> RUNNING -> COMPLETED | FAILED | STOPPED. A stopped or crashed run resumes from its last
-- checkpoint, so current_step is the last step whose metrics are stored, not a progress estimate.
CREATE TABLE runs (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    name          text        NOT NULL CHECK (length(name) > 0),
    status        text        NOT NULL DEFAULT 'QUEUED'
                  CONSTRAINT runs_status_check
                  CHECK (status IN ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'STOPPED')),
    config        jsonb       NOT NULL,
    current_step  integer     NOT NULL DEFAULT 0 CHECK (current_step >= 0),
    error_message text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    finished_at   timestamptz
);

-- The runs list and the scheduler both read the newest runs first.
CREATE INDEX runs_created_at_idx ON runs (created_at DESC);
