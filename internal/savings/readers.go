package savings

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// maxRows bounds what one file may hold (about 57 years of hourly readings
// or 14 of 15-minute ones), so a hostile upload cannot exhaust memory.
const maxRows = 500_000

// Unit is a temperature unit of an input file.
type Unit string

// Temperature units. UnitAuto takes the unit from the column name (tempC,
// temp_c, …) and assumes °F otherwise.
const (
	UnitAuto       Unit = ""
	UnitFahrenheit Unit = "F"
	UnitCelsius    Unit = "C"
)

// CToF converts °C to °F as eemeter does (F = 32 + 1.8·C).
func CToF(c float64) float64 { return 32 + 1.8*c }

// decompress returns the content of r, inflated when it is gzip.
func decompress(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(2)
	if bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		return zr, nil
	}
	return br, nil
}

// table is a parsed CSV file with its header.
type table struct {
	header []string
	rows   [][]string
}

func readTable(op, field string, r io.Reader) (*table, error) {
	in, err := decompress(r)
	if err != nil {
		return nil, fieldErr(op, field, "not a readable gzip file: %v", err)
	}
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fieldErr(op, field, "the file is empty")
		}
		return nil, fieldErr(op, field, "line 1: %v", err)
	}
	t := &table{header: header}
	for i := range t.header {
		t.header[i] = strings.TrimSpace(strings.TrimPrefix(t.header[i], "\ufeff"))
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fieldErr(op, field, "%v", err)
		}
		if len(t.rows) >= maxRows {
			return nil, fieldErr(op, field, "more than %d rows", maxRows)
		}
		t.rows = append(t.rows, rec)
	}
	return t, nil
}

// column returns the index of the first header among names (compared
// without case), or -1.
func (t *table) column(names ...string) int {
	for _, n := range names {
		for i, h := range t.header {
			if strings.EqualFold(h, n) {
				return i
			}
		}
	}
	return -1
}

// ParseTime reads a timestamp as eemeter's sample loader does
// (pd.to_datetime(..., utc=True)): ISO-8601 with or without a "T", with an
// offset or "Z" (converted to UTC) or naive (taken as UTC), or a bare date.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{
		time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04Z07:00", "2006-01-02 15:04Z07:00",
		"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO-8601 timestamp", s)
}

// parseValue reads a number; "", "nan", "NaN" and "null" are missing.
func parseValue(s string) (float64, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "nan", "null", "na":
		return math.NaN(), nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return v, nil
}

// readSamples reads the time and value columns of t.
func readSamples(op, field string, t *table, tcol, vcol int, conv func(float64) float64) ([]sample, error) {
	out := make([]sample, 0, len(t.rows))
	for i, rec := range t.rows {
		line := i + 2
		if len(rec) <= max(tcol, vcol) {
			return nil, fieldErr(op, field, "line %d: %d columns, want at least %d", line, len(rec), max(tcol, vcol)+1)
		}
		at, err := ParseTime(rec[tcol])
		if err != nil {
			return nil, fieldErr(op, field, "line %d, column %q: %v", line, t.header[tcol], err)
		}
		v, err := parseValue(rec[vcol])
		if err != nil {
			return nil, fieldErr(op, field, "line %d, column %q: %v", line, t.header[vcol], err)
		}
		if conv != nil && !math.IsNaN(v) {
			v = conv(v)
		}
		out = append(out, sample{at, v})
	}
	if len(out) == 0 {
		return nil, fieldErr(op, field, "no readings")
	}
	return out, nil
}

// MeterFrequency is how a meter file's readings are grouped before modelling.
type MeterFrequency string

// The meter frequencies. Daily and hourly sum the readings into days or UTC
// hours (eemeter's resample(...).sum(min_count=1)); billing keeps each row
// as one period, the last row marking the end of the last period.
const (
	FreqDaily   MeterFrequency = "daily"
	FreqHourly  MeterFrequency = "hourly"
	FreqBilling MeterFrequency = "billing"
)

// ReadMeterCSV reads meter data in eemeter's sample layout — a CSV (plain
// or gzip) with a "start" column of ISO-8601 timestamps and a "value"
// column (an unnamed leading index column is allowed) — and groups it by
// freq. Days begin at UTC or Pacific midnight according to days.
func ReadMeterCSV(r io.Reader, freq MeterFrequency, days DayBoundary) (Usage, error) {
	const op, field = "savings.ReadMeterCSV", "meter"
	t, err := readTable(op, field, r)
	if err != nil {
		return nil, err
	}
	tcol := t.column("start", "datetime", "timestamp", "dt", "time", "date")
	vcol := t.column("value", "kwh", "usage", "therms")
	if tcol < 0 || vcol < 0 {
		return nil, fieldErr(op, field, "want a header with columns start and value, got %q", strings.Join(t.header, ","))
	}
	s, err := readSamples(op, field, t, tcol, vcol, nil)
	if err != nil {
		return nil, err
	}
	return groupUsage(s, freq, days)
}

