-- Coordination between replicas: work claimed by one worker at a time, and scheduled jobs that
-- run once per slot however many replicas are scheduling them.

-- A unit of background work (a delivery, a reminder, a tally). A worker claims a batch with a
-- lease; a claim whose lease ran out (the worker died) may be claimed again.
CREATE TABLE work_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('queued', 'claimed', 'done')),
    claimed_by  TEXT,
    lease_until BIGINT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX work_items_claimable ON work_items (kind, state, id);

-- One row per run of a scheduled job: the primary key lets exactly one replica claim a slot
-- (e.g. job 'quarterly-digest', slot '2027Q1').
CREATE TABLE job_runs (
    job        TEXT NOT NULL,
    slot       TEXT NOT NULL,
    runner     TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    PRIMARY KEY (job, slot)
);
