-- Demand response: events with their history, devices, overrides,
-- settlements, amounts payable and the notification outbox; EV
-- SmartCharge vehicles and sessions (SQLite dialect).
--
-- dr_events: one row per event of a program (programs are data in
-- internal/dr/programs.json). event_day is the local (Pacific) day.
CREATE TABLE dr_events (
    id INTEGER PRIMARY KEY,
    program TEXT NOT NULL,
    track TEXT NOT NULL DEFAULT '',
    start_unix INTEGER NOT NULL,
    end_unix INTEGER NOT NULL CHECK (end_unix > start_unix),
    event_day TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'notified', 'active', 'completed', 'cancelled')),
    level INTEGER NOT NULL DEFAULT 1,
    offset_f INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    notified_unix INTEGER,
    cancelled_unix INTEGER,
    created_unix INTEGER NOT NULL
) STRICT;
CREATE INDEX dr_events_program_day ON dr_events (program, event_day);
CREATE INDEX dr_events_start ON dr_events (start_unix);

-- dr_event_history: every status change of an event, dated.
CREATE TABLE dr_event_history (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES dr_events (id),
    at_unix INTEGER NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    actor TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX dr_event_history_event ON dr_event_history (event_id, id);

-- dr_devices: registered devices (thermostats, chargers, batteries, light
-- switches) by account and program, with when each was last heard from.
CREATE TABLE dr_devices (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    program TEXT NOT NULL,
    device_type TEXT NOT NULL,
    brand TEXT NOT NULL DEFAULT '',
    serial TEXT NOT NULL,
    enrolled TEXT NOT NULL,
    removed TEXT,
    extras TEXT NOT NULL DEFAULT '',
    capacity_wh INTEGER NOT NULL DEFAULT 0,
    max_w INTEGER NOT NULL DEFAULT 0,
    reserve_pct INTEGER NOT NULL DEFAULT 0 CHECK (reserve_pct BETWEEN 0 AND 100),
    last_seen_unix INTEGER,
    created_unix INTEGER NOT NULL,
    UNIQUE (device_type, serial)
) STRICT;
CREATE INDEX dr_devices_account ON dr_devices (account_id);
CREATE INDEX dr_devices_program ON dr_devices (program, device_type);

-- dr_overrides: a participant's override of an event (no OpenADR 3
-- message carries one, research/dr-ev.md 1.2, so it is recorded as data).
CREATE TABLE dr_overrides (
    event_id INTEGER NOT NULL REFERENCES dr_events (id),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    at_unix INTEGER NOT NULL,
    source TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (event_id, account_id)
) STRICT;

-- dr_settlements: one row per event and participant; a settled row is
-- final, one without a baseline or with missing data may be settled again.
-- adjustment_ppm is the adjustment factor in millionths; intervals_json the
-- baseline and actual Wh of every event interval, for charts.
CREATE TABLE dr_settlements (
    event_id INTEGER NOT NULL REFERENCES dr_events (id),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    track TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('settled', 'no_baseline', 'missing_data')),
    method TEXT NOT NULL,
    days_used INTEGER NOT NULL,
    adjustment_ppm INTEGER NOT NULL,
    baseline_wh INTEGER NOT NULL,
    actual_wh INTEGER NOT NULL,
    delta_wh INTEGER NOT NULL,
    reduction_wh INTEGER NOT NULL,
    rate_micro_usd_per_kwh INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    overridden INTEGER NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    intervals_json TEXT NOT NULL,
    settled_unix INTEGER NOT NULL,
    PRIMARY KEY (event_id, account_id)
) STRICT;
CREATE INDEX dr_settlements_account ON dr_settlements (account_id);

-- dr_payables: amounts owed to participants (participation incentives,
-- event settlements), once each by key, until the incentive budgets pay
-- them (status paid, with the budget's reference).
CREATE TABLE dr_payables (
    key TEXT PRIMARY KEY,
    program TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    device_id INTEGER,
    event_id INTEGER,
    kind TEXT NOT NULL,
    due TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents >= 0),
    paid_as TEXT NOT NULL CHECK (paid_as IN ('budget', 'bill_credit')),
    source TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('payable', 'paid', 'refused')),
    reference TEXT NOT NULL DEFAULT '',
    created_unix INTEGER NOT NULL
) STRICT;
CREATE INDEX dr_payables_account ON dr_payables (account_id);
CREATE INDEX dr_payables_status ON dr_payables (status, due);

-- dr_notifications: the outbox of event notices to participants; a
-- sender marks each sent or failed.
CREATE TABLE dr_notifications (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES dr_events (id),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'device', 'log')),
    address TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    created_unix INTEGER NOT NULL,
    sent_unix INTEGER,
    UNIQUE (event_id, account_id, channel, kind)
) STRICT;
CREATE INDEX dr_notifications_pending ON dr_notifications (status, id);

-- ev_vehicles and ev_sessions: EV SmartCharge vehicles and their charging
-- sessions (charges_json: the energy of each charging interval).
CREATE TABLE ev_vehicles (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    name TEXT NOT NULL UNIQUE,
    make TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    battery_wh INTEGER NOT NULL CHECK (battery_wh > 0),
    max_w INTEGER NOT NULL CHECK (max_w > 0),
    charger TEXT NOT NULL DEFAULT '',
    enrolled TEXT NOT NULL,
    created_unix INTEGER NOT NULL
) STRICT;
CREATE INDEX ev_vehicles_account ON ev_vehicles (account_id);

CREATE TABLE ev_sessions (
    id INTEGER PRIMARY KEY,
    vehicle_id INTEGER NOT NULL REFERENCES ev_vehicles (id),
    plug_in_unix INTEGER NOT NULL,
    unplug_unix INTEGER NOT NULL CHECK (unplug_unix > plug_in_unix),
    max_w INTEGER NOT NULL,
    energy_wh INTEGER NOT NULL,
    charges_json TEXT NOT NULL,
    UNIQUE (vehicle_id, plug_in_unix)
) STRICT;
