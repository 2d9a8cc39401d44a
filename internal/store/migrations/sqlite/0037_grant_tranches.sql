-- Staged disbursement of grant awards (SQLite dialect): a plan per grant
-- application (optionally for a tracked project, whose milestones its
-- tranches follow) and its tranches, each committed when its milestone is
-- approved and paid when disbursed. Evidence documents name their
-- tranche.
CREATE TABLE incentive_disbursements (
    application_id INTEGER PRIMARY KEY REFERENCES incentive_applications (id),
    project_id INTEGER REFERENCES incentive_projects (id),
    planned_unix INTEGER NOT NULL,
    actor TEXT NOT NULL
) STRICT;

CREATE TABLE incentive_tranches (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES incentive_disbursements (application_id),
    seq INTEGER NOT NULL,
    milestone TEXT NOT NULL,
    planned_cents INTEGER NOT NULL CHECK (planned_cents > 0),
    amount_cents INTEGER NOT NULL DEFAULT 0 CHECK (amount_cents >= 0),
    status TEXT NOT NULL CHECK (status IN ('planned', 'approved', 'paid', 'cancelled')),
    approved_on TEXT,
    paid_on TEXT,
    reference TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    UNIQUE (application_id, seq),
    UNIQUE (application_id, milestone)
) STRICT;

ALTER TABLE incentive_documents ADD COLUMN tranche_id INTEGER REFERENCES incentive_tranches (id);
