package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/rec"
	"github.com/gridbook/gridbook/internal/rps"
)

// RPSProfile is the seller's RPS configuration: who it is, the
// jurisdiction whose rules apply, the settings the sources leave open,
// excess carried in from before the first period on record, and the
// recommendations each year's report carries.
type RPSProfile struct {
	Seller          string            `json:"seller"`
	Jurisdiction    rps.Jurisdiction  `json:"jurisdiction"`
	Settings        rps.Settings      `json:"settings"`
	OpeningBank     int64             `json:"opening_bank_mwh"`
	Recommendations map[string]string `json:"recommendations"`
	// GreenProduct, when set, is a voluntary product whose customers'
	// load is matched hour by hour against its facilities' generation.
	GreenProduct *GreenProduct `json:"green_product,omitempty"`
}

// GreenProduct names a green product: the program its customers are
// enrolled in and the facilities whose certificates stand behind it.
type GreenProduct struct {
	Name       string  `json:"name"`
	Program    string  `json:"program"`
	Facilities []int64 `json:"facilities"`
}

// Validate checks the profile, filling default settings.
func (p *RPSProfile) Validate() error {
	var f apperr.Fields
	p.Seller = strings.TrimSpace(p.Seller)
	switch p.Jurisdiction {
	case rps.CPUCRetailSeller, rps.CPUCESP, rps.CPUCSMJU, rps.CECPOU:
	default:
		f.Add("jurisdiction", "want %s, %s, %s or %s", rps.CPUCRetailSeller, rps.CPUCESP, rps.CPUCSMJU, rps.CECPOU)
	}
	if err := p.Settings.Validate(); err != nil {
		for _, fe := range apperr.FieldsOf(err) {
			f.Add("settings."+fe.Field, "%s", fe.Msg)
		}
	}
	if p.OpeningBank < 0 {
		f.Add("opening_bank_mwh", "must not be negative")
	}
	if g := p.GreenProduct; g != nil && (strings.TrimSpace(g.Name) == "" || strings.TrimSpace(g.Program) == "" || len(g.Facilities) == 0) {
		f.Add("green_product", "needs a name, the program its customers are enrolled in and at least one facility")
	}
	for y := range p.Recommendations {
		if n, err := strconv.Atoi(y); err != nil || n < 2011 {
			f.Add("recommendations."+y, "is not a report year")
		}
	}
	return f.Err("store.RPSProfile")
}

// RPSProfile returns the seller's profile, or the defaults (a CPUC
// retail seller with default settings) before one is saved.
func (q queries) RPSProfile(ctx context.Context) (RPSProfile, error) {
	p := RPSProfile{Jurisdiction: rps.CPUCRetailSeller, Settings: rps.DefaultSettings()}
	var doc string
	err := q.q.QueryRowContext(ctx, `SELECT document FROM rps_settings WHERE id = 1`).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err == nil {
		err = json.Unmarshal([]byte(doc), &p)
	}
	if err != nil {
		return p, fmt.Errorf("store: RPS profile: %w", err)
	}
	return p, p.Settings.Validate()
}

// SetRPSProfile saves the profile, audited with before and after.
func (tx *Tx) SetRPSProfile(ctx context.Context, actor auth.Actor, p RPSProfile) error {
	if err := p.Validate(); err != nil {
		return err
	}
	before, err := tx.RPSProfile(ctx)
	if err != nil {
		return err
	}
	doc, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = tx.q.ExecContext(ctx, `INSERT INTO rps_settings (id, document, updated_unix) VALUES (1, $1, $2)
		ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_unix = excluded.updated_unix`, string(doc), tx.now().Unix())
	if err != nil {
		return wrap("RPS profile", mapErr(err))
	}
	return tx.audit(ctx, actor, "update", "rps_profile", 1, before, p)
}

// RetailSales is one year's retail sales in MWh with its source.
type RetailSales struct {
	Year    int       `json:"year"`
	MWh     int64     `json:"mwh"`
	Source  string    `json:"source"`
	Updated time.Time `json:"updated"`
}

