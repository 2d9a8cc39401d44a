-- Customer generation (SQLite dialect): net-metering interconnection
-- applications with their history, eligibility decisions, documents and
-- late-meter credits; installers and their users and API clients; the
-- TOU-8 special rates; the §399.20 feed-in tariff queue.

-- Installer users: users.role gains 'installer'. SQLite cannot alter a
-- CHECK constraint, so users is rebuilt; foreign keys are deferred to the
-- commit so that sessions and user_accounts find their users again.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE users_copy AS SELECT id, email, name, role, password_hash, disabled, created_unix FROM users;
DROP TABLE users;
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'program_manager', 'analyst', 'customer', 'installer')),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_unix INTEGER NOT NULL
) STRICT;
INSERT INTO users (id, email, name, role, password_hash, disabled, created_unix)
    SELECT id, email, name, role, password_hash, disabled, created_unix FROM users_copy;
DROP TABLE users_copy;

-- A solar installer (contractor) that files applications on customers'
-- behalf; license is its California contractor's license number.
CREATE TABLE nem_installers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    license TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    created_unix INTEGER NOT NULL
) STRICT;

-- Which installer an installer user or an API client with the nem:apply
-- scope acts for (exactly one of user_id and client_id).
CREATE TABLE nem_installer_members (
    id INTEGER PRIMARY KEY,
    installer_id INTEGER NOT NULL REFERENCES nem_installers (id),
    user_id INTEGER UNIQUE REFERENCES users (id),
    client_id INTEGER UNIQUE REFERENCES api_clients (id),
    CHECK ((user_id IS NULL) <> (client_id IS NULL))
) STRICT;

-- One row per application. The milestone dates are TEXT YYYY-MM-DD (NULL
-- until reached); system_json holds the variant's inputs (nem.System).
CREATE TABLE nem_applications (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    installer_id INTEGER REFERENCES nem_installers (id),
    variant TEXT NOT NULL,
    technology TEXT NOT NULL,
    capacity_w INTEGER NOT NULL CHECK (capacity_w > 0),
    status TEXT NOT NULL,
    submitted_on TEXT,
    complete_on TEXT,
    approved_on TEXT,
    agreement_on TEXT,
    meter_on TEXT,
    pto_on TEXT,
    active_on TEXT,
    closed_on TEXT,
    meter_method TEXT NOT NULL DEFAULT '',
    vintage_program TEXT NOT NULL DEFAULT '',
    vintage_label TEXT NOT NULL DEFAULT '',
    system_json TEXT NOT NULL,
    enrollment_id INTEGER REFERENCES enrollments (id),
    created_unix INTEGER NOT NULL,
    updated_unix INTEGER NOT NULL
) STRICT;
CREATE INDEX nem_applications_status ON nem_applications (status, id);
CREATE INDEX nem_applications_account ON nem_applications (account_id);
CREATE INDEX nem_applications_installer ON nem_applications (installer_id, id);

-- The dated history: one row per status change (from_status '' for the
-- creation).
CREATE TABLE nem_events (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES nem_applications (id),
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    on_date TEXT NOT NULL,
    at_unix INTEGER NOT NULL,
    actor TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX nem_events_application ON nem_events (application_id, id);

-- Eligibility decisions with every rule checked (nem.Decision).
CREATE TABLE nem_decisions (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES nem_applications (id),
    eligible INTEGER NOT NULL,
    decided_on TEXT NOT NULL,
    decision_json TEXT NOT NULL,
    at_unix INTEGER NOT NULL,
    actor TEXT NOT NULL
) STRICT;
CREATE INDEX nem_decisions_application ON nem_decisions (application_id, id);

-- Attached documents (single-line diagram, agreement, inspection …) with
-- their SHA-256.
CREATE TABLE nem_documents (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES nem_applications (id),
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    at_unix INTEGER NOT NULL,
    actor TEXT NOT NULL
) STRICT;
CREATE INDEX nem_documents_application ON nem_documents (application_id, id);

-- Days of estimated-generation credit for a late meter, for billing.
CREATE TABLE nem_estimated_credits (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL UNIQUE REFERENCES nem_applications (id),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    days INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_unix INTEGER NOT NULL
) STRICT;
CREATE INDEX nem_estimated_credits_account ON nem_estimated_credits (account_id, start_date);

-- Accounts on (or approved for) TOU-8 Option R and Option A.
CREATE TABLE nem_special_rates (
    id INTEGER PRIMARY KEY,
    rate TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    status TEXT NOT NULL,
    approved_w INTEGER NOT NULL,
    requested_on TEXT NOT NULL,
    approved_on TEXT,
    rate_change_on TEXT,
    removed_on TEXT,
    request_json TEXT NOT NULL,
    decision_json TEXT NOT NULL,
    enrollment_id INTEGER REFERENCES enrollments (id),
    note TEXT NOT NULL DEFAULT '',
    created_unix INTEGER NOT NULL,
    updated_unix INTEGER NOT NULL
) STRICT;
CREATE INDEX nem_special_rates_rate ON nem_special_rates (rate, status);

-- Feed-in tariff (ReMAT/BioMAT) requests in first-come, first-served order.
CREATE TABLE fit_requests (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    program TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    product TEXT NOT NULL DEFAULT '',
    utility TEXT NOT NULL,
    facility TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL,
    technology TEXT NOT NULL DEFAULT '',
    effective_w INTEGER NOT NULL,
    nameplate_w INTEGER NOT NULL,
    max_export_w INTEGER NOT NULL,
    rule21 INTEGER NOT NULL,
    term_years INTEGER NOT NULL,
    operating_on TEXT,
    account_id INTEGER REFERENCES accounts (id),
    received_unix INTEGER NOT NULL,
    status TEXT NOT NULL,
    posted_on TEXT,
    decided_on TEXT,
    denial_reason TEXT NOT NULL DEFAULT '',
    appealed_on TEXT,
    appeal_outcome TEXT NOT NULL DEFAULT '',
    ended_on TEXT,
    note TEXT NOT NULL DEFAULT '',
    decision_json TEXT NOT NULL,
    created_unix INTEGER NOT NULL,
    updated_unix INTEGER NOT NULL
) STRICT;
CREATE INDEX fit_requests_queue ON fit_requests (utility, program, received_unix, id);

-- Biennial inspection-and-maintenance reports of feed-in tariff facilities.
CREATE TABLE fit_inspections (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES fit_requests (id),
    inspected_on TEXT NOT NULL,
    contractor TEXT NOT NULL,
    license TEXT NOT NULL,
    at_unix INTEGER NOT NULL,
    actor TEXT NOT NULL
) STRICT;
CREATE INDEX fit_inspections_request ON fit_inspections (request_id, inspected_on);
