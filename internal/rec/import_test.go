package rec

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/rps"
)

// holdingsFile is a holdings report of another registry: batch 17 of
// Desert Sun's March 2023 held in two lines (the generator keeps 1–250,
// the CCA holds 251–1000).
const holdingsFile = "Account ID,Account,Organization,Account Type,Status,Generating Unit ID,Generator,Fuel Type,State,Vintage,Certificate Serial Numbers,Quantity,Block ID\n" +
	"88,Desert Sun active,Desert Sun LLC,active,active,W9001,Desert Sun Solar,solar_pv,CA,03/2023,W9001-CA-03-2023-17-1 to 250,250,501\n" +
	"91,Demo CCA active,Demo CCA,active,active,W9001,Desert Sun Solar,solar_pv,CA,03/2023,W9001-CA-03-2023-17-251 to 1000,750,502\n"

// directory is the world's accounts and facility, as a file import sees
// them.
func (w *world) directory() Directory {
	d := Directory{Facilities: []Facility{w.mem.Facilities[w.fac.ID]}}
	for _, a := range w.mem.Accounts {
		d.Accounts = append(d.Accounts, a)
	}
	return d
}

func (w *world) importFile(t *testing.T, layout Layout, file string) (ImportSummary, error) {
	t.Helper()
	var rows []CertificateRow
	var err error
	if layout == LayoutHoldings {
		rows, err = ParseHoldingsCSV(strings.NewReader(file))
	} else {
		rows, err = ParseRetirementsCSV(strings.NewReader(file))
	}
	if err != nil {
		t.Fatal(err)
	}
	return w.reg.ImportCertificates(ctx, layout, rows, w.directory(), "test.csv")
}

// TestImportHoldingsKeepsSerialRanges: each line becomes an issuance of
// origin "imported" whose block keeps the other registry's batch and
// serials, so the holdings report this registry writes names the same
// certificates; one event per line; the invariants hold.
func TestImportHoldingsKeepsSerialRanges(t *testing.T) {
	w := newWorld(t)
	events := len(w.mem.Events)
	sum, err := w.importFile(t, LayoutHoldings, holdingsFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Issuances) != 2 || sum.Already != 0 || len(w.mem.Events) != events+2 {
		t.Fatalf("summary %+v, %d events", sum, len(w.mem.Events)-events)
	}
	for i, want := range []struct {
		account    int64
		start, end int64
	}{{w.gen, 1, 250}, {w.cca, 251, 1000}} {
		iss, b := sum.Issuances[i], sum.Blocks[i]
		if iss.Origin != OriginImported || iss.Batch != "17" || iss.FirstSerial() != want.start || iss.Quantity != want.end-want.start+1 || iss.CreditedWh != 0 {
			t.Errorf("issuance %d: %+v", i, iss)
		}
		if b.AccountID != want.account || b.Start != want.start || b.End != want.end || b.Status != StatusActive || b.Batch != "17" {
			t.Errorf("block %d: %+v", i, b)
		}
	}
	var out bytes.Buffer
	rows := []HoldingRow{}
	for _, b := range sum.Blocks {
		rows = append(rows, HoldingRow{Account: w.mem.Accounts[b.AccountID], Facility: w.fac.Facility, Block: w.mem.Blocks[b.ID]})
	}
	if err := WriteHoldingsCSV(&out, rows); err != nil {
		t.Fatal(err)
	}
	for _, label := range []string{"W9001-CA-03-2023-17-1 to 250,250", "W9001-CA-03-2023-17-251 to 1000,750"} {
		if !strings.Contains(out.String(), label) {
			t.Errorf("holdings report lacks %q:\n%s", label, out.String())
		}
	}
	// Imported certificates move like any others: a split keeps the batch.
	tr, err := w.reg.InitiateTransfer(ctx, TransferCmd{BlockID: sum.Blocks[1].ID, Quantity: 100, To: w.gen})
	if err != nil {
		t.Fatal(err)
	}
	if moved := w.mem.Blocks[tr.BlockID]; moved.Serials(w.fac.Facility) != "W9001-CA-03-2023-17-251 to 350" {
		t.Errorf("moved %s", moved.Serials(w.fac.Facility))
	}
	if rest := w.mem.Blocks[w.activeChild(sum.Blocks[1].ID)]; rest.Serials(w.fac.Facility) != "W9001-CA-03-2023-17-351 to 1000" {
		t.Errorf("left %s", rest.Serials(w.fac.Facility))
	}
	// The imported carry is no generation: issuing another month starts
	// from nothing carried.
	if c, _ := w.mem.Carry(ctx, w.fac.ID); c != 0 {
		t.Errorf("carry %d after an import", c)
	}
	w.check(t)
}

