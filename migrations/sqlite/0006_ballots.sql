-- Priority ballots (DESIGN §5): rounds, their projects fixed at opening, and ballots stored so
-- that the database alone cannot tell who voted how.

CREATE TABLE ballot_rounds (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id        BIGINT NOT NULL REFERENCES cycles (id),
    area_key        TEXT NOT NULL REFERENCES areas (key),
    stage           TEXT NOT NULL CHECK (stage IN ('dong', 'district', 'committee')),
    kind            TEXT NOT NULL CHECK (kind IN ('approval', 'ranked', 'knapsack', 'cumulative')),
    -- approval: at least min_picks, at most max_picks; ranked: max_picks is k.
    min_picks       INTEGER NOT NULL DEFAULT 0 CHECK (min_picks >= 0),
    max_picks       INTEGER CHECK (max_picks > 0),
    -- cumulative: points to spread, at most max_per_project on one project.
    points          INTEGER CHECK (points > 0),
    max_per_project INTEGER CHECK (max_per_project > 0),
    rule            TEXT NOT NULL CHECK (rule IN ('greedy', 'greedy-stop', 'mes', 'mes-completed', 'phragmen')),
    -- The area's pot in won, fixed when the round is created.
    pot             BIGINT NOT NULL CHECK (pot > 0),
    opens_at        BIGINT NOT NULL,
    closes_at       BIGINT NOT NULL,
    opened_at       BIGINT,
    closed_at       BIGINT,
    -- Set when the round could not open (no eligible project): it is closed at once.
    void_reason     TEXT,
    created_by      BIGINT,
    created_at      BIGINT NOT NULL,
    CHECK (closes_at > opens_at)
);
CREATE INDEX ballot_rounds_by_cycle ON ballot_rounds (cycle_id, opens_at);

-- The projects of a round: the area's eligible proposals at opening, with their reviewed cost
-- as it was then (later edits do not change a running ballot).
CREATE TABLE round_projects (
    round_id    BIGINT NOT NULL REFERENCES ballot_rounds (id),
    proposal_id BIGINT NOT NULL REFERENCES proposals (id),
    cost        BIGINT NOT NULL CHECK (cost > 0),
    PRIMARY KEY (round_id, proposal_id)
);

-- One ballot per voter and round, under voter_key = HMAC(server secret, round, voter). No
-- Telegram id, roll entry or time is kept, and the table has no row id, so neither the rows
-- nor their order lead back to a person. The receipt lets the voter find their ballot in the
-- published export.
CREATE TABLE ballots (
    round_id  BIGINT NOT NULL REFERENCES ballot_rounds (id),
    voter_key TEXT NOT NULL,
    -- The voter's dong, for turnout per dong.
    dong_key  TEXT REFERENCES areas (key),
    -- project:weight pairs (weight 1 for approval/knapsack, the place for ranked, points for cumulative).
    choices   TEXT NOT NULL,
    receipt   TEXT NOT NULL UNIQUE,
    source    TEXT NOT NULL CHECK (source IN ('chat', 'paper')),
    PRIMARY KEY (round_id, voter_key)
) WITHOUT ROWID;

-- A ballot being built in chat (survives restarts), from the moment the voter opens it; keyed
-- like ballots. Only the live ballot message (message_id, in the voter's chat) takes taps.
CREATE TABLE ballot_drafts (
    round_id   BIGINT NOT NULL REFERENCES ballot_rounds (id),
    voter_key  TEXT NOT NULL,
    choices    TEXT NOT NULL,
    message_id BIGINT,
    PRIMARY KEY (round_id, voter_key)
) WITHOUT ROWID;

-- The one reminder before close, per voter and round (keyed like ballots).
CREATE TABLE ballot_reminders (
    round_id  BIGINT NOT NULL REFERENCES ballot_rounds (id),
    voter_key TEXT NOT NULL,
    PRIMARY KEY (round_id, voter_key)
) WITHOUT ROWID;

-- Residents who asked for no voting reminders.
CREATE TABLE ballot_reminder_opt_outs (
    telegram_id BIGINT PRIMARY KEY REFERENCES users (telegram_id) ON DELETE CASCADE,
    opted_at    BIGINT NOT NULL
);
