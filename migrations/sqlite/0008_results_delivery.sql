-- Results delivery (DESIGN §6, §8).

-- The outcome as it was published (JSON: rule, pot, used, ballots, and every project with its
-- title, cost, votes, score, funded or excluded with the reason), so `/results` and the voters'
-- explanations show exactly what was confirmed, without a recount. NULL only for rounds
-- published before it was kept.
ALTER TABLE round_publications ADD COLUMN outcome TEXT;

-- Pictures the bot pushes (a round's results chart). Uploaded with the first message that
-- carries it; Telegram's file_id is then kept and every later message reuses it, so a broadcast
-- to thousands uploads the picture once.
CREATE TABLE media (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    -- A file name, for the upload (`results-12-ko.png`).
    name       TEXT NOT NULL,
    bytes      BLOB NOT NULL,
    file_id    TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX media_by_name ON media (name);

-- A broadcast with a picture: its text is the caption (at most 1,024 characters).
ALTER TABLE broadcasts ADD COLUMN photo_ko BIGINT REFERENCES media (id);
ALTER TABLE broadcasts ADD COLUMN photo_en BIGINT REFERENCES media (id);

-- Survey scores imported for a committee round, by project: the third source of a blended
-- outcome (DESIGN §6; weights in the district file). Replaced whole on each import.
CREATE TABLE round_survey (
    round_id    BIGINT NOT NULL REFERENCES ballot_rounds (id),
    proposal_id BIGINT NOT NULL REFERENCES proposals (id),
    score       BIGINT NOT NULL CHECK (score >= 0),
    PRIMARY KEY (round_id, proposal_id)
);
