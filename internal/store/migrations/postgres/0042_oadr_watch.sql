-- What the OpenADR VTN's watch has notified (PostgreSQL dialect): per event
-- and aspect ('status': the event status last told; 'fleet': its battery
-- dispatch events, 'announced' or 'withdrawn'), and one row with
-- event_id 0 and aspect 'start' once the first look over this database
-- has recorded what was there. Each change is claimed here by one
-- process (insert if absent, or compare-and-set) before it is notified,
-- so several server processes notify it once, and a restart notifies
-- only what changed meanwhile.
CREATE TABLE oadr_watch (
    event_id BIGINT NOT NULL,
    aspect TEXT NOT NULL CHECK (aspect IN ('start', 'status', 'fleet')),
    state TEXT NOT NULL,
    changed_unix BIGINT NOT NULL,
    PRIMARY KEY (event_id, aspect)
);
-- Battery state of charge as its site reports it (a VEN's OpenADR
-- STORAGE_CHARGE_LEVEL report on a battery it holds): one row per
-- device and reading time, in thousandths of full; a fleet dispatch uses
-- each battery's latest reading when it is recent enough.
CREATE TABLE dr_device_charge (
    device_id BIGINT NOT NULL REFERENCES dr_devices (id),
    at_unix BIGINT NOT NULL,
    charge_permille BIGINT NOT NULL CHECK (charge_permille BETWEEN 0 AND 1000),
    source TEXT NOT NULL,
    recorded_unix BIGINT NOT NULL,
    PRIMARY KEY (device_id, at_unix)
);