// RPSRetailSales returns every year's retail sales, oldest first.
func (q queries) RPSRetailSales(ctx context.Context) ([]RetailSales, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT year, mwh, source, updated_unix FROM rps_retail_sales ORDER BY year`)
	if err != nil {
		return nil, fmt.Errorf("store: retail sales: %w", err)
	}
	defer rows.Close()
	var out []RetailSales
	for rows.Next() {
		var r RetailSales
		var up int64
		if err := rows.Scan(&r.Year, &r.MWh, &r.Source, &up); err != nil {
			return nil, fmt.Errorf("store: retail sales: %w", err)
		}
		r.Updated = time.Unix(up, 0).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetRetailSales records (or corrects) a year's retail sales, audited
// with the value before and after.
func (tx *Tx) SetRetailSales(ctx context.Context, actor auth.Actor, r RetailSales) error {
	var f apperr.Fields
	r.Source = strings.TrimSpace(r.Source)
	if r.Year < 2011 || r.Year > 9998 {
		f.Add("year", "the RPS periods start in 2011; %d is outside them", r.Year)
	}
	if r.MWh < 0 {
		f.Add("mwh", "must not be negative")
	}
	if r.Source == "" {
		f.Add("source", "say where the number comes from (e.g. the CEC Power Source Disclosure filing)")
	}
	if err := f.Err("store.SetRetailSales"); err != nil {
		return err
	}
	var before any
	var old RetailSales
	err := tx.q.QueryRowContext(ctx, `SELECT year, mwh, source FROM rps_retail_sales WHERE year = $1`, r.Year).Scan(&old.Year, &old.MWh, &old.Source)
	switch {
	case err == nil:
		before = old
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("store: retail sales: %w", err)
	}
	r.Updated = tx.now()
	_, err = tx.q.ExecContext(ctx, `INSERT INTO rps_retail_sales (year, mwh, source, updated_unix) VALUES ($1, $2, $3, $4)
		ON CONFLICT (year) DO UPDATE SET mwh = excluded.mwh, source = excluded.source, updated_unix = excluded.updated_unix`,
		r.Year, r.MWh, r.Source, r.Updated.Unix())
	if err != nil {
		return wrap("retail sales", mapErr(err))
	}
	return tx.audit(ctx, actor, "set", "rps_retail_sales", int64(r.Year), before, r)
}

// CreateContract validates and stores a procurement contract for a
// registered facility.
func (tx *Tx) CreateContract(ctx context.Context, actor auth.Actor, c *rps.Contract) error {
	c.Name, c.Counterparty = strings.TrimSpace(c.Name), strings.TrimSpace(c.Counterparty)
	if err := c.Validate(); err != nil {
		return err
	}
	if _, err := tx.RecFacility(ctx, c.FacilityID); apperr.Is(err, apperr.NotFound) {
		var f apperr.Fields
		f.Add("facility_id", "no facility %d", c.FacilityID)
		return f.Err("store.CreateContract")
	} else if err != nil {
		return err
	}
	doc, err := json.Marshal(c)
	if err != nil {
		return err
	}
	now := tx.now().Unix()
	err = tx.q.QueryRowContext(ctx, `INSERT INTO rps_contracts (name, facility_id, executed, document, created_unix, updated_unix)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, c.Name, c.FacilityID, c.Executed.String(), string(doc), now).Scan(&c.ID)
	if err = mapErr(err); apperr.Is(err, apperr.Conflict) {
		var f apperr.Fields
		f.Add("name", "a contract named %q already exists", c.Name)
		return f.Err("store.CreateContract")
	}
	if err != nil {
		return wrap("contract", err)
	}
	if err := tx.saveContract(ctx, *c); err != nil {
		return err
	}
	return tx.audit(ctx, actor, "create", "rps_contract", c.ID, nil, c)
}

