-- Foundation schema. Timestamps are UTC seconds since the Unix epoch; money is whole won.
-- The PostgreSQL twin (migrations/postgres) keeps the same tables, columns and meaning.

CREATE TABLE users (
    telegram_id       BIGINT PRIMARY KEY,
    -- The language the resident chose with /lang ('ko' / 'en'), NULL until they choose.
    chosen_language   TEXT CHECK (chosen_language IN ('ko', 'en')),
    -- Telegram's language_code of the last update, as reported by the app.
    telegram_language TEXT,
    first_seen        BIGINT NOT NULL,
    last_seen         BIGINT NOT NULL
);

CREATE TABLE areas (
    key       TEXT PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('dong', 'district')),
    name_ko   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    pot       BIGINT NOT NULL CHECK (pot >= 0),
    position  INTEGER NOT NULL,
    -- An area dropped from the district file stays for its proposals but takes no new ones.
    -- 0/1 rather than BOOLEAN: sqlx's Any driver cannot read SQLite's BOOLEAN.
    active    INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE cycles (
    id               INTEGER PRIMARY KEY,
    year             INTEGER NOT NULL UNIQUE,
    phase            TEXT NOT NULL,
    phase_changed_at BIGINT NOT NULL,
    created_at       BIGINT NOT NULL
);

CREATE TABLE officials (
    telegram_id BIGINT PRIMARY KEY,
    name        TEXT NOT NULL,
    -- 'config' (district file or PB_OFFICIALS, re-synced at every start) or 'admin' (added by an official).
    source      TEXT NOT NULL CHECK (source IN ('config', 'admin')),
    added_by    BIGINT,
    added_at    BIGINT NOT NULL
);

CREATE TABLE proposals (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id        INTEGER NOT NULL REFERENCES cycles (id),
    area_key        TEXT NOT NULL REFERENCES areas (key),
    -- NULL once the proposer has asked to be forgotten; the proposal itself stays public.
    proposer_id     BIGINT REFERENCES users (telegram_id) ON DELETE SET NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    estimated_cost  BIGINT NOT NULL CHECK (estimated_cost > 0),
    reviewed_cost   BIGINT CHECK (reviewed_cost > 0),
    status          TEXT NOT NULL CHECK (status IN ('submitted', 'eligible', 'ineligible')),
    ineligible_reason TEXT,
    photo_file_id   TEXT,
    latitude        DOUBLE PRECISION,
    longitude       DOUBLE PRECISION,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX proposals_by_area ON proposals (cycle_id, area_key, id);
CREATE INDEX proposals_by_proposer ON proposals (proposer_id, created_at);
CREATE INDEX proposals_by_status ON proposals (cycle_id, status, id);

-- Every status a proposal has had, in order: submission, review, and later stages.
CREATE TABLE proposal_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    status      TEXT NOT NULL,
    note        TEXT,
    actor_id    BIGINT,
    at          BIGINT NOT NULL
);
CREATE INDEX proposal_history_by_proposal ON proposal_history (proposal_id, id);

-- Where each resident is in a multi-step dialogue (JSON), so a restart resumes it.
CREATE TABLE dialogues (
    telegram_id BIGINT PRIMARY KEY,
    state       TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Append-only record of every official action.
CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       BIGINT NOT NULL,
    actor_id BIGINT,
    action   TEXT NOT NULL,
    subject  TEXT,
    detail   TEXT
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
