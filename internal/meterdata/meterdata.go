package meterdata

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
)

// Format names an interval-file layout.
type Format string

// The supported layouts. FormatAuto detects the layout from the file's
// first bytes.
const (
	FormatAuto   Format = "auto"
	FormatESPI   Format = "espi"
	FormatSCECSV Format = "sce-csv"
	FormatPGECSV Format = "pge-csv"
	FormatCSV    Format = "plain-csv"
)

// Formats lists the concrete layouts, for help text and validation.
var Formats = []Format{FormatESPI, FormatSCECSV, FormatPGECSV, FormatCSV}

// ParseFormat accepts a layout name ("" means auto; "csv" is accepted for
// plain-csv).
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(strings.TrimSpace(s))); f {
	case "":
		return FormatAuto, nil
	case "csv":
		return FormatCSV, nil
	case FormatAuto, FormatESPI, FormatSCECSV, FormatPGECSV, FormatCSV:
		return f, nil
	}
	var fe apperr.Fields
	fe.Add("format", "must be auto, espi, sce-csv, pge-csv or plain-csv, not %q", s)
	return "", fe.Err("meterdata.ParseFormat")
}

// Quality says how a reading was obtained. The constants are ordered by
// how much a reading departs from a plain measurement, so when a source
// gives several quality codes for one reading the greatest wins.
type Quality uint8

// Reading qualities. ESPI ReadingQuality codes (QualityOfReading in
// NAESB REQ.21 espiDerived.xsd) map onto them: 0 valid, 14 raw,
// 17 validated, 18 verified and 19 revenue-quality are Actual; 7 manually
// edited is Edited; 8 estimated using a reference day, 9 estimated by
// linear interpolation and 12 projected are Estimated; 10 is Questionable;
// 11 derived and 15 normalized for weather are Derived; 13 mixed, 16 other
// and unknown codes are Other.
const (
	Actual Quality = iota
	Other
	Derived
	Questionable
	Edited
	Estimated
	numQualities
)

var qualityNames = [numQualities]string{"actual", "other", "derived", "questionable", "edited", "estimated"}

// String returns the quality's lower-case name.
func (q Quality) String() string {
	if q < numQualities {
		return qualityNames[q]
	}
	return fmt.Sprintf("quality(%d)", uint8(q))
}

// MarshalText encodes the quality by name.
func (q Quality) MarshalText() ([]byte, error) { return []byte(q.String()), nil }

// UnmarshalText decodes a quality name as written by MarshalText.
func (q *Quality) UnmarshalText(b []byte) error {
	v, ok := ParseQuality(string(b))
	if !ok {
		return fmt.Errorf("meterdata: unknown reading quality %q", b)
	}
	*q = v
	return nil
}

// ParseQuality reads a quality name as written by String.
func ParseQuality(s string) (Quality, bool) {
	for i, n := range qualityNames {
		if n == s {
			return Quality(i), true
		}
	}
	return 0, false
}

// espiQuality maps an ESPI QualityOfReading code (see Quality).
func espiQuality(code int64) Quality {
	switch code {
	case 0, 14, 17, 18, 19:
		return Actual
	case 7:
		return Edited
	case 8, 9, 12:
		return Estimated
	case 10:
		return Questionable
	case 11, 15:
		return Derived
	}
	return Other
}

// Reading is one interval's energy.
type Reading struct {
	StartUnix int64     // interval start, Unix seconds (UTC)
	Seconds   int32     // interval length
	Quality   Quality   // how the value was obtained
	Wh        energy.Wh // energy in the interval, ≥ 0
}

// Start returns the interval's start instant in UTC.
func (r Reading) Start() time.Time { return time.Unix(r.StartUnix, 0).UTC() }

// Channel is one direction of flow read from a file.
type Channel struct {
	Direction       customer.Direction
	NetOnly         bool      // split from a net-only source
	IntervalSeconds int       // the channel's nominal interval length
	Source          string    // where in the file the channel came from
	Readings        []Reading // sorted by start, at most one per start
	Report          Report
}

