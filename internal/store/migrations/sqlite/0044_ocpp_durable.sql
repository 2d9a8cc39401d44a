-- OCPP central system state kept in the database (SQLite dialect).
-- ev_charger_keys: each registered charge point's Basic-auth password
-- (OCPP 1.6 Security Whitepaper, Security Profile 1), as the SHA-256 of a
-- random secret shown once. ev_transactions: one row per OCPP
-- transaction; its id is the transaction id the central system answers
-- StartTransaction with (allocated here, so unique across processes);
-- stop_unix is NULL while it is open. ev_transaction_readings: the
-- energy register readings of a transaction (meterStart and
-- MeterValues). ev_plan_sends: a charging plan claimed for sending on a
-- channel ('openadr' to VENs, 'ocpp' to its charger) by one process.
CREATE TABLE ev_charger_keys (
    identity TEXT PRIMARY KEY,
    secret_sha256 TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_unix INTEGER NOT NULL
) STRICT;

CREATE TABLE ev_transactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    charger TEXT NOT NULL,
    connector INTEGER NOT NULL,
    id_tag TEXT NOT NULL,
    vehicle_id INTEGER REFERENCES ev_vehicles (id),
    meter_start_wh INTEGER NOT NULL,
    start_unix INTEGER NOT NULL,
    stop_unix INTEGER,
    meter_stop_wh INTEGER
) STRICT;
CREATE INDEX ev_transactions_open ON ev_transactions (charger) WHERE stop_unix IS NULL;

CREATE TABLE ev_transaction_readings (
    transaction_id INTEGER NOT NULL REFERENCES ev_transactions (id),
    at_unix INTEGER NOT NULL,
    wh INTEGER NOT NULL,
    PRIMARY KEY (transaction_id, at_unix)
) STRICT;

CREATE TABLE ev_plan_sends (
    plan_id INTEGER NOT NULL REFERENCES ev_plans (id),
    channel TEXT NOT NULL CHECK (channel IN ('openadr', 'ocpp')),
    sent_unix INTEGER NOT NULL,
    PRIMARY KEY (plan_id, channel)
) STRICT;
