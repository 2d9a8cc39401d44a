-- Renewables Portfolio Standard: the certificate registry and the
-- compliance ledger (SQLite dialect; issue 7). Certificates live in blocks
-- of serial numbers that are split, never edited: serial_start and
-- serial_end are written once. Every registry command appends one row to
-- rec_events, hash-chained through rec_chain, whose single row every
-- registry transaction updates first (so commands append one at a time).
CREATE TABLE rec_accounts (
    id INTEGER PRIMARY KEY,
    org TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('active', 'retirement', 'export')),
    created_unix INTEGER NOT NULL,
    UNIQUE (org, name)
) STRICT;

CREATE TABLE rec_facilities (
    id INTEGER PRIMARY KEY,
    wregis_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    technology TEXT NOT NULL,
    nameplate_kw INTEGER NOT NULL CHECK (nameplate_kw > 0),
    state TEXT NOT NULL,
    in_cba INTEGER NOT NULL,
    account_id INTEGER NOT NULL REFERENCES rec_accounts (id),
    document TEXT NOT NULL
) STRICT;

CREATE TABLE rec_reports (
    id INTEGER PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES rec_facilities (id),
    vintage TEXT NOT NULL,
    revision INTEGER NOT NULL CHECK (revision >= 0),
    generation_wh INTEGER NOT NULL CHECK (generation_wh >= 0),
    hourly_wh TEXT,
    source TEXT NOT NULL,
    received_unix INTEGER NOT NULL,
    UNIQUE (facility_id, vintage, revision)
) STRICT;

CREATE TABLE rec_issuances (
    id INTEGER PRIMARY KEY,
    facility_id INTEGER NOT NULL REFERENCES rec_facilities (id),
    report_id INTEGER NOT NULL REFERENCES rec_reports (id),
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
    issued_unix INTEGER NOT NULL
) STRICT;
CREATE INDEX rec_issuances_facility ON rec_issuances (facility_id, vintage);

CREATE TABLE rec_blocks (
    id INTEGER PRIMARY KEY,
    issuance_id INTEGER NOT NULL REFERENCES rec_issuances (id),
    parent_id INTEGER REFERENCES rec_blocks (id),
    facility_id INTEGER NOT NULL REFERENCES rec_facilities (id),
    vintage TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES rec_accounts (id),
    serial_start INTEGER NOT NULL CHECK (serial_start >= 1),
    serial_end INTEGER NOT NULL CHECK (serial_end >= serial_start),
    status TEXT NOT NULL CHECK (status IN ('active', 'pending', 'split', 'retired', 'exported', 'withdrawn')),
    version INTEGER NOT NULL
) STRICT;
CREATE INDEX rec_blocks_account ON rec_blocks (account_id, status);
CREATE INDEX rec_blocks_issuance ON rec_blocks (issuance_id);
CREATE INDEX rec_blocks_vintage ON rec_blocks (facility_id, vintage, status);
CREATE INDEX rec_blocks_parent ON rec_blocks (parent_id);

CREATE TABLE rec_transfers (
    id INTEGER PRIMARY KEY,
    block_id INTEGER NOT NULL REFERENCES rec_blocks (id),
    from_account_id INTEGER NOT NULL REFERENCES rec_accounts (id),
    to_account_id INTEGER NOT NULL REFERENCES rec_accounts (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'cancelled')),
    note TEXT NOT NULL,
    initiated_unix INTEGER NOT NULL,
    resolved_unix INTEGER
) STRICT;
CREATE INDEX rec_transfers_status ON rec_transfers (status, to_account_id);

CREATE TABLE rec_retirements (
    id INTEGER PRIMARY KEY,
    block_id INTEGER NOT NULL UNIQUE REFERENCES rec_blocks (id),
    account_id INTEGER NOT NULL REFERENCES rec_accounts (id),
    from_account_id INTEGER NOT NULL REFERENCES rec_accounts (id),
    facility_id INTEGER NOT NULL REFERENCES rec_facilities (id),
    vintage TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    reason TEXT NOT NULL CHECK (reason IN ('rps', 'voluntary', 'green_product', 'other')),
    beneficiary TEXT NOT NULL,
    compliance_year INTEGER NOT NULL,
    retired_on TEXT NOT NULL,
    deadline TEXT NOT NULL,
    rps_eligible INTEGER NOT NULL
) STRICT;
CREATE INDEX rec_retirements_year ON rec_retirements (compliance_year);

CREATE TABLE rec_exports (
    id INTEGER PRIMARY KEY,
    block_id INTEGER NOT NULL UNIQUE REFERENCES rec_blocks (id),
    account_id INTEGER NOT NULL REFERENCES rec_accounts (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    destination TEXT NOT NULL
) STRICT;

CREATE TABLE rec_events (
    seq INTEGER PRIMARY KEY,
    at_unix INTEGER NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
) STRICT;

CREATE TABLE rec_chain (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
) STRICT;
INSERT INTO rec_chain (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE rps_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    document TEXT NOT NULL,
    updated_unix INTEGER NOT NULL
) STRICT;

CREATE TABLE rps_retail_sales (
    year INTEGER PRIMARY KEY,
    mwh INTEGER NOT NULL CHECK (mwh >= 0),
    source TEXT NOT NULL,
    updated_unix INTEGER NOT NULL
) STRICT;

CREATE TABLE rps_contracts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    facility_id INTEGER NOT NULL REFERENCES rec_facilities (id),
    executed TEXT NOT NULL,
    document TEXT NOT NULL,
    created_unix INTEGER NOT NULL,
    updated_unix INTEGER NOT NULL
) STRICT;

CREATE TABLE rps_claims (
    id INTEGER PRIMARY KEY,
    retirement_id INTEGER NOT NULL REFERENCES rec_retirements (id),
    contract_id INTEGER NOT NULL REFERENCES rps_contracts (id),
    period TEXT NOT NULL,
    pcc INTEGER NOT NULL CHECK (pcc BETWEEN 0 AND 3),
    mwh INTEGER NOT NULL CHECK (mwh > 0),
    long_term INTEGER NOT NULL,
    vintage TEXT NOT NULL,
    retired_on TEXT NOT NULL,
    note TEXT NOT NULL,
    created_unix INTEGER NOT NULL
) STRICT;
CREATE INDEX rps_claims_retirement ON rps_claims (retirement_id);
CREATE INDEX rps_claims_period ON rps_claims (period, pcc);
