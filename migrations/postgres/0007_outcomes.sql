-- Round outcomes (DESIGN §6): projects officials exclude from a closed round for a legal
-- reason (the reason is public), and the official confirmation that publishes the outcome.

CREATE TABLE round_exclusions (
    round_id    BIGINT NOT NULL REFERENCES ballot_rounds (id),
    proposal_id BIGINT NOT NULL REFERENCES proposals (id),
    reason      TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    -- The official (NULL: the command line).
    excluded_by BIGINT,
    excluded_at BIGINT NOT NULL,
    PRIMARY KEY (round_id, proposal_id)
);

-- Once per round; the funded proposals as published (comma-separated) and what they cost.
CREATE TABLE round_publications (
    round_id     BIGINT PRIMARY KEY REFERENCES ballot_rounds (id),
    funded       TEXT NOT NULL,
    used         BIGINT NOT NULL CHECK (used >= 0),
    published_by BIGINT,
    published_at BIGINT NOT NULL
);
