-- Energy Team cases (SQLite dialect): one account's conversation with the
-- Energy Team — who opened it (advisor or portal), its status, advisor,
-- recommended options (JSON array of option codes) and follow-up date —
-- with its notes (shared ones shown to the customer) and its referrals to
-- programs (a referral to an incentive program links the draft
-- application it created). An account has at most one case not closed.
CREATE TABLE energy_team_cases (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    status TEXT NOT NULL CHECK (status IN ('open', 'advising', 'waiting_customer', 'referred', 'closed')),
    source TEXT NOT NULL CHECK (source IN ('advisor', 'portal')),
    subject TEXT NOT NULL,
    advisor TEXT NOT NULL DEFAULT '',
    recommended_json TEXT NOT NULL DEFAULT '[]',
    follow_up TEXT,
    opened_by TEXT NOT NULL,
    opened_unix INTEGER NOT NULL,
    updated_unix INTEGER NOT NULL,
    closed_unix INTEGER
) STRICT;
CREATE UNIQUE INDEX energy_team_cases_one_open ON energy_team_cases (account_id) WHERE status <> 'closed';
CREATE INDEX energy_team_cases_queue ON energy_team_cases (status, follow_up);

CREATE TABLE energy_team_notes (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES energy_team_cases (id),
    at_unix INTEGER NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    shared INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX energy_team_notes_case ON energy_team_notes (case_id, id);

CREATE TABLE energy_team_referrals (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES energy_team_cases (id),
    at_unix INTEGER NOT NULL,
    by_actor TEXT NOT NULL,
    option_code TEXT NOT NULL,
    program TEXT NOT NULL,
    measure TEXT NOT NULL DEFAULT '',
    application_id INTEGER REFERENCES incentive_applications (id),
    outcome TEXT NOT NULL
) STRICT;
CREATE INDEX energy_team_referrals_case ON energy_team_referrals (case_id, id);
