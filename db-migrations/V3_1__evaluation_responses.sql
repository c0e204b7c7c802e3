-- Every response an evaluation judged (org.zerotir.serve.EvaluationResponses), so that a summary can be checked
-- response by response and the headline table rebuilt from the records themselves. Written in the transaction
-- that marks the evaluation COMPLETED: a completed evaluation always has all of its responses. Numbered 3.1 (as
-- V2_1 was) to sit beside a V3 of the run service in any merge order.
CREATE TABLE evaluation_responses (
    evaluation_id uuid        NOT NULL REFERENCES evaluations (id) ON DELETE CASCADE,
    -- problem index * samples + sample: benchmark order, the samples of one problem together
    position      integer     NOT NULL CHECK (position >= 0),
    problem_id    text        NOT NULL,
    sample        integer     NOT NULL CHECK (sample >= 0),
    response      text        NOT NULL,
    -- the extracted final answer; NULL when the response gave none
    answer        text,
    reference     text        NOT NULL,
    correct       boolean     NOT NULL,
    used_code     boolean     NOT NULL,
    -- response tokens, tool outputs included (as response/length_mean counts them)
    length        integer     NOT NULL CHECK (length >= 0),
    truncated     boolean     NOT NULL,
    -- [{"code", "output", "status", "durationMillis"}, ...] in the order the model ran them
    executions    jsonb       NOT NULL,
    CONSTRAINT evaluation_responses_key PRIMARY KEY (evaluation_id, position)
);
