package rec

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/rps"
)

// ImportCmd brings in a serial range of certificates another registry
// issued: held active in an active account, or — with Retired set —
// already retired there, into a retirement account.
type ImportCmd struct {
	FacilityID int64     `json:"facility_id"`
	Vintage    rps.Month `json:"vintage"`
	// Batch, Start and End are the range as the other registry numbered
	// it; they are kept as they are.
	Batch     string `json:"batch"`
	Start     int64  `json:"serial_start"`
	End       int64  `json:"serial_end"`
	AccountID int64  `json:"account_id"`
	// Retired, when set, is the retirement made in the other registry.
	Retired *ImportedRetirement `json:"retired,omitempty"`
	// Source says where the range was read (a file and line).
	Source string `json:"source"`
}

// ImportedRetirement is a retirement made in another registry.
type ImportedRetirement struct {
	RetiredOn      calendar.Date `json:"retired_on"`
	Reason         Reason        `json:"reason"`
	Beneficiary    string        `json:"beneficiary"`
	ComplianceYear int           `json:"compliance_year,omitempty"`
}

// Imported is the outcome of an import: the issuance of origin
// "imported", its block and, for a retirement, the retirement. Already
// is set when the same range had been imported into the same account
// before: nothing changed, and the earlier issuance is returned.
type Imported struct {
	Issuance   Issuance    `json:"issuance"`
	Block      Block       `json:"block"`
	Retirement *Retirement `json:"retirement,omitempty"`
	Already    bool        `json:"already_imported"`
}

