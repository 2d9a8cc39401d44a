-- Home attributes of a premise (SQLite dialect): dwelling type, main
-- heating fuel, conditioned floor area, year built and coordinates in
-- micro-degrees with where they came from; '' / 0 / NULL when unknown.
-- Home energy reports record whether their neighbors were chosen by the
-- home attributes or by the ZIP fallback (reports made before this
-- migration used the fallback).
ALTER TABLE premises ADD COLUMN dwelling_type TEXT NOT NULL DEFAULT '';
ALTER TABLE premises ADD COLUMN heating_fuel TEXT NOT NULL DEFAULT '';
ALTER TABLE premises ADD COLUMN floor_area_sqft INTEGER NOT NULL DEFAULT 0;
ALTER TABLE premises ADD COLUMN year_built INTEGER NOT NULL DEFAULT 0;
ALTER TABLE premises ADD COLUMN lat_microdeg INTEGER;
ALTER TABLE premises ADD COLUMN lon_microdeg INTEGER;
ALTER TABLE premises ADD COLUMN location_source TEXT NOT NULL DEFAULT '';
CREATE INDEX premises_lat ON premises (lat_microdeg);
ALTER TABLE her_reports ADD COLUMN method TEXT NOT NULL DEFAULT 'fallback';
