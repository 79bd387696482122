-- Dong meetings (DESIGN §1, §7): two per dong each cycle, the district committee and the yearly
-- forum; residents' answers, reminders, check-in and attendance; facilitators and Budget School.

CREATE TABLE meetings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    cycle_id     BIGINT NOT NULL REFERENCES cycles (id),
    area_key     TEXT NOT NULL REFERENCES areas (key),
    stage        TEXT NOT NULL CHECK (stage IN ('first', 'second', 'committee', 'forum')),
    starts_at    BIGINT NOT NULL,
    ends_at      BIGINT NOT NULL,
    venue_ko     TEXT NOT NULL,
    venue_en     TEXT,
    notes        TEXT,
    capacity     INTEGER CHECK (capacity > 0),
    -- Raised at every move or cancellation: calendars update their copy, reminders start over.
    sequence     INTEGER NOT NULL DEFAULT 0,
    cancelled_at BIGINT,
    created_by   BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX meetings_by_start ON meetings (starts_at);
CREATE INDEX meetings_by_area ON meetings (area_key, starts_at);

-- A resident's answer: going (1) or not (0); the latest answer counts.
CREATE TABLE meeting_rsvps (
    meeting_id  BIGINT NOT NULL REFERENCES meetings (id),
    telegram_id BIGINT NOT NULL REFERENCES users (telegram_id) ON DELETE CASCADE,
    going       INTEGER NOT NULL CHECK (going IN (0, 1)),
    answered_at BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, telegram_id)
);

-- Each reminder queued, so none is queued twice, across restarts and replicas. A moved meeting
-- (a new sequence) is reminded of again.
CREATE TABLE meeting_reminders (
    meeting_id     BIGINT NOT NULL REFERENCES meetings (id),
    telegram_id    BIGINT NOT NULL REFERENCES users (telegram_id) ON DELETE CASCADE,
    offset_minutes INTEGER NOT NULL,
    sequence       INTEGER NOT NULL,
    queued_at      BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, telegram_id, offset_minutes, sequence)
);

-- A check-in window opened by a facilitator or official: residents send its code (or open its
-- t.me link) while it is open.
CREATE TABLE checkins (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    code       TEXT NOT NULL UNIQUE,
    opened_by  BIGINT NOT NULL,
    opened_at  BIGINT NOT NULL,
    closes_at  BIGINT NOT NULL,
    closed_at  BIGINT
);

CREATE TABLE attendance (
    meeting_id    BIGINT NOT NULL REFERENCES meetings (id),
    telegram_id   BIGINT NOT NULL REFERENCES users (telegram_id) ON DELETE CASCADE,
    checkin_id    BIGINT NOT NULL REFERENCES checkins (id),
    checked_in_at BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, telegram_id)
);

-- Who may open check-in besides officials. Revoking deletes the row (and is audited).
CREATE TABLE facilitators (
    telegram_id BIGINT PRIMARY KEY,
    granted_by  BIGINT NOT NULL,
    granted_at  BIGINT NOT NULL
);

-- Budget School courses a resident completed.
CREATE TABLE course_completions (
    telegram_id  BIGINT NOT NULL REFERENCES users (telegram_id) ON DELETE CASCADE,
    course       TEXT NOT NULL CHECK (course IN ('basic', 'instructor', 'committee')),
    completed_on TEXT NOT NULL,
    recorded_by  BIGINT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    PRIMARY KEY (telegram_id, course)
);

-- The residents' PB committee of a cycle, appointed by officials from the eligible.
CREATE TABLE committee_members (
    cycle_id     BIGINT NOT NULL REFERENCES cycles (id),
    telegram_id  BIGINT NOT NULL REFERENCES users (telegram_id) ON DELETE CASCADE,
    appointed_by BIGINT NOT NULL,
    appointed_at BIGINT NOT NULL,
    PRIMARY KEY (cycle_id, telegram_id)
);