// Import records certificates another registry issued, keeping their
// serial range and batch (research/rps.md §6: a certificate is counted
// once across every registry). It refuses, changing nothing:
//
//   - a range that overlaps serials already in this registry — an earlier
//     import of the same batch, or certificates issued here whose issuance
//     id is the batch (a holdings report of this registry read back) —
//     naming both the range and the block it overlaps;
//   - certificates of a facility's vintage that was issued here from
//     generation (the same MWh would exist twice), and issuing later is
//     refused in turn (Issue);
//   - more certificates for the vintage than the facility's nameplate can
//     generate in the month;
//   - a retirement dated in the future or before the vintage, or an RPS
//     retirement without its compliance year.
//
// Importing the same range into the same account again changes nothing
// (Imported.Already), so a file can be read twice. An imported RPS
// retirement counts for RPS only within the 36-month window of
// §399.21(a)(7) as this registry reckons it.
func (r *Registry) Import(ctx context.Context, c ImportCmd) (Imported, error) {
	const op = "rec.Import"
	if err := r.operatorOnly(op, "importing certificates from another registry"); err != nil {
		return Imported{}, err
	}
	var f apperr.Fields
	fac, err := r.State.Facility(ctx, c.FacilityID)
	if apperr.Is(err, apperr.NotFound) {
		f.Add("facility_id", "no facility %d", c.FacilityID)
		return Imported{}, f.Err(op)
	}
	if err != nil {
		return Imported{}, err
	}
	today := calendar.DateOf(r.now())
	c.Batch = strings.TrimSpace(c.Batch)
	switch {
	case !c.Vintage.Valid():
		f.Add("vintage", "want YYYY-MM")
	case !c.Vintage.Last().Before(today):
		f.Add("vintage", "%v is not over yet: its certificates cannot have been issued", c.Vintage)
	}
	if c.Batch == "" || strings.ContainsAny(c.Batch, " \t") {
		f.Add("batch", "name the other registry's issuance batch (no spaces)")
	}
	if c.Start < 1 || c.End < c.Start {
		f.Add("serial_start", "the serials must run from a first of at least 1 to a last not below it (%d to %d)", c.Start, c.End)
	}
	kind := ActiveAccount
	if c.Retired != nil {
		kind = RetirementAccount
	}
	acct, err := r.accountOf(ctx, op, "account_id", c.AccountID, kind, "")
	if err != nil && apperr.KindOf(err) != apperr.Invalid {
		return Imported{}, err
	}
	f = append(f, apperr.FieldsOf(err)...)
	if x := c.Retired; x != nil {
		if !slices.Contains([]Reason{ReasonRPS, ReasonVoluntary, ReasonGreenProduct, ReasonOther}, x.Reason) {
			f.Add("reason", "want rps, voluntary, green_product or other")
		}
		switch {
		case x.RetiredOn.IsZero():
			f.Add("retired_on", "is required")
		case x.RetiredOn.After(today):
			f.Add("retired_on", "%v is in the future", x.RetiredOn)
		case c.Vintage.Valid() && x.RetiredOn.Before(c.Vintage.First()):
			f.Add("retired_on", "%v is before the vintage %v was generated", x.RetiredOn, c.Vintage)
		}
		if x.Reason == ReasonRPS && (x.ComplianceYear == 0 || x.ComplianceYear < c.Vintage.Year) {
			f.Add("compliance_year", "an RPS retirement names its compliance year, not before the vintage %v", c.Vintage)
		}
	}
	if err := f.Err(op); err != nil {
		return Imported{}, err
	}
	label := SerialLabel(fac.WREGISID, fac.State, c.Vintage, c.Batch, c.Start, c.End)
	existing, err := r.State.VintageIssuances(ctx, c.FacilityID, c.Vintage)
	if err != nil {
		return Imported{}, err
	}
	var held int64
	for _, e := range existing {
		held += e.Quantity
		if e.BatchLabel() != c.Batch || e.Quantity == 0 || e.LastSerial() < c.Start || e.FirstSerial() > c.End {
			continue
		}
		if e.Origin == OriginImported && e.FirstSerial() == c.Start && e.LastSerial() == c.End && e.AccountID == c.AccountID {
			b, err := r.State.Block(ctx, e.BlockID)
			if err != nil {
				return Imported{}, err
			}
			return Imported{Issuance: e, Block: b, Already: true}, nil
		}
		how := "issued here"
		if e.Origin == OriginImported {
			how = "imported from " + e.Note
		}
		blocks, err := r.State.IssuanceBlocks(ctx, e.ID)
		if err != nil {
			return Imported{}, err
		}
		// Name the first block now holding an overlapping serial.
		i := slices.IndexFunc(blocks, func(b Block) bool { return b.Status != StatusSplit && b.End >= c.Start && b.Start <= c.End })
		if i < 0 {
			return Imported{}, fmt.Errorf("rec: issuance %d has no unsplit block over serials %d–%d", e.ID, c.Start, c.End)
		}
		b := blocks[i]
		return Imported{}, apperr.Conflictf(op, "%s overlaps block %d (%s, %s, %s in account %d, %s): the same certificates cannot be counted twice (Pub. Util. Code §399.21(a)(2))",
			label, b.ID, b.Serials(fac.Facility), how, b.Status, b.AccountID, fac.Name)
	}
	for _, e := range existing {
		if e.Origin != OriginImported {
			return Imported{}, apperr.Conflictf(op, "%v of %s was issued here from its generation report (issuance %d): certificates of the same generation from another registry would count it twice",
				c.Vintage, fac.Name, e.ID)
		}
	}
	q := c.End - c.Start + 1
	if limit := energy.Wh(fac.NameplateKW) * energy.WhPerKWh * energy.Wh(c.Vintage.Hours()); energy.Wh(held+q)*energy.WhPerMWh > limit {
		f.Add("serial_start", "%d certificates of %v (%d already here) is more than the %d kW nameplate of %s can generate in the month", q, c.Vintage, held, fac.NameplateKW, fac.Name)
		return Imported{}, f.Err(op)
	}
	now := r.now()
	iss := Issuance{Origin: OriginImported, FacilityID: c.FacilityID, Vintage: c.Vintage, AccountID: c.AccountID, Quantity: q,
		Batch: c.Batch, First: c.Start, Note: c.Source, Issued: now}
	if err := r.State.InsertIssuance(ctx, &iss); err != nil {
		return Imported{}, err
	}
	b := Block{IssuanceID: iss.ID, FacilityID: c.FacilityID, Vintage: c.Vintage, AccountID: c.AccountID, Start: c.Start, End: c.End,
		Status: StatusActive, Batch: c.Batch}
	if c.Retired != nil {
		b.Status = StatusRetired
	}
	if err := r.State.InsertBlock(ctx, &b); err != nil {
		return Imported{}, err
	}
	iss.BlockID = b.ID
	out := Imported{Issuance: iss, Block: b}
	if x := c.Retired; x != nil {
		beneficiary := strings.TrimSpace(x.Beneficiary)
		if beneficiary == "" {
			beneficiary = acct.Org
		}
		deadline := rps.RetirementDeadline(c.Vintage, r.Anchor)
		ret := Retirement{BlockID: b.ID, AccountID: c.AccountID, FromAccount: c.AccountID, FacilityID: c.FacilityID, Vintage: c.Vintage,
			Quantity: q, Reason: x.Reason, Beneficiary: beneficiary, ComplianceYear: x.ComplianceYear, RetiredOn: x.RetiredOn,
			Deadline: deadline, RPSEligible: x.Reason == ReasonRPS && !x.RetiredOn.After(deadline)}
		if err := r.State.InsertRetirement(ctx, &ret); err != nil {
			return Imported{}, err
		}
		out.Retirement = &ret
	}
	return out, r.emit(ctx, "certificates.imported", map[string]any{"serials": label, "issuance": iss, "block_id": b.ID,
		"status": b.Status, "retirement": out.Retirement})
}

