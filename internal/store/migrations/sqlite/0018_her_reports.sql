-- Home energy reports (SQLite dialect): one report per account per
-- monthly cycle, its neighbor comparison frozen when first made so that a
-- re-render (web or print) shows the same neighbors and numbers. Usage is
-- in Wh per day; neighbor_ids is a JSON array of account ids.
CREATE TABLE her_reports (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    cycle TEXT NOT NULL,
    usage_wh_per_day INTEGER NOT NULL,
    average_wh_per_day INTEGER NOT NULL,
    efficient_wh_per_day INTEGER NOT NULL,
    standing TEXT NOT NULL,
    neighbors INTEGER NOT NULL,
    neighbor_ids TEXT NOT NULL,
    grouping TEXT NOT NULL,
    shape_json TEXT NOT NULL,
    created_unix INTEGER NOT NULL,
    UNIQUE (account_id, cycle)
) STRICT;
