-- Interval quality and interval-file imports (SQLite dialect).
--
-- quality holds the readings of a block that are not actual (estimated,
-- edited …) as runs (see intervals.go); NULL means every reading is
-- actual, which is what every block written before this migration holds.
ALTER TABLE interval_blocks ADD COLUMN quality BLOB;

-- One row per interval file imported for a meter: what it was (name,
-- SHA-256, size, layout), who imported it when, and what it changed.
-- summary_json holds the per-channel summary. A later import of a
-- byte-identical file to the same meter names the first one in
-- previous_import_id.
CREATE TABLE interval_imports (
    id INTEGER PRIMARY KEY,
    meter_id INTEGER NOT NULL REFERENCES meters (id),
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    format TEXT NOT NULL,
    intervals INTEGER NOT NULL,
    added INTEGER NOT NULL,
    replaced INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    gaps INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    estimated INTEGER NOT NULL,
    previous_import_id INTEGER REFERENCES interval_imports (id),
    actor TEXT NOT NULL,
    at_unix INTEGER NOT NULL,
    summary_json TEXT NOT NULL
) STRICT;
CREATE INDEX interval_imports_meter ON interval_imports (meter_id, id);
CREATE INDEX interval_imports_sha256 ON interval_imports (meter_id, sha256, id);
