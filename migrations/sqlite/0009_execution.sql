-- Carrying out funded projects (DESIGN §1 execution, §8): one card per funded project, opened
-- when the outcome that funds it is published, and every update officials post to it.

CREATE TABLE execution_cards (
    proposal_id BIGINT PRIMARY KEY REFERENCES proposals (id),
    -- The round whose published outcome funded it.
    round_id    BIGINT NOT NULL REFERENCES ballot_rounds (id),
    department  TEXT CHECK (length(department) BETWEEN 1 AND 100),
    approved    BIGINT NOT NULL CHECK (approved > 0),
    spent       BIGINT NOT NULL DEFAULT 0 CHECK (spent >= 0),
    progress    INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    status      TEXT NOT NULL DEFAULT 'planned'
                CHECK (status IN ('planned', 'in_progress', 'delayed', 'completed', 'cancelled')),
    -- The last reason given (a cancellation, progress going back, spending over the approved
    -- amount), shown on the card.
    note        TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- Every update as posted: the card's state it set, the news in Korean (and English), the reason
-- when one was needed, a photo (Telegram file id), who posted it (NULL: an import).
CREATE TABLE execution_updates (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id   BIGINT NOT NULL REFERENCES execution_cards (proposal_id),
    status        TEXT NOT NULL,
    progress      INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
    spent         BIGINT NOT NULL CHECK (spent >= 0),
    text_ko       TEXT NOT NULL CHECK (length(text_ko) BETWEEN 1 AND 1000),
    text_en       TEXT CHECK (length(text_en) BETWEEN 1 AND 1000),
    reason        TEXT,
    photo_file_id TEXT,
    posted_by     BIGINT,
    posted_at     BIGINT NOT NULL
);
CREATE INDEX execution_updates_by_project ON execution_updates (proposal_id, id);

-- The year-end evaluation of an area's funded projects (DESIGN §8): opened once per cycle and
-- area, the area's verified residents invited once each; every answer is a 1–5 rating with an
-- optional comment, stored under a keyed hash of the resident (as ballots are), the last one
-- counting.
CREATE TABLE evaluations (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id  BIGINT NOT NULL REFERENCES cycles (id),
    area_key  TEXT NOT NULL REFERENCES areas (key),
    opened_by BIGINT,
    opened_at BIGINT NOT NULL,
    closes_at BIGINT NOT NULL,
    UNIQUE (cycle_id, area_key)
);
CREATE TABLE evaluation_answers (
    evaluation_id BIGINT NOT NULL REFERENCES evaluations (id),
    proposal_id   BIGINT NOT NULL REFERENCES proposals (id),
    resident_key  TEXT NOT NULL,
    rating        INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment       TEXT CHECK (length(comment) BETWEEN 1 AND 500),
    answered_at   BIGINT NOT NULL,
    PRIMARY KEY (evaluation_id, proposal_id, resident_key)
);

-- A funded project's milestones, as the department plans them: what, by when, and when it was
-- done. Replaced whole for a project on each import.
CREATE TABLE execution_milestones (
    proposal_id BIGINT NOT NULL REFERENCES execution_cards (proposal_id),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    title_ko    TEXT NOT NULL CHECK (length(title_ko) BETWEEN 1 AND 100),
    title_en    TEXT CHECK (length(title_en) BETWEEN 1 AND 100),
    -- YYYY-MM-DD, Seoul.
    due_on      TEXT NOT NULL,
    done_on     TEXT,
    PRIMARY KEY (proposal_id, seq)
);