func (tx *Tx) saveContract(ctx context.Context, c rps.Contract) error {
	doc, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = tx.q.ExecContext(ctx, `UPDATE rps_contracts SET document = $2, updated_unix = $3 WHERE id = $1`, c.ID, string(doc), tx.now().Unix())
	return wrap("contract", mapErr(err))
}

// AmendContract appends an amendment to a contract (amendments are
// history: never edited or removed), audited before and after.
func (tx *Tx) AmendContract(ctx context.Context, actor auth.Actor, id int64, a rps.Amendment) (rps.Contract, error) {
	c, err := tx.Contract(ctx, id)
	if err != nil {
		return c, err
	}
	before := c
	c.Amendments = append(append([]rps.Amendment(nil), c.Amendments...), a)
	if err := c.Validate(); err != nil {
		return before, err
	}
	if err := tx.saveContract(ctx, c); err != nil {
		return before, err
	}
	return c, tx.audit(ctx, actor, "amend", "rps_contract", id, before, c)
}

// Contract returns one contract.
func (q queries) Contract(ctx context.Context, id int64) (rps.Contract, error) {
	var doc string
	if err := q.q.QueryRowContext(ctx, `SELECT document FROM rps_contracts WHERE id = $1`, id).Scan(&doc); err != nil {
		return rps.Contract{}, notFound(err, "contract", id)
	}
	var c rps.Contract
	if err := json.Unmarshal([]byte(doc), &c); err != nil {
		return c, fmt.Errorf("store: contract %d: %w", id, err)
	}
	c.ID = id
	return c, nil
}

// Contracts returns every contract, by name.
func (q queries) Contracts(ctx context.Context) ([]rps.Contract, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, document FROM rps_contracts ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: contracts: %w", err)
	}
	defer rows.Close()
	var out []rps.Contract
	for rows.Next() {
		var c rps.Contract
		var doc string
		if err := rows.Scan(&c.ID, &doc); err != nil {
			return nil, fmt.Errorf("store: contracts: %w", err)
		}
		id := c.ID
		if err := json.Unmarshal([]byte(doc), &c); err != nil {
			return nil, fmt.Errorf("store: contract %d: %w", id, err)
		}
		c.ID = id
		out = append(out, c)
	}
	return out, rows.Err()
}

// ClaimRecord is retired certificates applied to a compliance period
// under a contract, in one portfolio content category.
type ClaimRecord struct {
	ID           int64         `json:"id"`
	RetirementID int64         `json:"retirement_id"`
	ContractID   int64         `json:"contract_id"`
	Period       string        `json:"period"`
	PCC          rps.PCC       `json:"pcc"`
	MWh          int64         `json:"mwh"`
	LongTerm     bool          `json:"long_term"`
	Vintage      rps.Month     `json:"vintage"`
	RetiredOn    calendar.Date `json:"retired_on"`
	Note         string        `json:"note"`
	Created      time.Time     `json:"created"`
}

// ClaimInput asks to apply (part of) a retirement under a contract.
type ClaimInput struct {
	RetirementID int64 `json:"retirement_id"`
	ContractID   int64 `json:"contract_id"`
	// MWh is how many of the retirement's certificates to claim; zero
	// claims all not yet claimed.
	MWh int64 `json:"mwh"`
	// Hourly is the delivery evidence of an hourly-scheduled contract:
	// metered generation and e-tagged schedule per hour.
	Hourly []rps.HourDelivery `json:"hourly,omitempty"`
}