// TestImportTwiceChangesNothing: reading the same file again finds every
// range already imported into the same account.
func TestImportTwiceChangesNothing(t *testing.T) {
	w := newWorld(t)
	if _, err := w.importFile(t, LayoutHoldings, holdingsFile); err != nil {
		t.Fatal(err)
	}
	events, blocks := len(w.mem.Events), len(w.mem.Blocks)
	sum, err := w.importFile(t, LayoutHoldings, holdingsFile)
	if err != nil || sum.Already != 2 || len(sum.Issuances) != 0 || len(w.mem.Events) != events || len(w.mem.Blocks) != blocks {
		t.Errorf("second import: %+v %v; %d events and %d blocks added", sum, err, len(w.mem.Events)-events, len(w.mem.Blocks)-blocks)
	}
	w.check(t)
}

// TestImportOverlapRefusedNamingBoth: a range that overlaps serials
// already here — an earlier import of the batch, or this registry's own
// issuance read back from its holdings report — is refused naming the
// range and the block, and changes nothing (§399.21(a)(2): a REC counts
// once).
func TestImportOverlapRefusedNamingBoth(t *testing.T) {
	w := newWorld(t)
	sum, err := w.importFile(t, LayoutHoldings, holdingsFile)
	if err != nil {
		t.Fatal(err)
	}
	events := len(w.mem.Events)
	overlap := strings.Replace(holdingsFile, "17-251 to 1000,750", "17-200 to 1000,801", 1)
	overlap = overlap[:strings.Index(overlap, "\n")+1] + overlap[strings.LastIndex(overlap[:len(overlap)-1], "\n")+1:]
	_, err = w.importFile(t, LayoutHoldings, overlap)
	if apperr.KindOf(err) != apperr.Conflict || !strings.Contains(err.Error(), "line 2") ||
		!strings.Contains(err.Error(), "W9001-CA-03-2023-17-200 to 1000") ||
		!strings.Contains(err.Error(), "block "+itoa(sum.Blocks[0].ID)+" (W9001-CA-03-2023-17-1 to 250") {
		t.Errorf("overlap: %v", err)
	}
	if len(w.mem.Events) != events {
		t.Errorf("a refused import appended events")
	}

	// This registry's own certificates, read back from its holdings report.
	w = newWorld(t)
	iss := w.issue(t, "2023-05", 1_000_000)
	var out bytes.Buffer
	WriteHoldingsCSV(&out, []HoldingRow{{Account: w.mem.Accounts[w.gen], Facility: w.fac.Facility, Block: w.mem.Blocks[iss.BlockID]}})
	_, err = w.importFile(t, LayoutHoldings, out.String())
	label := "W9001-CA-05-2023-" + itoa(iss.ID) + "-1 to 1000"
	if msg := apperr.MessageOf(err); apperr.KindOf(err) != apperr.Conflict || strings.Count(msg, label) != 2 || !strings.Contains(msg, "issued here") {
		t.Errorf("read-back: %v", err)
	}
	w.check(t)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestImportAndIssueNeverBothForAVintage: a vintage issued here from its
// generation refuses imported certificates of another batch, and an
// imported vintage refuses issuance from a generation report — either
// way the same MWh would exist twice.
func TestImportAndIssueNeverBothForAVintage(t *testing.T) {
	w := newWorld(t)
	w.issue(t, "2023-03", 500_000)
	_, err := w.importFile(t, LayoutHoldings, holdingsFile)
	if apperr.KindOf(err) != apperr.Conflict || !strings.Contains(err.Error(), "issued here from its generation report") {
		t.Errorf("import over issuance: %v", err)
	}
	w = newWorld(t)
	if _, err := w.importFile(t, LayoutHoldings, holdingsFile); err != nil {
		t.Fatal(err)
	}
	if _, err := w.reg.SubmitReport(ctx, Report{FacilityID: w.fac.ID, Vintage: vintage(t, "2023-03"), Wh: 1_000_000_000}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.reg.Issue(ctx, w.fac.ID, vintage(t, "2023-03")); apperr.KindOf(err) != apperr.Conflict || !strings.Contains(err.Error(), "imported from another registry") {
		t.Errorf("issuance over import: %v", err)
	}
	w.check(t)
}

// TestImportRefusesWhatCannotBe: only active holdings import as holdings;
// an unknown account or facility, a range above what the nameplate can
// make in the month, a retirement in the future and an RPS retirement
// without its year are each refused naming the line and field.
func TestImportRefusesWhatCannotBe(t *testing.T) {
	w := newWorld(t)
	head := holdingsFile[:strings.Index(holdingsFile, "\n")+1]
	for _, c := range []struct{ line, field string }{
		{"88,Desert Sun retirement,Desert Sun LLC,retirement,retired,W9001,,,CA,03/2023,W9001-CA-03-2023-17-1 to 250,250,1", "line 2: Status"},
		{"88,Nobody,Nowhere Inc,active,active,W9001,,,CA,03/2023,W9001-CA-03-2023-17-1 to 250,250,1", "line 2: Account"},
		{"88,Desert Sun active,Desert Sun LLC,active,active,W4242,,,CA,03/2023,W4242-CA-03-2023-17-1 to 250,250,1", "line 2: Generating Unit ID"},
		// 5 MW × 744 h = 3,720 MWh in March.
		{"88,Desert Sun active,Desert Sun LLC,active,active,W9001,,,CA,03/2023,W9001-CA-03-2023-17-1 to 3721,3721,1", "line 2: serial_start"},
	} {
		_, err := w.importFile(t, LayoutHoldings, head+c.line+"\n")
		if fs := apperr.FieldsOf(err); len(fs) != 1 || fs[0].Field != c.field {
			t.Errorf("%s: %v", c.field, err)
		}
	}
	rhead := strings.Join(RetirementColumns, ",") + "\n"
	for _, c := range []struct{ line, field string }{
		{"1,4/1/2024,Demo CCA RPS retirement,Demo CCA,rps,,2023,W9001,,,CA,03/2023,W9001-CA-03-2023-9-1 to 10,10,,", "line 2: retired_on"},
		{"1,3/1/2024,Demo CCA RPS retirement,Demo CCA,rps,,,W9001,,,CA,03/2023,W9001-CA-03-2023-9-1 to 10,10,,", "line 2: compliance_year"},
		{"1,3/1/2024,Demo CCA active,Demo CCA,voluntary,,,W9001,,,CA,03/2023,W9001-CA-03-2023-9-1 to 10,10,,", "line 2: account_id"},
	} {
		_, err := w.importFile(t, LayoutRetirements, rhead+c.line+"\n")
		if fs := apperr.FieldsOf(err); len(fs) != 1 || fs[0].Field != c.field {
			t.Errorf("%s: %v", c.field, err)
		}
	}
	if len(w.mem.Issuances) != 0 {
		t.Errorf("refused imports stored %d issuances", len(w.mem.Issuances))
	}
}

// TestImportRetirementsWithTheWindow: retirements made in another
// registry come in retired, with their reason, beneficiary and year; an
// RPS retirement counts for RPS only within this registry's 36-month
// window (§399.21(a)(7)): vintage 2021-01 retired 2023-12-01 counts,
// vintage 2020-12 retired 2024-01-05 — after its 2023-12-01 deadline with
// the month-start anchor — is recorded but does not.
func TestImportRetirementsWithTheWindow(t *testing.T) {
	w := newWorld(t)
	w.reg.Anchor = rps.AnchorMonthStart
	file := strings.Join(RetirementColumns, ",") + "\n" +
		"7,12/1/2023,Demo CCA RPS retirement,Demo CCA,rps,Demo CCA customers,2021,W9001,Desert Sun Solar,solar_pv,CA,01/2021,W9001-CA-01-2021-AB12-1 to 40,40,true,2/1/2024\n" +
		"8,1/5/2024,Demo CCA RPS retirement,Demo CCA,RPS,,2020,W9001,Desert Sun Solar,solar_pv,CA,12/2020,W9001-CA-12-2020-AB10-5 to 14,10,true,1/1/2024\n"
	sum, err := w.importFile(t, LayoutRetirements, file)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Retirements) != 2 {
		t.Fatalf("summary %+v", sum)
	}
	a, b := sum.Retirements[0], sum.Retirements[1]
	if a.Reason != ReasonRPS || !a.RPSEligible || a.ComplianceYear != 2021 || a.Beneficiary != "Demo CCA customers" || a.RetiredOn.String() != "2023-12-01" ||
		a.AccountID != w.ccaRet || w.mem.Blocks[a.BlockID].Status != StatusRetired || w.mem.Blocks[a.BlockID].Serials(w.fac.Facility) != "W9001-CA-01-2021-AB12-1 to 40" {
		t.Errorf("first retirement %+v", a)
	}
	if b.RPSEligible || b.Deadline != (calendar.Date{Year: 2023, Month: 12, Day: 1}) || b.Beneficiary != "Demo CCA" {
		t.Errorf("late retirement %+v", b)
	}
	again, err := w.importFile(t, LayoutRetirements, file)
	if err != nil || again.Already != 2 || len(w.mem.Retirements) != 2 {
		t.Errorf("second import %+v %v", again, err)
	}
	w.check(t)
}

// TestParseSerialLabel reads WREGIS-style ranges, units with hyphens and
// letters in the batch included, and refuses malformed ones.
func TestParseSerialLabel(t *testing.T) {
	unit, state, v, batch, start, end, err := ParseSerialLabel("CA-W-77-NV-11-2022-0A9F-1001 to 2500")
	if err != nil || unit != "CA-W-77" || state != "NV" || v != (rps.Month{Year: 2022, Month: 11}) || batch != "0A9F" || start != 1001 || end != 2500 {
		t.Errorf("got %q %q %v %q %d %d %v", unit, state, v, batch, start, end, err)
	}
	for _, bad := range []string{"", "W1-CA-03-2021-17-1", "W1-CA-13-2021-17-1 to 2", "W1-CA-03-2021-17-5 to 4", "W1-CA-03-2021-17-0 to 4", "W1-CA-3-2021-17-1 to 4"} {
		if _, _, _, _, _, _, err := ParseSerialLabel(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// certRowsEqual compares the fields a report carries.
func certRowsEqual(a, b CertificateRow) bool {
	return a.Org == b.Org && a.Account == b.Account && a.Status == b.Status && a.WREGISID == b.WREGISID && a.State == b.State &&
		a.Vintage == b.Vintage && a.Batch == b.Batch && a.Start == b.Start && a.End == b.End && a.RetiredOn == b.RetiredOn &&
		a.Reason == b.Reason && a.Beneficiary == b.Beneficiary && a.ComplianceYear == b.ComplianceYear
}

// holdingRowOf and retirementRowOf turn a read line back into what the
// report writers take.
func holdingRowOf(c CertificateRow) HoldingRow {
	return HoldingRow{Account: Account{Org: c.Org, Name: c.Account}, Facility: rps.Facility{WREGISID: c.WREGISID, State: c.State},
		Block: Block{Vintage: c.Vintage, Batch: c.Batch, Start: c.Start, End: c.End, Status: c.Status}}
}

func retirementRowOf(c CertificateRow) RetirementRow {
	return RetirementRow{Account: Account{Org: c.Org, Name: c.Account}, Facility: rps.Facility{WREGISID: c.WREGISID, State: c.State},
		Block:      Block{Vintage: c.Vintage, Batch: c.Batch, Start: c.Start, End: c.End},
		Retirement: Retirement{Vintage: c.Vintage, Quantity: c.Quantity(), Reason: c.Reason, Beneficiary: c.Beneficiary, ComplianceYear: c.ComplianceYear, RetiredOn: c.RetiredOn}}
}

// FuzzParseHoldingsCSV: the reader never panics, and whatever it accepts
// the holdings writer writes back into lines it reads the same.
func FuzzParseHoldingsCSV(f *testing.F) {
	f.Add(holdingsFile)
	f.Add("status,organization,account,certificate serial numbers,quantity,vintage,generating unit id\nactive,O,A,U-1-CA-01-2024-B-3 to 3,1,1/2024,U-1\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, err := ParseHoldingsCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		out := make([]HoldingRow, len(rows))
		for i, r := range rows {
			out[i] = holdingRowOf(r)
		}
		var buf bytes.Buffer
		if err := WriteHoldingsCSV(&buf, out); err != nil {
			t.Fatal(err)
		}
		again, err := ParseHoldingsCSV(&buf)
		if err != nil || len(again) != len(rows) {
			t.Fatalf("rewritten holdings do not read back: %v\n%s", err, buf.String())
		}
		for i := range rows {
			if !certRowsEqual(rows[i], again[i]) {
				t.Fatalf("line %d: %+v read back as %+v", i, rows[i], again[i])
			}
		}
	})
}

// FuzzParseRetirementsCSV: the same for retirements reports.
func FuzzParseRetirementsCSV(f *testing.F) {
	f.Add(strings.Join(RetirementColumns, ",") + "\n7,12/1/2023,R,O,rps,B,2021,W1,G,solar_pv,CA,01/2021,W1-CA-01-2021-AB12-1 to 40,40,true,2/1/2024\n")
	f.Add("retired on,account,organization,reason,generating unit id,vintage,certificate serial numbers,quantity\n2/29/2024,A,O,Green Product,U,02/2024,U-NV-02-2024-9-1 to 2,2\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, err := ParseRetirementsCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		out := make([]RetirementRow, len(rows))
		for i, r := range rows {
			out[i] = retirementRowOf(r)
		}
		var buf bytes.Buffer
		if err := WriteRetirementsCSV(&buf, out); err != nil {
			t.Fatal(err)
		}
		again, err := ParseRetirementsCSV(&buf)
		if err != nil || len(again) != len(rows) {
			t.Fatalf("rewritten retirements do not read back: %v\n%s", err, buf.String())
		}
		for i := range rows {
			if !certRowsEqual(rows[i], again[i]) {
				t.Fatalf("line %d: %+v read back as %+v", i, rows[i], again[i])
			}
		}
	})
}

// TestLayoutOf tells the three layouts apart by their headers.
func TestLayoutOf(t *testing.T) {
	for want, head := range map[Layout]string{LayoutGeneration: strings.Join(GenerationColumns, ","), LayoutHoldings: strings.Join(HoldingsColumns, ","),
		LayoutRetirements: "\ufeff" + strings.Join(RetirementColumns, ",")} {
		if got := LayoutOf([]byte(head + "\n")); got != want {
			t.Errorf("%s read as %s", want, got)
		}
	}
}
