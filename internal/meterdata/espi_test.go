package meterdata

import (
	"bytes"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
)

// TestInlandSingleFamilyKnownAnswer checks the known answer: the
// Green Button Alliance 2011 "Inland Single Family" file yields exactly
// 8,760 hourly readings summing to 8,343,306 Wh
// (research/billing.md §6.4), from 2011-01-01 08:00Z (midnight PST) to
// 2012-01-01 08:00Z.
func TestInlandSingleFamilyKnownAnswer(t *testing.T) {
	f := mustParse(t, sample(t, "Inland_Single_Family_Jan_1_2011_to_Jan_1_2012_RetailCustomer_9.xml"), FormatAuto)
	if f.Format != FormatESPI || len(f.Channels) != 1 {
		t.Fatalf("format %s, %d channels; want espi, 1", f.Format, len(f.Channels))
	}
	c := f.Channels[0]
	r := c.Report
	if c.Direction != customer.Delivered || c.NetOnly || c.IntervalSeconds != 3600 {
		t.Errorf("channel %s net=%v %ds, want delivered gross hourly", c.Direction, c.NetOnly, c.IntervalSeconds)
	}
	if len(c.Readings) != 8760 || r.Readings != 8760 || r.TotalWh != 8343306 {
		t.Errorf("%d readings (report %d) summing to %d Wh, want 8760 and 8343306", len(c.Readings), r.Readings, r.TotalWh)
	}
	if !r.First.Equal(time.Date(2011, 1, 1, 8, 0, 0, 0, time.UTC)) || !r.End.Equal(time.Date(2012, 1, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("span %v – %v", r.First, r.End)
	}
	if r.Gaps+r.Duplicates+r.Overlaps+r.Estimated != 0 {
		t.Errorf("report %+v, want no gaps, duplicates, overlaps or estimates", r)
	}
	// The first three readings of the file: 1002, 867, 787 Wh.
	if got := values(c)[:3]; !slices.Equal(got, []energy.Wh{1002, 867, 787}) {
		t.Errorf("first readings %v", got)
	}
}

// TestSampleFilesParse parses every ESPI sample. Counts and totals were
// taken from the files by hand (a regular expression over the
// IntervalReading elements, outside this code).
func TestSampleFilesParse(t *testing.T) {
	type ch struct {
		dir       customer.Direction
		step, n   int
		total     energy.Wh
		estimated int
	}
	tests := []struct {
		file string
		want []ch
	}{
		// The README says "two MeterReadings (hourly + daily), 17,520
		// readings"; the file holds one hourly MeterReading with 8,760
		// IntervalReadings in 365 daily blocks (17,520 counts the opening
		// and closing tags).
		{"Coastal_Multi_Family_Daily_Jan_1_2011_to_Jan_1_2012_RetailCustomer_4.xml", []ch{{customer.Delivered, 3600, 8760, 4425305, 0}}},
		{"Inland_Single_Family_Jan_1_2011_to_Jan_1_2012_RetailCustomer_9.xml", []ch{{customer.Delivered, 3600, 8760, 8343306, 0}}},
		{"TestGBDataHourlyNineDaysBinnedDaily.xml", []ch{{customer.Delivered, 3600, 216, 199563, 0}}},
		{"TestGBDataOneYearDailyBinnedMonthly.xml", []ch{{customer.Delivered, 86400, 444, 9917817, 0}}},
		// One reading has ReadingQuality 8 (estimated), one 7 (edited).
		{"OpenESPI_test_usage_data_15min.xml", []ch{{customer.Delivered, 900, 1340, 1391666, 1}}},
		// espi: prefixes, ReadingType inline in the MeterReading, no blocks.
		{"OpenESPI_Usage-Subscription-Feed-Anonymized.xml", []ch{{customer.Delivered, 3600, 0, 0, 0}}},
		{"SYNTHETIC_SCE_example_two_channel_nem_espi.xml", []ch{{customer.Delivered, 900, 96, 2990, 0}, {customer.Received, 900, 96, 340, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := mustParse(t, sample(t, tt.file), FormatAuto)
			var got []ch
			for _, c := range f.Channels {
				got = append(got, ch{c.Direction, c.IntervalSeconds, c.Report.Readings, c.Report.TotalWh, c.Report.Estimated})
				if c.Report.Readings != len(c.Readings) {
					t.Errorf("report says %d readings, channel has %d", c.Report.Readings, len(c.Readings))
				}
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(ch{})); diff != "" {
				t.Errorf("channels (-want +got):\n%s", diff)
			}
		})
	}
}

// TestScannerAgreesWithEncodingXML checks the hand-written scanner against
// encoding/xml driving the same builder, on every XML sample.
func TestScannerAgreesWithEncodingXML(t *testing.T) {
	files := []string{
		"Coastal_Multi_Family_Daily_Jan_1_2011_to_Jan_1_2012_RetailCustomer_4.xml",
		"Inland_Single_Family_Jan_1_2011_to_Jan_1_2012_RetailCustomer_9.xml",
		"TestGBDataHourlyNineDaysBinnedDaily.xml",
		"TestGBDataOneYearDailyBinnedMonthly.xml",
		"OpenESPI_test_usage_data_15min.xml",
		"OpenESPI_Usage-Subscription-Feed-Anonymized.xml",
		"SYNTHETIC_SCE_example_two_channel_nem_espi.xml",
	}
	check := func(t *testing.T, b []byte) {
		got, err := ParseESPI(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		want, err := parseESPIReference(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("scanner and encoding/xml differ (-xml +scanner):\n%s", diff)
		}
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) { check(t, sample(t, name)) })
	}
	t.Run("espi_multiplier.xml", func(t *testing.T) { check(t, fixture(t, "espi_multiplier.xml")) })
	// Reading one byte at a time exercises every buffer boundary.
	t.Run("one byte at a time", func(t *testing.T) {
		b := fixture(t, "espi_multiplier.xml")
		got, err := ParseESPI(&oneByteReader{b: b})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := ParseESPI(bytes.NewReader(b))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("byte-at-a-time parse differs:\n%s", diff)
		}
	})
}

