-- Incentive programs: the catalog, budgets with their ledger,
-- applications with history and documents, coupons and payment batches
-- (SQLite dialect). Money is integer cents; dates are TEXT YYYY-MM-DD.
--
-- incentive_programs: one row per program id with its validated document
-- (the incentive.Program JSON) and the document's SHA-256, so a repeated
-- import changes nothing.
CREATE TABLE incentive_programs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    doc_json TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    updated_unix INTEGER NOT NULL
) STRICT;

-- incentive_budgets: running balances, moved only together with a
-- ledger row. The CHECKs restate the invariant the code enforces: a
-- budget is never overspent.
CREATE TABLE incentive_budgets (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    program_id TEXT NOT NULL REFERENCES incentive_programs (id),
    measure TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT,
    allocated_cents INTEGER NOT NULL DEFAULT 0,
    reserved_cents INTEGER NOT NULL DEFAULT 0 CHECK (reserved_cents >= 0),
    committed_cents INTEGER NOT NULL DEFAULT 0 CHECK (committed_cents >= 0),
    paid_cents INTEGER NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
    min_reservable_cents INTEGER NOT NULL DEFAULT 0,
    set_aside TEXT NOT NULL DEFAULT '',
    closed INTEGER NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    CHECK (allocated_cents - reserved_cents - committed_cents - paid_cents >= 0)
) STRICT;
CREATE INDEX incentive_budgets_program ON incentive_budgets (program_id, period_from);

CREATE TABLE incentive_applications (
    id INTEGER PRIMARY KEY,
    program_id TEXT NOT NULL REFERENCES incentive_programs (id),
    measure TEXT NOT NULL,
    account_id INTEGER REFERENCES accounts (id),
    member_agency TEXT NOT NULL DEFAULT '',
    household_key TEXT NOT NULL,
    status TEXT NOT NULL,
    facts_json TEXT NOT NULL,
    decision_json TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    reserved_cents INTEGER NOT NULL DEFAULT 0,
    approved_cents INTEGER NOT NULL DEFAULT 0,
    paid_cents INTEGER NOT NULL DEFAULT 0,
    budget_id INTEGER REFERENCES incentive_budgets (id),
    submitted_unix INTEGER,
    reservation_expires TEXT,
    purchase_date TEXT,
    invoice_number TEXT NOT NULL DEFAULT '',
    contractor TEXT NOT NULL DEFAULT '',
    payee TEXT NOT NULL DEFAULT '',
    payment_method TEXT NOT NULL,
    flags_json TEXT NOT NULL DEFAULT '[]',
    created_unix INTEGER NOT NULL,
    updated_unix INTEGER NOT NULL
) STRICT;
CREATE INDEX incentive_applications_queue ON incentive_applications (program_id, status, submitted_unix, id);
CREATE INDEX incentive_applications_account ON incentive_applications (account_id);
CREATE INDEX incentive_applications_household ON incentive_applications (household_key, program_id, measure);
CREATE INDEX incentive_applications_status ON incentive_applications (status, id);

-- Serial numbers of the equipment, for the duplicate check across
-- programs.
CREATE TABLE incentive_serials (
    application_id INTEGER NOT NULL REFERENCES incentive_applications (id),
    serial TEXT NOT NULL,
    PRIMARY KEY (application_id, serial)
) STRICT;
CREATE INDEX incentive_serials_serial ON incentive_serials (serial);

-- Every status change, oldest first.
CREATE TABLE incentive_events (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES incentive_applications (id),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    at_unix INTEGER NOT NULL,
    actor TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX incentive_events_application ON incentive_events (application_id, id);

CREATE TABLE incentive_documents (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES incentive_applications (id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    content BLOB NOT NULL,
    uploaded_unix INTEGER NOT NULL,
    actor TEXT NOT NULL,
    UNIQUE (application_id, sha256)
) STRICT;

-- incentive_ledger: every movement of a budget's money.
CREATE TABLE incentive_ledger (
    id INTEGER PRIMARY KEY,
    budget_id INTEGER NOT NULL REFERENCES incentive_budgets (id),
    application_id INTEGER REFERENCES incentive_applications (id),
    coupon_id INTEGER,
    kind TEXT NOT NULL CHECK (kind IN ('allocate', 'reserve', 'release', 'commit', 'pay', 'recover', 'adjust')),
    amount_cents INTEGER NOT NULL,
    at_unix INTEGER NOT NULL,
    actor TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX incentive_ledger_budget ON incentive_ledger (budget_id, id);

CREATE TABLE incentive_coupons (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    program_id TEXT NOT NULL REFERENCES incentive_programs (id),
    measure TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    household_key TEXT NOT NULL,
    retailer TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('in_store', 'online')),
    amount_cents INTEGER NOT NULL,
    budget_id INTEGER NOT NULL REFERENCES incentive_budgets (id),
    issued_on TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    status TEXT NOT NULL,
    redeemed_on TEXT,
    returned_on TEXT,
    redemption_ref TEXT NOT NULL DEFAULT '',
    paid INTEGER NOT NULL DEFAULT 0,
    created_unix INTEGER NOT NULL
) STRICT;
CREATE INDEX incentive_coupons_household ON incentive_coupons (household_key, program_id, measure);

-- Payment batches and their payments. A payment pays one application
-- or one redeemed coupon (to the retailer).
CREATE TABLE incentive_payment_batches (
    id INTEGER PRIMARY KEY,
    method TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('exported', 'reconciled')),
    count INTEGER NOT NULL,
    total_cents INTEGER NOT NULL,
    file_sha256 TEXT NOT NULL,
    created_unix INTEGER NOT NULL,
    actor TEXT NOT NULL
) STRICT;

CREATE TABLE incentive_payments (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES incentive_payment_batches (id),
    application_id INTEGER REFERENCES incentive_applications (id),
    coupon_id INTEGER REFERENCES incentive_coupons (id),
    payee TEXT NOT NULL,
    account_number TEXT NOT NULL DEFAULT '',
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'returned')),
    reference TEXT NOT NULL DEFAULT '',
    result_note TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX incentive_payments_batch ON incentive_payments (batch_id, id);