// Directory finds the accounts and facilities a registry file names.
type Directory struct {
	Accounts   []Account
	Facilities []Facility
}

// account returns the account of org named name.
func (d *Directory) account(org, name string) (Account, bool) {
	i := slices.IndexFunc(d.Accounts, func(a Account) bool { return strings.EqualFold(a.Org, org) && strings.EqualFold(a.Name, name) })
	if i < 0 {
		return Account{}, false
	}
	return d.Accounts[i], true
}

// facility returns the facility registered under a WREGIS id.
func (d *Directory) facility(wregisID string) (Facility, bool) {
	i := slices.IndexFunc(d.Facilities, func(f Facility) bool { return f.WREGISID == wregisID })
	if i < 0 {
		return Facility{}, false
	}
	return d.Facilities[i], true
}

// ImportSummary is what reading one registry file did.
type ImportSummary struct {
	Layout      Layout       `json:"layout"`
	Rows        int          `json:"rows"`
	Reports     []Report     `json:"reports"`
	Issuances   []Issuance   `json:"issuances"`
	Blocks      []Block      `json:"blocks"`
	Retirements []Retirement `json:"retirements"`
	// Already counts rows that were imported before and changed nothing.
	Already int `json:"already_imported"`
}

// newSummary returns an empty summary whose lists are empty, not null.
func newSummary(l Layout, rows int) ImportSummary {
	return ImportSummary{Layout: l, Rows: rows, Reports: []Report{}, Issuances: []Issuance{}, Blocks: []Block{}, Retirements: []Retirement{}}
}

// ImportCertificates imports the lines of a holdings report (active
// certificates only: retired ones come with their retirement from the
// retirements report) or of a retirements report, finding each line's
// account by organization and name and its facility by WREGIS id. The
// first problem ends the import, named by line and column; the caller's
// transaction then stores nothing.
func (r *Registry) ImportCertificates(ctx context.Context, layout Layout, rows []CertificateRow, dir Directory, source string) (ImportSummary, error) {
	const op = "rec.ImportCertificates"
	sum := newSummary(layout, len(rows))
	if err := r.operatorOnly(op, "importing certificates from another registry"); err != nil {
		return sum, err
	}
	cols := HoldingsColumns
	if layout == LayoutRetirements {
		cols = RetirementColumns
	}
	for _, row := range rows {
		at := func(c string) string { return fmt.Sprintf("line %d: %s", row.Line, c) }
		var f apperr.Fields
		if layout == LayoutHoldings && row.Status != StatusActive {
			f.Add(at(cols[4]), "%s certificates cannot be imported as holdings: only active ones; retired certificates come in with their retirement from a retirements report", row.Status)
			return sum, f.Err(op)
		}
		fac, ok := dir.facility(row.WREGISID)
		if !ok {
			f.Add(at("Generating Unit ID"), "no registered facility %s: register it first", row.WREGISID)
			return sum, f.Err(op)
		}
		acct, ok := dir.account(row.Org, row.Account)
		if !ok {
			f.Add(at("Account"), "%s has no account named %q: open it first", row.Org, row.Account)
			return sum, f.Err(op)
		}
		c := ImportCmd{FacilityID: fac.ID, Vintage: row.Vintage, Batch: row.Batch, Start: row.Start, End: row.End, AccountID: acct.ID,
			Source: fmt.Sprintf("%s line %d", source, row.Line)}
		if layout == LayoutRetirements {
			c.Retired = &ImportedRetirement{RetiredOn: row.RetiredOn, Reason: row.Reason, Beneficiary: row.Beneficiary, ComplianceYear: row.ComplianceYear}
		}
		got, err := r.Import(ctx, c)
		if err != nil {
			return sum, lineErr(op, row.Line, err)
		}
		if got.Already {
			sum.Already++
			continue
		}
		sum.Issuances = append(sum.Issuances, got.Issuance)
		sum.Blocks = append(sum.Blocks, got.Block)
		if got.Retirement != nil {
			sum.Retirements = append(sum.Retirements, *got.Retirement)
		}
	}
	return sum, nil
}