type oneByteReader struct{ b []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	p[0] = r.b[0]
	r.b = r.b[1:]
	return 1, nil
}

// TestSCECSVMatchesESPITwin checks the second known answer: the
// SCE solar CSV day and its synthetic ESPI twin yield identical intervals
// (2.99 kWh delivered, 0.34 kWh received; README of the samples).
func TestSCECSVMatchesESPITwin(t *testing.T) {
	csvFile := mustParse(t, sample(t, "SCE_SolarBillingPlan_GreenButton_example_delivered_received.csv"), FormatAuto)
	espiFile := mustParse(t, sample(t, "SYNTHETIC_SCE_example_two_channel_nem_espi.xml"), FormatAuto)
	if csvFile.Format != FormatSCECSV {
		t.Errorf("CSV detected as %s", csvFile.Format)
	}
	if len(csvFile.Channels) != 2 || len(espiFile.Channels) != 2 {
		t.Fatalf("%d and %d channels, want 2 and 2", len(csvFile.Channels), len(espiFile.Channels))
	}
	for i, want := range []energy.Wh{2990, 340} {
		a, b := csvFile.Channels[i], espiFile.Channels[i]
		if a.Direction != b.Direction || a.IntervalSeconds != b.IntervalSeconds {
			t.Errorf("channel %d: %s/%d vs %s/%d", i, a.Direction, a.IntervalSeconds, b.Direction, b.IntervalSeconds)
		}
		if diff := cmp.Diff(a.Readings, b.Readings); diff != "" {
			t.Errorf("channel %d readings differ (-csv +espi):\n%s", i, diff)
		}
		if a.Report.TotalWh != want || b.Report.TotalWh != want {
			t.Errorf("channel %d totals %d and %d, want %d", i, a.Report.TotalWh, b.Report.TotalWh, want)
		}
	}
	// 2024-05-22 00:00 PDT is 07:00Z.
	if got := csvFile.Channels[0].Readings[0].Start(); !got.Equal(time.Date(2024, 5, 22, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("first interval starts %v, want 2024-05-22T07:00Z", got)
	}
}

// TestPowerOfTenMultiplierExact checks that value × 10^powerOfTenMultiplier
// Wh is applied in integers (research/billing.md §5.1): 3 scales 2 to
// 2,000 Wh; −3 turns 999, 1, 2500 and 1500 mWh into 1, 0, 3 and 1 Wh — the
// running total (0.999, 1.000, 3.500, 5.000 Wh) rounded half away from
// zero at each step — so the channel total is exactly 5 Wh.
func TestPowerOfTenMultiplierExact(t *testing.T) {
	f := mustParse(t, fixture(t, "espi_multiplier.xml"), FormatESPI)
	if len(f.Channels) != 2 {
		t.Fatalf("%d channels, want 2", len(f.Channels))
	}
	kwh, mwh := f.Channels[0], f.Channels[1]
	if kwh.Direction != customer.Delivered || !slices.Equal(values(kwh), []energy.Wh{2000, 0, 17000}) || kwh.Report.Multiplier != 3 {
		t.Errorf("×10^3 channel %s %v (power %d)", kwh.Direction, values(kwh), kwh.Report.Multiplier)
	}
	// Readings without a timePeriod follow one another from the block
	// start (1793520000 = 2026-11-01T08:00Z) at intervalLength 3600.
	if got := starts(kwh); !slices.Equal(got, []int64{1793520000, 1793523600, 1793527200}) {
		t.Errorf("starts %v", got)
	}
	if mwh.Direction != customer.Received || !slices.Equal(values(mwh), []energy.Wh{1, 0, 3, 1}) || mwh.Report.TotalWh != 5 || mwh.Report.Rounded != 4 {
		t.Errorf("×10^−3 channel %s %v total %d rounded %d", mwh.Direction, values(mwh), mwh.Report.TotalWh, mwh.Report.Rounded)
	}
}

// espiDoc builds a one-MeterReading ESPI feed with the given ReadingType
// body and IntervalReadings.
func espiDoc(readingType, readings string) string {
	return `<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom">
 <entry><link rel="self" href="/mr/1"/><link rel="related" href="/rt/1"/><content><MeterReading xmlns="http://naesb.org/espi"/></content></entry>
 <entry><link rel="self" href="/rt/1"/><content><ReadingType xmlns="http://naesb.org/espi">` + readingType + `</ReadingType></content></entry>
 <entry><link rel="self" href="/mr/1/IntervalBlock/1"/><content><IntervalBlock xmlns="http://naesb.org/espi">
  <interval><duration>86400</duration><start>1779692400</start></interval>` + readings + `</IntervalBlock></content></entry>
</feed>`
}

const hourlyWh = `<flowDirection>1</flowDirection><intervalLength>3600</intervalLength><uom>72</uom>`

func reading(start int64, value int, quality string) string {
	q := ""
	if quality != "" {
		q = "<ReadingQuality><quality>" + quality + "</quality></ReadingQuality>"
	}
	return "<IntervalReading>" + q + "<timePeriod><duration>3600</duration><start>" + itoa(start) + "</start></timePeriod><value>" + itoa(int64(value)) + "</value></IntervalReading>"
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// TestESPIRejectsWrongUnits checks the bad-input rule: files with
// the wrong units or channels are rejected with an error naming the
// problem.
func TestESPIRejectsWrongUnits(t *testing.T) {
	const t0 = 1779692400 // 2026-05-25T07:00Z
	one := reading(t0, 5, "")
	tests := []struct {
		name  string
		doc   string
		words []string
	}{
		{"power in W", espiDoc(`<flowDirection>1</flowDirection><intervalLength>3600</intervalLength><uom>38</uom>`, one), []string{"uom is 38 (W)", "uom 72"}},
		{"therms", espiDoc(`<intervalLength>3600</intervalLength><uom>169</uom>`, one), []string{"169 (therm)"}},
		{"no uom", espiDoc(`<intervalLength>3600</intervalLength>`, one), []string{"uom is none"}},
		{"summation register", espiDoc(hourlyWh+`<accumulationBehaviour>9</accumulationBehaviour>`, one), []string{"accumulationBehaviour is 9"}},
		{"gas commodity", espiDoc(hourlyWh+`<commodity>7</commodity>`, one), []string{"commodity 7"}},
		{"unknown flow direction", espiDoc(`<flowDirection>2</flowDirection><intervalLength>3600</intervalLength><uom>72</uom>`, one), []string{"flowDirection 2"}},
		{"no interval length", espiDoc(`<uom>72</uom>`, one), []string{"intervalLength"}},
		{"negative delivered reading", espiDoc(hourlyWh, reading(t0, -4, "")), []string{"negative reading (-4 Wh)"}},
		{"non-integer value", espiDoc(hourlyWh, "<IntervalReading><value>1.5</value></IntervalReading>"), []string{`<value> holds "1.5"`}},
		{"gas usage point", strings.Replace(espiDoc(hourlyWh, one), "<entry>", `<entry><link rel="self" href="/up/1"/><content><UsagePoint xmlns="http://naesb.org/espi"><ServiceCategory><kind>1</kind></ServiceCategory></UsagePoint></content></entry><entry>`, 1), []string{"gas service"}},
	}
	for _, tt := range tests {
		_, err := ParseESPI(strings.NewReader(tt.doc))
		wantRejected(t, tt.name, err, tt.words...)
	}
}

// TestESPINeverExpandsEntities checks the issue's rule "never DTD/entity
// expansion": a DOCTYPE is refused before any entity could be defined, and
// an undefined entity reference is an error; the predefined entities and
// character references are decoded.
func TestESPINeverExpandsEntities(t *testing.T) {
	bomb := `<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>` + espiDoc(hourlyWh, "<IntervalReading><value>&b;</value></IntervalReading>")[len(`<?xml version="1.0"?>`):]
	_, err := ParseESPI(strings.NewReader(bomb))
	wantRejected(t, "entity bomb", err, "DOCTYPE")
	_, err = ParseESPI(strings.NewReader(espiDoc(hourlyWh, "<IntervalReading><value>&x;</value></IntervalReading>")))
	wantRejected(t, "undefined entity", err, "&x; is not defined")
	// &#52;&#x32; is "42".
	f, err := ParseESPI(strings.NewReader(espiDoc(hourlyWh, "<IntervalReading><value>&#52;&#x32;</value></IntervalReading>")))
	if err != nil {
		t.Fatal(err)
	}
	if got := values(f.Channels[0]); !slices.Equal(got, []energy.Wh{42}) {
		t.Errorf("character references gave %v, want [42]", got)
	}
}

// TestESPIReportsGapsDuplicatesOverlapsEstimates checks the per-channel
// report: a repeated reading is a duplicate (kept once), a second value
// for the same hour is an overlap (the later wins), a missing hour is a
// gap, ReadingQuality 8 and 9 are estimates.
func TestESPIReportsGapsDuplicatesOverlapsEstimates(t *testing.T) {
	const t0 = 1779692400
	h := int64(3600)
	rs := reading(t0, 10, "") + reading(t0+h, 11, "8") + reading(t0+h, 11, "8") + // duplicate
		reading(t0+2*h, 12, "") + reading(t0+2*h, 13, "9") + // overlap: 13 wins
		reading(t0+5*h, 14, "0") // gap of hours 3 and 4
	f, err := ParseESPI(strings.NewReader(espiDoc(hourlyWh, rs)))
	if err != nil {
		t.Fatal(err)
	}
	c := f.Channels[0]
	r := c.Report
	if !slices.Equal(values(c), []energy.Wh{10, 11, 13, 14}) {
		t.Errorf("values %v, want [10 11 13 14]", values(c))
	}
	if r.Duplicates != 1 || r.Overlaps != 1 || r.Gaps != 2 || r.Estimated != 2 || r.TotalWh != 48 {
		t.Errorf("report %+v, want 1 duplicate, 1 overlap, 2 gap intervals, 2 estimated, 48 Wh", r)
	}
	wantGap := Span{From: time.Unix(t0+3*h, 0).UTC(), To: time.Unix(t0+5*h, 0).UTC()}
	if len(r.GapSpans) != 1 || r.GapSpans[0] != wantGap {
		t.Errorf("gap spans %v, want [%v]", r.GapSpans, wantGap)
	}
}

// TestESPINetFlowSplit checks flowDirection 4 (net): delivered =
// max(net, 0), received = max(−net, 0), both marked net-only
// (research/billing.md §6.1).
func TestESPINetFlowSplit(t *testing.T) {
	const t0 = 1779692400
	doc := espiDoc(`<flowDirection>4</flowDirection><intervalLength>3600</intervalLength><uom>72</uom>`,
		reading(t0, 5, "")+reading(t0+3600, -3, ""))
	f, err := ParseESPI(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Channels) != 2 {
		t.Fatalf("%d channels, want 2", len(f.Channels))
	}
	d, r := f.Channels[0], f.Channels[1]
	if d.Direction != customer.Delivered || r.Direction != customer.Received || !d.NetOnly || !r.NetOnly {
		t.Errorf("channels %s/%v and %s/%v", d.Direction, d.NetOnly, r.Direction, r.NetOnly)
	}
	if !slices.Equal(values(d), []energy.Wh{5, 0}) || !slices.Equal(values(r), []energy.Wh{0, 3}) {
		t.Errorf("delivered %v received %v, want [5 0] and [0 3]", values(d), values(r))
	}
}

// TestESPIMalformedXML checks that broken documents are errors, not
// partial results.
func TestESPIMalformedXML(t *testing.T) {
	full := espiDoc(hourlyWh, reading(1779692400, 5, ""))
	tests := []struct{ name, doc, word string }{
		{"truncated", full[:len(full)-20], "end of file"},
		{"mismatched end tag", strings.Replace(full, "</content></entry>\n</feed>", "</entry></content>\n</feed>", 1), "unexpected </entry>"},
		{"empty", "", "empty"},
		{"not ESPI", "<html><body>hello</body></html>", "not Green Button"},
		{"two roots", full + "<feed/>", "second root"},
	}
	for _, tt := range tests {
		_, err := ParseESPI(strings.NewReader(tt.doc))
		wantRejected(t, tt.name, err, tt.word)
	}
}