func groupUsage(s []sample, freq MeterFrequency, days DayBoundary) (Usage, error) {
	switch freq {
	case FreqBilling:
		u := make(Usage, len(s))
		for i, x := range s {
			u[i] = Period{Start: x.at, Value: x.v}
			if i > 0 && !x.at.After(s[i-1].at) {
				return nil, fieldErr("savings.ReadMeterCSV", "meter", "billing periods must start in increasing order (row %d starts %s, not after %s)", i+2, x.at.Format(time.RFC3339), s[i-1].at.Format(time.RFC3339))
			}
		}
		return u, nil
	}
	var u Usage
	var err error
	if freq == FreqHourly {
		u, err = binSum(s, hourFloor, hourNext)
	} else {
		loc := time.UTC
		if days == DayLocal {
			loc = calendar.Pacific
		}
		u, err = binSum(s, dayFloor(loc), dayNext(loc))
	}
	if err != nil {
		return nil, fieldErr("savings.ReadMeterCSV", "meter", "%v", err)
	}
	return u, nil
}

// ReadTemperatureCSV reads hourly (or finer) temperature from a CSV, plain
// or gzip: eemeter's samples ("dt,tempF" or ",dt,tempC") and any file with a
// timestamp column (dt, datetime, timestamp, time, start) and a temperature
// column (tempF, tempC, temperature, temp, temp_f, temp_c). Readings are
// averaged onto UTC hours and returned in °F; unit UnitAuto takes °C from
// the column name.
func ReadTemperatureCSV(r io.Reader, unit Unit) (Temperature, error) {
	const op, field = "savings.ReadTemperatureCSV", "temperature"
	t, err := readTable(op, field, r)
	if err != nil {
		return Temperature{}, err
	}
	tcol := t.column("dt", "datetime", "timestamp", "time", "start", "date")
	vcol := t.column("tempF", "tempC", "temperature", "temp", "temp_f", "temp_c", "temperature_f", "temperature_c")
	if tcol < 0 || vcol < 0 {
		return Temperature{}, fieldErr(op, field, "want a header with a timestamp column (dt) and a temperature column (tempF or tempC), got %q", strings.Join(t.header, ","))
	}
	if unit == UnitAuto {
		unit = UnitFahrenheit
		h := strings.ToLower(t.header[vcol])
		if strings.HasSuffix(h, "c") && h != "temperature" {
			unit = UnitCelsius
		}
	}
	var conv func(float64) float64
	if unit == UnitCelsius {
		conv = CToF
	}
	s, err := readSamples(op, field, t, tcol, vcol, conv)
	if err != nil {
		return Temperature{}, err
	}
	return toHourly(op, field, s)
}

// toHourly checks readings for plausibility and averages them onto UTC
// hours.
func toHourly(op, field string, s []sample) (Temperature, error) {
	if err := plausible(op, field, s); err != nil {
		return Temperature{}, err
	}
	temp, err := hourlyMean(s)
	if err != nil {
		return Temperature{}, fieldErr(op, field, "%v", err)
	}
	return temp, nil
}

// plausible refuses temperatures no weather station reports (°F): the usual
// sign of a °C file read as °F is values that are fine, so this catches
// only gross errors such as kelvins or a wrong column.
func plausible(op, field string, s []sample) error {
	for _, x := range s {
		if x.v < -100 || x.v > 150 {
			return fieldErr(op, field, "%.1f °F at %s is not a plausible air temperature (wrong unit or column?)", x.v, x.at.Format(time.RFC3339))
		}
	}
	return nil
}

// ReadISDLite reads a NOAA Integrated Surface Database "ISD-Lite" file
// (plain or gzip): fixed-width lines of year, month, day, hour (UTC) and air
// temperature in tenths of °C, then dew point, pressure, wind and sky
// fields; -9999 marks a missing value. The result is hourly °F.
// Format: NOAA NCEI, "ISD-Lite Technical Document" (isd-lite-format).
func ReadISDLite(r io.Reader) (Temperature, error) {
	const op, field = "savings.ReadISDLite", "temperature"
	in, err := decompress(r)
	if err != nil {
		return Temperature{}, fieldErr(op, field, "not a readable gzip file: %v", err)
	}
	sc := bufio.NewScanner(in)
	var s []sample
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < 5 {
			return Temperature{}, fieldErr(op, field, "line %d: %d fields, want year month day hour temperature …", line, len(f))
		}
		var n [5]int
		for i := range n {
			v, err := strconv.Atoi(f[i])
			if err != nil {
				return Temperature{}, fieldErr(op, field, "line %d, field %d: %q is not an integer", line, i+1, f[i])
			}
			n[i] = v
		}
		if n[1] < 1 || n[1] > 12 || n[2] < 1 || n[2] > 31 || n[3] < 0 || n[3] > 23 || n[0] < 1900 || n[0] > 2200 {
			return Temperature{}, fieldErr(op, field, "line %d: %d-%02d-%02d hour %d is not a valid date and hour", line, n[0], n[1], n[2], n[3])
		}
		at := time.Date(n[0], time.Month(n[1]), n[2], n[3], 0, 0, 0, time.UTC)
		if at.Day() != n[2] {
			return Temperature{}, fieldErr(op, field, "line %d: %d-%02d-%02d is not a date", line, n[0], n[1], n[2])
		}
		v := math.NaN()
		if n[4] != -9999 {
			v = CToF(float64(n[4]) / 10)
		}
		if len(s) >= maxRows {
			return Temperature{}, fieldErr(op, field, "more than %d rows", maxRows)
		}
		s = append(s, sample{at, v})
	}
	if err := sc.Err(); err != nil {
		return Temperature{}, fieldErr(op, field, "%v", err)
	}
	if len(s) == 0 {
		return Temperature{}, fieldErr(op, field, "no readings")
	}
	return toHourly(op, field, s)
}

func fieldErr(op, field, format string, args ...any) error {
	var f apperr.Fields
	f.Add(field, format, args...)
	return f.Err(op)
}
