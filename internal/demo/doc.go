// Package demo generates gridbook's demonstration data set: a deterministic
// synthetic community choice aggregator shaped like Clean Power Alliance
// (spec/cca-programs.md), written into an empty database by Generate
// (`gridbook demo --db PATH --accounts N --seed S`). The same seed and
// account count give the same rows and the same interval data, byte for
// byte: every account draws from its own PCG stream (math/rand/v2) keyed by
// the seed and its index, and no map order reaches the output.
//
// # Registry
//
//   - Accounts: about 88% residential, 10% commercial, 1% municipal and 1%
//     agricultural; about 5% on bundled utility service (opted out of the
//     CCA). Residential rates are the two SCE schedules gridbook ships
//     tariffs for: TOU-D-4-9PM (most) and TOU-D-PRIME (favoured by EV and
//     solar homes, and every residential Net Billing customer's);
//     businesses TOU-GS-1-D, TOU-GS-2-D or TOU-8-D by size; city
//     facilities TOU-GS-2-D; water and irrigation pumps TOU-PA-2-D (farms
//     also TOU-PA-2-E). No tariff is shipped for TOU-GS-1-D, TOU-GS-2-D or
//     TOU-PA-2-D/E, and TOU-8-D's URDB prices do not split generation from
//     delivery, so bill runs report those accounts (CCA ones, for TOU-8-D)
//     as not billable, with the reason. Account numbers are 10 digits and meter serials
//     "GB" and 10 digits, both unique by construction (a bijection of the
//     account index).
//   - Premises sit in CPA's member agencies (reference.MemberAgencies),
//     weighted by 2020 census population, at the agencies' representative
//     ZIPs; the climate zone comes from the ZIP table. Agricultural accounts
//     are placed in Ventura County's farming agencies.
//   - Census tracts: every tract is a real 2010 tract of the premise's
//     county (reference.Tracts). A premise in a ZIP with n SB 535 DAC tracts
//     on the CalEPA list (dac_tracts.csv, taken from the reference table)
//     is in one of those tracts with probability n/(n+2); otherwise in one
//     of six non-DAC tracts whose codes are nearest the ZIP's DAC tracts
//     (or, for a ZIP without any, its agency's or the nearest ZIP's):
//     tract codes run geographically within a county, but the CalEPA list
//     gives ZIPs only for DAC tracts, so these non-DAC tracts are near the
//     ZIP, not necessarily in it. About 37% of accounts come out in DACs —
//     below Los Angeles County's 49% of tracts, because many member cities
//     are coastal or foothill cities with no DAC tracts.
//   - Fire threat: premises in foothill and canyon ZIPs (Malibu, Calabasas,
//     Agoura Hills, Westlake Village, Oak Park, Ojai, Oak View, Sierra Madre,
//     Altadena, Monrovia, Claremont, Rolling Hills Estates, Simi Valley,
//     Thousand Oaks, Santa Paula, Somis) are in HFTD Tier 2 or 3 with a
//     per-ZIP share; about 5% of accounts overall. The shares are ours, not
//     a reading of the CPUC map.
//   - Households: size 1–7 (ACS-like distribution, mean about 2.8) and a
//     log-normal income around the county median, lower in DACs and
//     apartments. CARE and FERA are decided by reference.Eligible against
//     the 2025-26 table on a day from 2025-06-01, and every eligible home is
//     enrolled (source "utility", the decision's reason in the note); the
//     income spread is tuned so about 25% of homes qualify. Every income
//     records its verification: the utility's CARE/FERA check for enrolled
//     homes (self-attested, categorical or documents), self-attested for
//     the rest. About 2.5% of homes have Medical Baseline.
//   - Devices and programs (enrollments): rooftop solar on about 15% of
//     accounts (program "nem", track nem1/nem2/nbt by interconnection
//     date), EVs on about 8% of homes ("electric_vehicle", track level1 or
//     level2), smart thermostats on about 12% ("smart_thermostat", track the
//     brand), and Power Response (track smart_home for 30% of CCA
//     thermostat homes, home for 1% of other CCA homes, commercial_leaders
//     for 1% of CCA businesses). The NEM enrollment's start is the
//     permission-to-operate date: bill runs take the program from the track
//     and, for the Net Billing Tariff, the export-price vintage from its
//     year (only SCE's 2024 vintage is shipped, so homes of other vintages
//     are reported not billable).
//   - Power Share: 60% of the CCA homes on CARE or FERA in a DAC, from
//     their CARE or FERA start ("power_share", source "auto"); drawn from
//     a stream of its own so the other draws are unchanged.
//   - Homes: every residential premise records its building (home.go):
//     single-family or multifamily as drawn, gas heat unless the load
//     model heats electrically (then 40% heat pumps), a floor area around
//     1,650 sq ft (houses) or 900 sq ft (apartments), a year built, and
//     coordinates within 1.5 km of an approximate point of its ZIP (source
//     "demo"), except about 8% not yet located, whose home energy reports
//     use the ZIP fallback. Drawn from a stream of its own.
//   - Tariffs: the shipped tariff versions and export-price tables are
//     stored with the registry, so that `gridbook bill run` bills the demo.
//   - Names come from our own short lists; e-mail addresses use example.com
//     and telephone numbers the fictional 555-01XX block.
//
// # Interval data
//
// Every account has one meter with a year (1 January to 31 December local
// time of Options.Year) of delivered energy — hourly for homes, 15-minute
// for everyone else — and, with solar, a received channel. Readings are
// whole Wh. The year is cut with calendar.Intervals, so a March holds one
// hour less and a November one hour more; 2025 has 8,760 hourly readings.
//
//   - Weather: each climate zone has a synthetic year of daily mean
//     temperatures, a seasonal cosine (zone mean, half-range, warmest day)
//     plus AR(1) noise, with a 15:00 peak in the daily swing; and a sky
//     factor per day (winter rain clouds, May–June marine-layer mornings).
//     The draws depend only on the seed and the zone, so a zone's premises
//     share their weather. These are shapes, not weather records.
//   - Homes: always-on load, an occupancy shape with morning and evening
//     peaks (weekends later and flatter) with noise, appliance runs,
//     cooling proportional to the temperature above a setpoint two hours
//     earlier (air conditioning is rare on the coast, universal in the
//     desert), a little heating below 15.5 °C, pool pumps, and EV charging
//     from an evening plug-in (after 9 pm on TOU-D-PRIME) until the day's
//     need is met. A typical house uses about 6,400 kWh a year, an
//     apartment about 4,100.
//   - Businesses: base load plus an occupancy schedule by kind (office,
//     retail, restaurant, industrial, around-the-clock, pumping), cooling
//     above 22 °C, scaled to the drawn mean demand.
//   - Solar: clear-sky output of a south-facing array from the sun's
//     position (about 1,620 kWh per kW(dc) a year after clouds), sized to
//     60–105% of a home's annual use or 25–70% of a business's, times the
//     day's sky factor. Delivered is the load above the solar output,
//     received the output above the load: both non-negative, never both in
//     one interval.
//
// # Writing
//
// Workers draw batches of 1,000 accounts while one writer inserts them
// through store.Bulk (prepared statements, every row validated, no per-row
// audit), one transaction per batch, so memory stays flat. Generate then
// creates five logins, all with the password "demo-password" (demo
// databases only): admin@, manager@ and analyst@gridbook.demo, and
// customer@gridbook.demo (a residential CARE solar home) and
// customer2@gridbook.demo (a home with an EV and a smart thermostat in
// Power Response), and writes one audit record, "demo generated N accounts",
// by the system actor.
//
// # Performance
//
// On the 2-core build machine (Go 1.26, SQLite; figures for
// docs/performance.md): BenchmarkGenerate about 1.4 s per 1,000 accounts
// (BenchmarkBuildAccount about 0.5 ms to draw one account's year); 100,000
// accounts (1.36 billion readings) in about 2.5 minutes of wall time with a
// peak RSS near 230 MB. The packed interval data are about 1.9 GB but the
// SQLite file is about 5.1 GB, because interval_blocks is a WITHOUT ROWID
// table whose 1.5–6 KB blobs spill into mostly empty overflow pages (at
// 2,000 accounts: 104 MB as WITHOUT ROWID, 47 MB as a rowid table).
package demo