// ClaimRetirement applies retired certificates to the compliance period
// of their vintage under a contract. The retirement must be an RPS
// retirement within its 36-month window; the contract must be for the
// retirement's facility; the facility must be eligible for this seller on
// the vintage (§399.12); and no certificate may be claimed twice
// (§399.21(a)(2)): claims on one retirement never exceed its quantity.
// The category comes from the contract and delivery evidence
// (rps.Classify), the long-term standing from the contract on the
// vintage. It runs in a registry transaction so the claim is in the
// event log.
func (tx *Tx) ClaimRetirement(ctx context.Context, reg *rec.Registry, in ClaimInput) ([]ClaimRecord, error) {
	const op = "store.ClaimRetirement"
	var f apperr.Fields
	ret, err := tx.RecRetirement(ctx, in.RetirementID)
	if apperr.Is(err, apperr.NotFound) {
		f.Add("retirement_id", "no retirement %d", in.RetirementID)
		return nil, f.Err(op)
	} else if err != nil {
		return nil, err
	}
	if ret.Reason != rec.ReasonRPS || !ret.RPSEligible {
		f.Add("retirement_id", "retirement %d is %s, not an RPS retirement within the 36-month window (Pub. Util. Code §399.21(a)(7))", ret.ID, ret.Reason)
		return nil, f.Err(op)
	}
	c, err := tx.Contract(ctx, in.ContractID)
	if apperr.Is(err, apperr.NotFound) {
		f.Add("contract_id", "no contract %d", in.ContractID)
		return nil, f.Err(op)
	} else if err != nil {
		return nil, err
	}
	if c.FacilityID != ret.FacilityID {
		f.Add("contract_id", "contract %q is for facility %d; the retired certificates come from facility %d", c.Name, c.FacilityID, ret.FacilityID)
		return nil, f.Err(op)
	}
	var claimed int64
	if err := tx.q.QueryRowContext(ctx, `SELECT COALESCE(SUM(mwh), 0) FROM rps_claims WHERE retirement_id = $1`, ret.ID).Scan(&claimed); err != nil {
		return nil, fmt.Errorf("store: claims: %w", err)
	}
	left := ret.Quantity - claimed
	if in.MWh == 0 {
		in.MWh = left
	}
	switch {
	case in.MWh < 0:
		f.Add("mwh", "must not be negative")
		return nil, f.Err(op)
	case in.MWh > left:
		return nil, apperr.Conflictf(op, "retirement %d holds %d certificates and %d are already claimed: %d cannot be claimed again (Pub. Util. Code §399.21(a)(2))",
			ret.ID, ret.Quantity, claimed, in.MWh)
	}
	p, err := tx.RPSProfile(ctx)
	if err != nil {
		return nil, err
	}
	rules, err := rps.DefaultRules()
	if err != nil {
		return nil, err
	}
	rs, err := rules.ForYear(p.Jurisdiction, ret.Vintage.Year)
	if err != nil {
		f.Add("retirement_id", "%s", apperr.MessageOf(err))
		return nil, f.Err(op)
	}
	fac, err := tx.RecFacility(ctx, ret.FacilityID)
	if err != nil {
		return nil, err
	}
	if d := rps.Eligibility(&fac.Facility, ret.Vintage.Last(), p.Seller); !d.Eligible {
		f.Add("retirement_id", "%s is not eligible for %s in %v: %s", fac.Name, p.Seller, ret.Vintage, d.Reason())
		return nil, f.Err(op)
	}
	delivered := ret.Vintage.First()
	parts, err := rps.Classify(&c, &fac.Facility, delivered, in.MWh, rs.BalanceFrom, p.Settings.RequireCPUCApproval, in.Hourly)
	if err != nil {
		return nil, err
	}
	lt := c.LongTermOn(delivered)
	note := ""
	if ok, why := c.CountInFullOn(delivered, rs.BalanceFrom, p.Settings.RequireCPUCApproval); !ok && c.Executed.Before(rs.BalanceFrom) {
		note = "not count in full: " + why
	}
	var out []ClaimRecord
	for _, part := range parts {
		if part.MWh == 0 {
			continue
		}
		cr := ClaimRecord{RetirementID: ret.ID, ContractID: c.ID, Period: rs.Period, PCC: part.PCC, MWh: part.MWh, LongTerm: lt,
			Vintage: ret.Vintage, RetiredOn: ret.RetiredOn, Note: note, Created: tx.now()}
		err := tx.q.QueryRowContext(ctx, `INSERT INTO rps_claims (retirement_id, contract_id, period, pcc, mwh, long_term, vintage, retired_on, note,
			created_unix) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, cr.RetirementID, cr.ContractID, cr.Period, int(cr.PCC),
			cr.MWh, b2i(cr.LongTerm), monthArg(cr.Vintage), cr.RetiredOn.String(), cr.Note, cr.Created.Unix()).Scan(&cr.ID)
		if err != nil {
			return nil, wrap("claim", mapErr(err))
		}
		out = append(out, cr)
	}
	return out, reg.Record(ctx, "claim.recorded", map[string]any{"retirement_id": ret.ID, "contract_id": c.ID, "claims": out})
}

// ClaimFilter selects claims.
type ClaimFilter struct {
	Period       string
	RetirementID int64
	After        int64
	Limit        int
}

// Claims returns claims by id.
func (q queries) Claims(ctx context.Context, f ClaimFilter) ([]ClaimRecord, error) {
	if f.Limit <= 0 {
		f.Limit = 1 << 30
	}
	rows, err := q.q.QueryContext(ctx, `SELECT id, retirement_id, contract_id, period, pcc, mwh, long_term, vintage, retired_on, note, created_unix
		FROM rps_claims WHERE id > $1 AND (period = $2 OR $2 = '') AND (retirement_id = $3 OR $3 = 0) ORDER BY id LIMIT $4`,
		f.After, f.Period, f.RetirementID, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: claims: %w", err)
	}
	defer rows.Close()
	var out []ClaimRecord
	for rows.Next() {
		var c ClaimRecord
		var v, on string
		var lt, created int64
		var pcc int
		if err := rows.Scan(&c.ID, &c.RetirementID, &c.ContractID, &c.Period, &pcc, &c.MWh, &lt, &v, &on, &c.Note, &created); err != nil {
			return nil, fmt.Errorf("store: claims: %w", err)
		}
		c.PCC, c.LongTerm, c.Created = rps.PCC(pcc), lt != 0, time.Unix(created, 0).UTC()
		if c.Vintage, err = scanMonth(v); err != nil {
			return nil, err
		}
		if c.RetiredOn, err = dateOf(on); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RPSHistory computes the seller's position in every compliance period
// on record, carrying banked excess forward (rps.History), from the
// stored profile, retail sales and claims.
func (q queries) RPSHistory(ctx context.Context) (RPSProfile, []rps.PeriodPosition, error) {
	p, err := q.RPSProfile(ctx)
	if err != nil {
		return p, nil, err
	}
	rules, err := rps.DefaultRules()
	if err != nil {
		return p, nil, err
	}
	sales, err := q.RPSRetailSales(ctx)
	if err != nil {
		return p, nil, err
	}
	ys := map[int]int64{}
	for _, s := range sales {
		ys[s.Year] = s.MWh
	}
	contracts, err := q.Contracts(ctx)
	if err != nil {
		return p, nil, err
	}
	executed := map[int64]calendar.Date{}
	for _, c := range contracts {
		executed[c.ID] = c.Executed
	}
	claims, err := q.Claims(ctx, ClaimFilter{})
	if err != nil {
		return p, nil, err
	}
	byPeriod := map[string][]rps.Claim{}
	for _, c := range claims {
		byPeriod[c.Period] = append(byPeriod[c.Period], rps.Claim{ID: strconv.FormatInt(c.ID, 10), PCC: c.PCC, MWh: c.MWh,
			ContractExecuted: executed[c.ContractID], LongTerm: c.LongTerm, Vintage: c.Vintage, Retired: c.RetiredOn})
	}
	return p, rps.History(rules, p.Jurisdiction, p.Settings, ys, byPeriod, p.OpeningBank), nil
}

// RPSReportInput gathers what the annual compliance report of year needs:
// the year's period rules, the period's retail sales and claims through
// the year with their facilities and contracts, and the bank carried in.
func (q queries) RPSReportInput(ctx context.Context, year int) (rps.ReportInput, error) {
	p, hist, err := q.RPSHistory(ctx)
	if err != nil {
		return rps.ReportInput{}, err
	}
	rules, err := rps.DefaultRules()
	if err != nil {
		return rps.ReportInput{}, err
	}
	rs, err := rules.ForYear(p.Jurisdiction, year)
	if err != nil {
		var f apperr.Fields
		f.Add("year", "%s", apperr.MessageOf(err))
		return rps.ReportInput{}, f.Err("store.RPSReportInput")
	}
	in := rps.ReportInput{Seller: p.Seller, Year: year, Rules: rs, Settings: p.Settings, RetailSales: map[int]int64{},
		Recommendations: p.Recommendations[strconv.Itoa(year)], Bank: p.OpeningBank}
	for _, h := range hist {
		if h.Period == rs.Period {
			in.Bank = h.BankIn
		}
	}
	sales, err := q.RPSRetailSales(ctx)
	if err != nil {
		return in, err
	}
	for _, s := range sales {
		if rs.Contains(s.Year) && s.Year <= year {
			in.RetailSales[s.Year] = s.MWh
		}
	}
	if _, ok := in.RetailSales[year]; !ok {
		var f apperr.Fields
		f.Add("year", "no retail sales recorded for %d", year)
		return in, f.Err("store.RPSReportInput")
	}
	facs, err := q.RecFacilities(ctx)
	if err != nil {
		return in, err
	}
	byID := map[int64]rec.Facility{}
	for _, f := range facs {
		byID[f.ID] = f
	}
	contracts, err := q.Contracts(ctx)
	if err != nil {
		return in, err
	}
	cons := map[int64]rps.Contract{}
	for _, c := range contracts {
		cons[c.ID] = c
	}
	claims, err := q.Claims(ctx, ClaimFilter{Period: rs.Period})
	if err != nil {
		return in, err
	}
	for _, c := range claims {
		if c.Vintage.Year > year {
			continue
		}
		con := cons[c.ContractID]
		f := byID[con.FacilityID]
		status := rps.CertStatus("")
		if cert, ok := f.CertificationOn(c.Vintage.Last()); ok {
			status = cert.Status
		}
		in.Lines = append(in.Lines, rps.ReportLine{Facility: f.Name, WREGISID: f.WREGISID, Technology: f.Technology, State: f.State, InCBA: f.InCBA,
			COD: f.COD, CertStatus: status, Contract: con.Name, Executed: con.Executed, LongTerm: c.LongTerm, PCC: c.PCC, Vintage: c.Vintage, MWh: c.MWh})
	}
	return in, nil
}

// ProcurementDetail reads the claims, contracts and facilities behind the
// annual report's procurement detail for year and lays them out as
// rps.ProcurementDetail does; the API, the CLI and the console share it.
func (q queries) ProcurementDetail(ctx context.Context, year int) ([]rps.DetailRow, error) {
	claims, err := q.Claims(ctx, ClaimFilter{})
	if err != nil {
		return nil, err
	}
	cons, err := q.Contracts(ctx)
	if err != nil {
		return nil, err
	}
	facs, err := q.RecFacilities(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]rps.Contract, len(cons))
	for _, c := range cons {
		byID[c.ID] = c
	}
	fs := make(map[int64]rps.Facility, len(facs))
	for _, f := range facs {
		fs[f.ID] = f.Facility
	}
	in := make([]rps.DetailClaim, 0, len(claims))
	for _, c := range claims {
		in = append(in, rps.DetailClaim{ContractID: c.ContractID, PCC: c.PCC, MWh: c.MWh, LongTerm: c.LongTerm, Vintage: c.Vintage,
			RetiredOn: c.RetiredOn, Period: c.Period})
	}
	return rps.ProcurementDetail(year, in, byID, fs), nil
}
