-- Demand-response payables paid from the incentive budgets (SQLite
-- dialect). A ledger entry written for a payable carries its key; the
-- unique index makes each payable's reserve, commit and pay entries
-- exist once, whatever the callers do. A payable records the budget
-- that paid it and when, or why it was refused.
ALTER TABLE incentive_ledger ADD COLUMN payable_key TEXT;
CREATE UNIQUE INDEX incentive_ledger_payable ON incentive_ledger (payable_key, kind) WHERE payable_key IS NOT NULL;
ALTER TABLE dr_payables ADD COLUMN budget_id INTEGER REFERENCES incentive_budgets (id);
ALTER TABLE dr_payables ADD COLUMN paid_unix INTEGER;
ALTER TABLE dr_payables ADD COLUMN refusal TEXT NOT NULL DEFAULT '';
CREATE INDEX dr_payables_program ON dr_payables (program, status, due);
CREATE INDEX dr_payables_event ON dr_payables (event_id) WHERE event_id IS NOT NULL;