// ImportGeneration stores the reports of a generation upload, finding
// each line's facility by WREGIS id, and with issue issues each month. A
// line whose month already has a report of the same revision and
// generation changes nothing (nor is it issued again), so a file can be
// read twice.
func (r *Registry) ImportGeneration(ctx context.Context, rows []GenerationRow, dir Directory, source string, issue bool) (ImportSummary, error) {
	const op = "rec.ImportGeneration"
	sum := newSummary(LayoutGeneration, len(rows))
	if err := r.operatorOnly(op, "importing a generation upload"); err != nil {
		return sum, err
	}
	for _, row := range rows {
		fac, ok := dir.facility(row.WREGISID)
		if !ok {
			var f apperr.Fields
			f.Add(fmt.Sprintf("line %d: %s", row.Line, GenerationColumns[0]), "no registered facility %s", row.WREGISID)
			return sum, f.Err(op)
		}
		prev, ok, err := r.State.LatestReport(ctx, fac.ID, row.Vintage)
		if err != nil {
			return sum, err
		}
		if ok && prev.Revision == row.Revision && prev.Wh == row.Wh {
			sum.Already++
			continue
		}
		rep, err := r.SubmitReport(ctx, Report{FacilityID: fac.ID, Vintage: row.Vintage, Wh: row.Wh, Revision: row.Revision, Source: source})
		if err != nil {
			return sum, lineErr(op, row.Line, err)
		}
		sum.Reports = append(sum.Reports, rep)
		if issue {
			iss, err := r.Issue(ctx, fac.ID, row.Vintage)
			if err != nil {
				return sum, lineErr(op, row.Line, err)
			}
			sum.Issuances = append(sum.Issuances, iss)
		}
	}
	return sum, nil
}

// lineErr puts a file's line number in front of an error's fields or
// message, keeping its kind.
func lineErr(op string, line int, err error) error {
	fields := apperr.FieldsOf(err)
	if len(fields) == 0 {
		return apperr.E(apperr.KindOf(err), op, fmt.Sprintf("line %d: %s", line, apperr.MessageOf(err)), err)
	}
	var f apperr.Fields
	for _, fe := range fields {
		f.Add(fmt.Sprintf("line %d: %s", line, fe.Field), "%s", fe.Msg)
	}
	return f.Err(op)
}

// ImportFile reads a WREGIS-style file of the given layout (LayoutOf
// tells them apart) and imports it: a generation upload's reports (each
// month issued with issue), or a holdings or retirements report's
// certificates. A file that does not parse changes nothing.
func (r *Registry) ImportFile(ctx context.Context, layout Layout, data []byte, dir Directory, source string, issue bool) (ImportSummary, error) {
	switch layout {
	case LayoutGeneration:
		rows, err := ParseGenerationCSV(bytes.NewReader(data))
		if err != nil {
			return ImportSummary{}, err
		}
		return r.ImportGeneration(ctx, rows, dir, source, issue)
	case LayoutHoldings, LayoutRetirements:
		parse := ParseHoldingsCSV
		if layout == LayoutRetirements {
			parse = ParseRetirementsCSV
		}
		rows, err := parse(bytes.NewReader(data))
		if err != nil {
			return ImportSummary{}, err
		}
		return r.ImportCertificates(ctx, layout, rows, dir, source)
	}
	var f apperr.Fields
	f.Add("layout", "want %s, %s or %s", LayoutGeneration, LayoutHoldings, LayoutRetirements)
	return ImportSummary{}, f.Err("rec.ImportFile")
}
