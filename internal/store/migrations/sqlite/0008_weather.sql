-- Weather stations and their hourly outdoor temperature (SQLite dialect),
-- the temperature input of the CalTRACK savings models. A station is named
-- by its code: the USAF/WBAN number of the CZ2010 weather file that
-- reference's ZIP → climate zone table gives each premise (e.g. 722874,
-- Los Angeles Downtown), or any code an operator chooses for other data.
CREATE TABLE weather_stations (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_unix INTEGER NOT NULL
) STRICT;

-- One row per station per UTC month: n hourly readings from start_unix, in
-- hundredths of a degree Fahrenheit, packed as zig-zag varint deltas with a
-- sentinel for missing hours (see store/weather.go). present counts the
-- hours that have a reading.
CREATE TABLE weather_blocks (
    station_id INTEGER NOT NULL REFERENCES weather_stations (id),
    month TEXT NOT NULL,
    start_unix INTEGER NOT NULL,
    n INTEGER NOT NULL,
    present INTEGER NOT NULL,
    packed BLOB NOT NULL,
    updated_unix INTEGER NOT NULL,
    PRIMARY KEY (station_id, month)
) STRICT;
