-- Emission signals (SGIP marginal GHG, WattTime MOER, average factors):
-- one row per signal and UTC day, the day's rates in g CO2/kWh as a JSON
-- array (null for a missing point) (PostgreSQL dialect).
CREATE TABLE emission_signal_days (
    signal TEXT NOT NULL,
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    region TEXT NOT NULL DEFAULT '',
    start_unix BIGINT NOT NULL,
    step_s BIGINT NOT NULL CHECK (step_s > 0),
    values_json TEXT NOT NULL,
    PRIMARY KEY (signal, day)
);
