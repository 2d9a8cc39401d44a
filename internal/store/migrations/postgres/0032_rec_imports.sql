-- Certificates imported from another registry (PostgreSQL dialect; issue
-- 7): an issuance's origin ('issued' here from a generation report, or
-- 'imported' from a WREGIS-style holdings or retirements report), the
-- other registry's batch and the first serial of the imported range, which
-- is kept as it was numbered there. An imported issuance has no generation
-- report, so report_id becomes nullable.
ALTER TABLE rec_issuances ALTER COLUMN report_id DROP NOT NULL;
ALTER TABLE rec_issuances ADD COLUMN origin TEXT NOT NULL DEFAULT 'issued' CHECK (origin IN ('issued', 'imported'));
ALTER TABLE rec_issuances ADD COLUMN batch TEXT NOT NULL DEFAULT '';
ALTER TABLE rec_issuances ADD COLUMN serial_start BIGINT NOT NULL DEFAULT 1 CHECK (serial_start >= 1);
ALTER TABLE rec_issuances ADD CONSTRAINT rec_issuances_origin_report CHECK ((origin = 'issued') = (report_id IS NOT NULL));
ALTER TABLE rec_issuances ADD CONSTRAINT rec_issuances_origin_batch CHECK ((origin = 'imported') = (batch <> ''));

-- A block of imported certificates carries its batch, so its serial
-- numbers read as the other registry wrote them ('' when issued here: the
-- batch is the issuance id).
ALTER TABLE rec_blocks ADD COLUMN batch TEXT NOT NULL DEFAULT '';
