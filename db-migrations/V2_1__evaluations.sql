-- Benchmark evaluations requested through POST /api/evaluations (org.zerotir.serve.EvaluationService): what was
-- asked (model, benchmark, settings), where it stands, and the summary (avg@k, pass@k, code use, lengths) and
-- the eval/<benchmark>/... metrics it produced. Numbered 2.1 to sit beside the run service's V2 in any merge order.
CREATE TABLE evaluations (
    id            uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    model         text        NOT NULL CHECK (length(model) > 0),
    benchmark     text        NOT NULL CHECK (length(benchmark) > 0),
    settings      jsonb       NOT NULL,
    status        text        NOT NULL DEFAULT 'QUEUED'
                  CONSTRAINT evaluations_status_check
                  CHECK (status IN ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED')),
    summary       jsonb,
    metrics       jsonb,
    error_message text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz
);

CREATE INDEX evaluations_created_at_idx ON evaluations (created_at DESC);
