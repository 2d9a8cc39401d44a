-- NEM legacy-period transitions and runs of recurring tasks (SQLite
-- dialect).
--
-- nem_legacy_transitions: one row per interconnection whose NEM 1.0/2.0
-- legacy period ended and whose "nem" enrollment moved to the successor
-- tariff (the old enrollment ended on on_date, the new one starts on it).
CREATE TABLE nem_legacy_transitions (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL UNIQUE REFERENCES nem_applications (id),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    from_program TEXT NOT NULL,
    from_label TEXT NOT NULL,
    to_program TEXT NOT NULL,
    to_label TEXT NOT NULL,
    pto_on TEXT NOT NULL,
    on_date TEXT NOT NULL,
    old_enrollment_id INTEGER REFERENCES enrollments (id),
    new_enrollment_id INTEGER NOT NULL REFERENCES enrollments (id),
    at_unix INTEGER NOT NULL,
    actor TEXT NOT NULL
) STRICT;
CREATE INDEX nem_legacy_transitions_on ON nem_legacy_transitions (on_date, id);

-- task_runs: what each run of a recurring task (a scheduled job or its
-- CLI command) did, newest last; the console shows the latest.
CREATE TABLE task_runs (
    id INTEGER PRIMARY KEY,
    task TEXT NOT NULL,
    on_date TEXT NOT NULL,
    started_unix INTEGER NOT NULL,
    finished_unix INTEGER NOT NULL,
    actor TEXT NOT NULL,
    summary TEXT NOT NULL,
    counts_json TEXT NOT NULL DEFAULT '{}',
    error TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX task_runs_task ON task_runs (task, id);
