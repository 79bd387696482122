-- Verified residents (DESIGN §4). No phone number or code is ever stored in clear: only their
-- HMAC-SHA256 under the server secret (PB_SECRET).

-- The district's resident roll, imported by officials.
CREATE TABLE roll_entries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    dong_key     TEXT NOT NULL REFERENCES areas (key),
    phone_hash   TEXT NOT NULL UNIQUE,
    birth_year   INTEGER,
    external_ref TEXT,
    imported_at  BIGINT NOT NULL
);

-- One-time verification codes, issued per dong, single-use, expiring.
CREATE TABLE verification_codes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code_hash  TEXT NOT NULL UNIQUE,
    dong_key   TEXT NOT NULL REFERENCES areas (key),
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    issued_by  BIGINT,
    created_at BIGINT NOT NULL
);

-- Who is verified, and through what: a roll entry (phone) or a redeemed code. Each roll entry
-- and each code verifies at most one account; forgetting a user deletes their row.
CREATE TABLE residents (
    telegram_id   BIGINT PRIMARY KEY REFERENCES users (telegram_id) ON DELETE CASCADE,
    dong_key      TEXT NOT NULL REFERENCES areas (key),
    method        TEXT NOT NULL CHECK (method IN ('phone', 'code')),
    roll_entry_id BIGINT UNIQUE REFERENCES roll_entries (id),
    code_id       BIGINT UNIQUE REFERENCES verification_codes (id),
    verified_at   BIGINT NOT NULL
);

-- Wrong codes per account, and the lockout they lead to.
CREATE TABLE code_attempts (
    telegram_id  BIGINT PRIMARY KEY REFERENCES users (telegram_id) ON DELETE CASCADE,
    failures     INTEGER NOT NULL,
    locked_until BIGINT
);

-- What a resident follows: their dong, a project, district-wide announcements.
CREATE TABLE subscriptions (
    telegram_id BIGINT NOT NULL REFERENCES users (telegram_id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('dong', 'project', 'district')),
    target      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (telegram_id, kind, target)
);
