// Package meterdata parses interval-meter files into a neutral form: a list
// of channels, each with its flow direction (delivered to the customer or
// received from the customer), its interval length and its readings in
// integer watt-hours with a quality flag, plus a report of the gaps,
// duplicates, overlaps and estimated readings found in each channel. It
// stores nothing; internal/store imports the result.
//
// Formats (research/billing.md §5):
//   - Green Button ESPI XML (NAESB REQ.21): Atom feeds with the ESPI
//     objects in the default namespace or under an espi: prefix, batch and
//     subscription feeds, ReadingType inline in a MeterReading or linked
//     by href. flowDirection 1 is delivered, 19 received and 4 net
//     (IEC 61968-9 FlowDirectionKind); uom must be 72 (Wh) with
//     accumulationBehaviour 4 (deltaData) or none; powerOfTenMultiplier is
//     applied exactly in integers; readings without a timePeriod follow one
//     another from the block's start at the ReadingType's intervalLength;
//     ReadingQuality codes become Quality flags.
//   - SCE "Green Button Download My Data" CSV: free-text preamble, "Energy
//     Delivered" / "Energy Received" sections (or the older single
//     "Energy consumption" section), U+00A0 non-breaking spaces, kWh.
//   - PG&E Green Button CSV: preamble, then TYPE,DATE,START TIME,END TIME,
//     USAGE[ (kWh)],UNITS,COST,NOTES or the IMPORT (kWh),EXPORT (kWh) variant.
//   - A plain CSV: start,duration_s,delivered_wh,received_wh[,quality].
//
// Utility CSV files label intervals with Pacific wall-clock times and no
// offset. The repeated hour on the fall-back day is resolved by row order:
// each label takes the earliest instant after the previous row's start, so
// the first 01:00 is PDT and the second PST. A label that does not exist
// (the skipped hour on the spring-forward day) is an error.
//
// Net-only sources (a single signed usage column, ESPI flowDirection 4) are
// split into delivered = max(net, 0) and received = max(−net, 0), both
// marked NetOnly; only net is never stored (research/billing.md §6.1).
//
// The XML reader is a hand-written streaming scanner for the subset ESPI
// uses. It reads the input in chunks, never builds a tree, rejects any
// DOCTYPE (so no DTD and no entity expansion can happen) and decodes only
// the five predefined entities and character references. Tests check it
// against encoding/xml on every sample file.
//
// Importing: Read parses and also hashes the input (SHA-256) with
// progress reports; File.ForMeter lays a file's channels onto a meter's
// channels (same direction, same interval length — nothing is resampled —
// on the interval grid, inside the meter's service) as Series, the form
// in which stored interval data also reaches the engines: integer Wh per
// interval, Missing for gaps, and a Quality per reading kept only when some
// reading is not actual. internal/store merges them idempotently.
//
// Performance: BenchmarkParseESPI (go test -run '^$' -bench ParseESPI
// ./internal/meterdata/); figures in docs/performance.md, "Interval data
// (issue 3)".
package meterdata
