-- Stored bill runs, bills and carried billing state (SQLite dialect).
--
-- bill_runs: one row per run of a billing cycle, with its counts.
CREATE TABLE bill_runs (
    id INTEGER PRIMARY KEY,
    cycle TEXT NOT NULL,
    read_day INTEGER NOT NULL CHECK (read_day BETWEEN 1 AND 28),
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'interrupted')),
    job_id INTEGER NOT NULL DEFAULT 0,
    actor TEXT NOT NULL,
    accounts INTEGER NOT NULL DEFAULT 0,
    billed INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    created_unix INTEGER NOT NULL,
    started_unix INTEGER,
    finished_unix INTEGER
) STRICT;
CREATE INDEX bill_runs_cycle ON bill_runs (cycle, id);

-- bills: every version of every bill, with the inputs it was computed
-- from (inputs_json: engine version, tariff version ids and hashes, the
-- interval data hash, the Terms and the State carried in) and the bill
-- document itself. JSON is kept as TEXT so that it is stored byte for
-- byte, after the small columns so that lists never read them (the
-- state first: the next cycle reads it). superseded_by is NULL while a
-- version is current; a new version is inserted, then the current one is
-- marked superseded by it. The one index (account, period start, version)
-- serves every lookup: a run reads its accounts as id ranges. Bills are
-- never deleted, so the references to them are not indexed.
CREATE TABLE bills (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    run_id INTEGER REFERENCES bill_runs (id),
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    superseded_by INTEGER REFERENCES bills (id),
    total_cents INTEGER NOT NULL,
    utility_total_cents INTEGER NOT NULL,
    cca_total_cents INTEGER NOT NULL,
    nem_balance_cents INTEGER NOT NULL,
    delivered_wh INTEGER NOT NULL,
    received_wh INTEGER NOT NULL,
    true_up INTEGER NOT NULL,
    estimated_intervals INTEGER NOT NULL,
    engine_version TEXT NOT NULL,
    intervals_sha256 TEXT NOT NULL,
    inputs_sha256 TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_unix INTEGER NOT NULL,
    state_after_json TEXT NOT NULL,
    inputs_json TEXT NOT NULL,
    bill_json TEXT NOT NULL,
    UNIQUE (account_id, period_start, version)
) STRICT;

-- billing_states: the State an account carries into its next bill, and
-- the first day of the period it applies to. bill_id names the bill that
-- left it; NULL marks an opening balance seeded from another system.
CREATE TABLE billing_states (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id),
    through TEXT NOT NULL,
    bill_id INTEGER REFERENCES bills (id),
    state_json TEXT NOT NULL,
    updated_unix INTEGER NOT NULL
) STRICT;

-- bill_run_accounts: what a run did with each account; a resumed run
-- skips the accounts listed here.
CREATE TABLE bill_run_accounts (
    run_id INTEGER NOT NULL REFERENCES bill_runs (id),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    status TEXT NOT NULL CHECK (status IN ('billed', 'unchanged', 'failed', 'skipped')),
    reason TEXT NOT NULL DEFAULT '',
    bill_id INTEGER REFERENCES bills (id),
    PRIMARY KEY (run_id, account_id)
) STRICT, WITHOUT ROWID;
