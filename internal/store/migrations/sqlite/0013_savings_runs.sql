-- Portfolio savings runs (SQLite dialect): one CalTRACK evaluation of every
-- metered account enrolled in a program, worked as a durable job. Each
-- enrollment's start is its intervention date (the blackout start); the
-- blackout lasts blackout_days. Results hold reported energy rounded to
-- whole Wh, one row per meter, written as the job goes so a retried job
-- resumes where it stopped.
CREATE TABLE savings_runs (
    id INTEGER PRIMARY KEY,
    program TEXT NOT NULL,
    method TEXT NOT NULL,
    fuel TEXT NOT NULL,
    blackout_days INTEGER NOT NULL,
    status TEXT NOT NULL,
    job_id INTEGER,
    actor TEXT NOT NULL,
    created_unix INTEGER NOT NULL,
    finished_unix INTEGER
) STRICT;

CREATE TABLE savings_results (
    run_id INTEGER NOT NULL REFERENCES savings_runs (id),
    meter_id INTEGER NOT NULL REFERENCES meters (id),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    blackout_start TEXT NOT NULL,
    status TEXT NOT NULL,
    model_type TEXT NOT NULL,
    sufficient INTEGER NOT NULL,
    disqualifications TEXT NOT NULL,
    predicted_wh INTEGER NOT NULL,
    observed_wh INTEGER NOT NULL,
    savings_wh INTEGER NOT NULL,
    fsu_ppm INTEGER,
    error TEXT NOT NULL,
    PRIMARY KEY (run_id, meter_id)
) STRICT;
