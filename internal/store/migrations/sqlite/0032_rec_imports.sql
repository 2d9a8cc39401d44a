-- Certificates imported from another registry (SQLite dialect; issue 7):
-- an issuance's origin ('issued' here from a generation report, or
-- 'imported' from a WREGIS-style holdings or retirements report), the
-- other registry's batch and the first serial of the imported range, which
-- is kept as it was numbered there. An imported issuance has no generation
-- report, so report_id becomes nullable: SQLite cannot alter a column, so
-- rec_issuances is rebuilt (as 0006 rebuilt users); foreign keys are
-- deferred to the commit so that rec_blocks finds its issuances again.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE rec_issuances_copy AS SELECT * FROM rec_issuances;
DROP TABLE rec_issuances;
CREATE TABLE rec_issuances (
    id INTEGER PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES rec_facilities (id),
    report_id INTEGER REFERENCES rec_reports (id),
    revision INTEGER NOT NULL,
    vintage TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES rec_accounts (id),
    reported_wh INTEGER NOT NULL,
    eligible_wh INTEGER NOT NULL,
    credited_wh INTEGER NOT NULL,
    carry_in_wh INTEGER NOT NULL,
    carry_out_wh INTEGER NOT NULL CHECK (carry_out_wh >= 0 AND carry_out_wh < 1000000),
    quantity INTEGER NOT NULL CHECK (quantity >= 0),
    note TEXT NOT NULL,
    issued_unix INTEGER NOT NULL,
    origin TEXT NOT NULL DEFAULT 'issued' CHECK (origin IN ('issued', 'imported')),
    batch TEXT NOT NULL DEFAULT '',
    serial_start INTEGER NOT NULL DEFAULT 1 CHECK (serial_start >= 1),
    CHECK ((origin = 'issued') = (report_id IS NOT NULL)),
    CHECK ((origin = 'imported') = (batch <> ''))
) STRICT;
INSERT INTO rec_issuances (id, facility_id, report_id, revision, vintage, account_id, reported_wh, eligible_wh, credited_wh,
    carry_in_wh, carry_out_wh, quantity, note, issued_unix)
    SELECT id, facility_id, report_id, revision, vintage, account_id, reported_wh, eligible_wh, credited_wh,
    carry_in_wh, carry_out_wh, quantity, note, issued_unix FROM rec_issuances_copy;
DROP TABLE rec_issuances_copy;
CREATE INDEX rec_issuances_facility ON rec_issuances (facility_id, vintage);

-- A block of imported certificates carries its batch, so its serial
-- numbers read as the other registry wrote them ('' when issued here: the
-- batch is the issuance id).
ALTER TABLE rec_blocks ADD COLUMN batch TEXT NOT NULL DEFAULT '';
