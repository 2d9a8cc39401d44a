-- Tracked incentive programs (SQLite dialect): projects followed through
-- milestones (Power Ready, CALeVIP investments, Building Electrification)
-- and engagements (Reach Code technical assistance, Energy Team cases).
CREATE TABLE incentive_projects (
    id INTEGER PRIMARY KEY,
    program TEXT NOT NULL,
    name TEXT NOT NULL,
    agency TEXT NOT NULL DEFAULT '',
    county TEXT NOT NULL DEFAULT '',
    partner TEXT NOT NULL DEFAULT '',
    facility TEXT NOT NULL DEFAULT '',
    backup_reserve_bp INTEGER NOT NULL DEFAULT 0 CHECK (backup_reserve_bp BETWEEN 0 AND 10000),
    battery_kwh INTEGER NOT NULL DEFAULT 0,
    solar_kw INTEGER NOT NULL DEFAULT 0,
    expected_kwh INTEGER NOT NULL DEFAULT 0,
    amount_cents INTEGER NOT NULL DEFAULT 0,
    equity INTEGER NOT NULL DEFAULT 0,
    chargers INTEGER NOT NULL DEFAULT 0,
    milestones_json TEXT NOT NULL DEFAULT '[]',
    source TEXT NOT NULL DEFAULT '',
    created_unix INTEGER NOT NULL
) STRICT;
CREATE INDEX incentive_projects_program ON incentive_projects (program, id);

CREATE TABLE incentive_engagements (
    id INTEGER PRIMARY KEY,
    program TEXT NOT NULL,
    agency TEXT NOT NULL DEFAULT '',
    account_id INTEGER REFERENCES accounts (id),
    channel TEXT NOT NULL,
    topic TEXT NOT NULL,
    status TEXT NOT NULL,
    referred_json TEXT NOT NULL DEFAULT '[]',
    follow_up TEXT,
    opened TEXT NOT NULL,
    closed TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_unix INTEGER NOT NULL
) STRICT;
CREATE INDEX incentive_engagements_program ON incentive_engagements (program, status, id);
