-- EV SmartCharge plans and OCPP chargers (SQLite dialect).
-- ev_plans: one row per charging plan made for a vehicle (the need asked
-- and the planner's answer as JSON); the latest plan of a vehicle is the
-- one in force. ev_chargers: what the OCPP central system last heard
-- from each charge point (identity = the vehicle's charger).
CREATE TABLE ev_plans (
    id INTEGER PRIMARY KEY,
    vehicle_id INTEGER NOT NULL REFERENCES ev_vehicles (id),
    plug_in_unix INTEGER NOT NULL,
    departure_unix INTEGER NOT NULL CHECK (departure_unix > plug_in_unix),
    need_wh INTEGER NOT NULL CHECK (need_wh >= 0),
    objective TEXT NOT NULL,
    rates_source TEXT NOT NULL,
    plan_json TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_unix INTEGER NOT NULL
) STRICT;
CREATE INDEX ev_plans_vehicle ON ev_plans (vehicle_id, id);

CREATE TABLE ev_chargers (
    identity TEXT PRIMARY KEY,
    status TEXT NOT NULL DEFAULT '',
    vendor TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    transaction_id INTEGER NOT NULL DEFAULT 0,
    last_seen_unix INTEGER NOT NULL
) STRICT;
