-- Delivery of every push (DESIGN §8): an outbox written in the same transaction as the event
-- that causes it, drained by the delivery worker within Telegram's limits.

-- The language a user reads: the one they chose, else their Telegram app's when it is Korean or
-- English; NULL means the district's default. Kept up to date with every update they send, so a
-- broadcast can pick each recipient's text in one statement.
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('ko', 'en'));
-- Set when Telegram says the user blocked the bot or left; cleared when they write again.
ALTER TABLE users ADD COLUMN blocked_at BIGINT;

UPDATE users SET language = COALESCE(chosen_language,
    CASE
        WHEN lower(telegram_language) = 'ko' OR lower(telegram_language) LIKE 'ko-%'
             OR lower(telegram_language) LIKE 'ko\_%' ESCAPE '\' THEN 'ko'
        WHEN lower(telegram_language) = 'en' OR lower(telegram_language) LIKE 'en-%'
             OR lower(telegram_language) LIKE 'en\_%' ESCAPE '\' THEN 'en'
    END);

-- One message to many: an announcement, a new eligible proposal for a dong's followers. Its text
-- is rendered once per language when it is written; each outbox row picks one by language.
CREATE TABLE broadcasts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    -- What it is about: an area key for an announcement, a proposal id for a proposal's news.
    subject    TEXT,
    text_ko    TEXT NOT NULL,
    text_en    TEXT NOT NULL,
    -- Inline keyboards as Bot API JSON, per language, or NULL.
    markup_ko  TEXT,
    markup_en  TEXT,
    recipients INTEGER NOT NULL DEFAULT 0,
    created_by BIGINT,
    created_at BIGINT NOT NULL
);

-- One row per message per recipient. A personal notice carries its own text; a broadcast's row
-- names the broadcast and the recipient's language.
--   queued  → claimed (by one worker, until lease_until) → sending → sent
--   a 429, a 5xx or a network error puts it back to queued with next_at later; after the last
--   attempt it is failed (with the reason), as is a request Telegram refuses outright; a
--   recipient who blocked the bot makes it blocked.
-- lane 0 carries personal notices (a resident's own proposal, their meeting), lane 1 broadcasts,
-- so a big broadcast never holds up a personal notice. Within a chat and a lane, rows are sent in
-- id order.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id      BIGINT NOT NULL,
    lane         INTEGER NOT NULL CHECK (lane IN (0, 1)),
    broadcast_id BIGINT REFERENCES broadcasts (id),
    lang         TEXT CHECK (lang IN ('ko', 'en')),
    text         TEXT,
    markup       TEXT,
    state        TEXT NOT NULL CHECK (state IN ('queued', 'claimed', 'sending', 'sent', 'failed', 'blocked')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      BIGINT NOT NULL,
    claimed_by   TEXT,
    lease_until  BIGINT,
    last_error   TEXT,
    message_id   BIGINT,
    created_at   BIGINT NOT NULL,
    sent_at      BIGINT,
    CHECK (text IS NOT NULL OR broadcast_id IS NOT NULL)
);
-- What a worker may claim next, in lane and id order; finished rows drop out of the index.
CREATE INDEX outbox_pending ON outbox (lane, id) WHERE state IN ('queued', 'claimed', 'sending');
-- Earlier rows of the same chat, for ordering; and a chat's rows when it blocks the bot.
CREATE INDEX outbox_by_chat ON outbox (chat_id, lane, id);
CREATE INDEX outbox_by_broadcast ON outbox (broadcast_id, state);