// Report describes what a parser found in one channel.
type Report struct {
	Readings   int       `json:"readings"`
	First      time.Time `json:"first"`        // start of the first reading
	End        time.Time `json:"end"`          // end of the last reading
	TotalWh    energy.Wh `json:"total_wh"`     // sum of the readings
	Gaps       int       `json:"gaps"`         // missing intervals between First and End
	GapSpans   []Span    `json:"gap_spans"`    // the first few gaps
	Duplicates int       `json:"duplicates"`   // repeated readings with the same value (kept once)
	Overlaps   int       `json:"overlaps"`     // readings clashing with another for the same time (see Parse)
	Estimated  int       `json:"estimated"`    // readings flagged Estimated
	ByQuality  []Count   `json:"by_quality"`   // readings per quality, non-zero only
	Rounded    int       `json:"rounded"`      // readings that were not whole Wh after scaling (rounded, total kept exact)
	Skipped    int       `json:"skipped"`      // rows or readings without a value (missing)
	Multiplier int       `json:"power_of_ten"` // ESPI powerOfTenMultiplier applied (0 for CSV)
}

// Span is a half-open range of instants [From, To).
type Span struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Count is a labelled number.
type Count struct {
	Label string `json:"label"`
	N     int    `json:"n"`
}

// File is a parsed interval file.
type File struct {
	Format   Format
	Channels []Channel
	// AccountNumber is the utility account the file names ("Account
	// Number" in a PG&E CSV preamble), or "" when it names none.
	AccountNumber string
}

// Readings returns the number of readings over all channels.
func (f *File) Readings() int {
	n := 0
	for _, c := range f.Channels {
		n += len(c.Readings)
	}
	return n
}

// Parse reads an interval file in the given layout; FormatAuto detects it
// from the first bytes. Within a channel, a second reading for the same
// start with the same value is a duplicate and is dropped; with a
// different value it is an overlap and the later one in the file wins (a
// correction appended to an export); a reading that starts inside an
// earlier one is an overlap and is dropped. Errors are apperr Invalid
// errors naming the problem.
func Parse(r io.Reader, f Format) (*File, error) { return parse(r, f, new(int)) }

// parse is Parse counting the readings or records read in *n.
func parse(r io.Reader, f Format, n *int) (*File, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if f == FormatAuto || f == "" {
		head, err := br.Peek(8 << 10)
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
			return nil, apperr.E(apperr.Invalid, "meterdata.Parse", "could not read the file", err)
		}
		if f, err = Detect(head); err != nil {
			return nil, err
		}
	}
	switch f {
	case FormatESPI:
		return parseESPI(br, n)
	case FormatSCECSV:
		return parseSCECSV(br, n)
	case FormatPGECSV:
		return parsePGECSV(br, n)
	case FormatCSV:
		return parsePlainCSV(br, n)
	}
	_, err := ParseFormat(string(f))
	return nil, err
}

// Detect names the layout of a file from its first bytes.
func Detect(head []byte) (Format, error) {
	h := bytes.TrimPrefix(head, utf8BOM)
	h = bytes.TrimLeft(h, " \t\r\n")
	if len(h) > 0 && h[0] == '<' {
		return FormatESPI, nil
	}
	low := strings.ToLower(normalizeSpace(string(h)))
	first, _, _ := strings.Cut(low, "\n")
	switch {
	case strings.HasPrefix(strings.TrimSpace(first), "start,duration_s"):
		return FormatCSV, nil
	case strings.Contains(low, "\ntype,date,start time") || strings.HasPrefix(first, "type,date,start time") ||
		(strings.HasPrefix(first, "name,") && strings.Contains(low, "account number")):
		return FormatPGECSV, nil
	case strings.Contains(low, "energy usage information") || strings.Contains(low, "data for period starting") ||
		strings.Contains(low, "time period,usage") || strings.Contains(low, `time period","usage`):
		return FormatSCECSV, nil
	}
	msg := "the file is not Green Button XML, an SCE or PG&E Green Button CSV or a start,duration_s,delivered_wh,received_wh CSV; name the format if it is one of them"
	return "", &apperr.Error{Kind: apperr.Invalid, Op: "meterdata.Detect", Msg: "unrecognised interval file format", Fields: []apperr.FieldError{{Field: "format", Msg: msg}}}
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Rejected is the message of every error about an interval file's
// content; the field "file" says what is wrong.
const Rejected = "interval file rejected"

// invalid returns an Invalid error naming the problem under the field
// "file".
func invalid(op, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &apperr.Error{Kind: apperr.Invalid, Op: op, Msg: Rejected, Fields: []apperr.FieldError{{Field: "file", Msg: msg}}}
}
