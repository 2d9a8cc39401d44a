-- OpenADR client revocation and the charge each battery was dispatched
-- with (PostgreSQL dialect).
-- oadr_clients.disabled_unix: when an administrator disabled the client
-- (0: enabled); a disabled client gets no token and its tokens are
-- refused. Revoking tokens deletes their oadr_tokens rows.
ALTER TABLE oadr_clients ADD COLUMN disabled_unix BIGINT NOT NULL DEFAULT 0;
-- dr_dispatches.charge_permille: the state of charge (thousandths of
-- full) the battery's share was planned with; charge_at_unix: the time
-- of the reported reading used, NULL when the dispatch's soc_pct
-- setting was used. Both NULL on plans stored before this migration.
ALTER TABLE dr_dispatches ADD COLUMN charge_permille BIGINT CHECK (charge_permille BETWEEN 0 AND 1000);
ALTER TABLE dr_dispatches ADD COLUMN charge_at_unix BIGINT;
