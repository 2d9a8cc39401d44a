-- One-off credits stored bills apply (PostgreSQL dialect): an incentive
-- payment by bill credit (kind 'incentive_payment', ref the payment id)
-- or a late meter's estimated generation (kind 'nem_estimated_credit',
-- ref the nem_estimated_credits id). One row per credit: the bill period
-- it went on and the current bill that carries it, so a credit is applied
-- to one bill period only; a new version of that bill carries it again
-- and bill_id moves to it. applied_json is what the bill applied
-- (billing.Credit or billing.EstimatedExport).
CREATE TABLE bill_credits_applied (
    kind TEXT NOT NULL,
    ref TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    period_start TEXT NOT NULL,
    bill_id BIGINT NOT NULL REFERENCES bills (id),
    applied_json TEXT NOT NULL,
    applied_unix BIGINT NOT NULL,
    PRIMARY KEY (kind, ref)
);
CREATE INDEX bill_credits_applied_account ON bill_credits_applied (account_id, period_start);

-- A bill run reads the pending bill-credit payments of its accounts.
CREATE INDEX incentive_payments_pending ON incentive_payments (status, account_number);
