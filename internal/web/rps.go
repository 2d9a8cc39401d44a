package web

import (
	"context"
	"fmt"
	"maps"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/rec"
	"github.com/gridbook/gridbook/internal/rps"
	"github.com/gridbook/gridbook/internal/store"
)

// NavRPS is the nav key of the RPS and certificate registry pages.
const NavRPS = "rps"

// rpsRoutes registers the RPS position, the annual report and the
// certificate registry pages.
func (h *handler) rpsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /rps", h.staffOnly(h.rpsPosition))
	mux.HandleFunc("GET /rps/report", h.staffOnly(h.rpsReport))
	mux.HandleFunc("GET /rps/report.csv", h.staffOnly(h.rpsReportCSV))
	mux.HandleFunc("GET /rps/report/procurement.csv", h.staffOnly(h.rpsProcurementCSV))
	// The registry pages serve staff and registry participants; a
	// participant sees and acts only on its own organization's accounts
	// (another organization's answer 404). The event log spans every
	// organization and stays with staff.
	mux.HandleFunc("GET /rec", h.registryReaders(h.recOverview))
	mux.HandleFunc("GET /rec/facilities/{id}", h.registryReaders(h.recFacility))
	mux.HandleFunc("GET /rec/accounts/{id}", h.registryReaders(h.recAccount))
	mux.HandleFunc("POST /rec/accounts/{id}/transfer", h.registryCommanders(h.recTransfer))
	mux.HandleFunc("POST /rec/accounts/{id}/retire", h.registryCommanders(h.recRetire))
	mux.HandleFunc("GET /rec/transfers", h.registryReaders(h.recTransfers))
	mux.HandleFunc("POST /rec/transfers/{id}/{action}", h.registryCommanders(h.recResolve))
	mux.HandleFunc("GET /rec/retirements", h.registryReaders(h.recRetirements))
	mux.HandleFunc("GET /rec/retirements.csv", h.registryReaders(h.recRetirementsCSV))
	mux.HandleFunc("GET /rec/events", h.staffOnly(h.recEvents))
	// Administrators add participants' sign-ins (rec_participants.go).
	mux.HandleFunc("GET /rec/participants", h.registryAdmins(h.recParticipants))
	mux.HandleFunc("POST /rec/participants", h.registryAdmins(h.recParticipantAdd))
	mux.HandleFunc("POST /rec/participants/clients", h.registryAdmins(h.recClientLink))
}

// mwh formats whole MWh with digit groups: "18,177,500".
func mwh(n int64) string { return mustInt(n) }

// pct formats a fraction as a percentage with two decimals: "75.00%".
func pct(r *big.Rat) string {
	if r == nil {
		return "—"
	}
	return new(big.Rat).Mul(r, big.NewRat(100, 1)).FloatString(2) + "%"
}

// CompliancePeriodRow is one compliance period in the position table.
type CompliancePeriodRow struct {
	Period, Years                      string
	Partial                            bool
	Problem                            string
	Requirement, Applied, Shortfall    string
	PCC0, PCC1, PCC2, PCC3, Banked     string
	PCC1Share, PCC3Share               string
	LTApplied, LTRequired, LTShortfall string
	Excess, BankOut                    string
	Complies                           bool
	Violations                         []rps.Violation
	Excluded                           []rps.Excluded
}

// RPSPage is the Data of console/rps.
type RPSPage struct {
	Profile   store.RPSProfile
	Cards     []Card
	ByPeriod  Chart // procurement by category against the requirement
	ByYear    Chart // procured vs target, % of retail sales
	Periods   []CompliancePeriodRow
	Years     []int // report years (with retail sales)
	Sources   []rps.Source
	HasData   bool
	SalesRows []store.RetailSales
	Hourly    *HourlyView // the green product's hourly match, when one is set
}

// HourlyView is a green product's hourly match for a year.
type HourlyView struct {
	Name                             string
	Year, Accounts, Unmatchable      int
	HourlyShare, AnnualShare         string
	Load, Generation, Matched, Unmet string
	ByHour                           Chart
}

// hourlyView matches the profile's green product for year, or nil.
func (h *handler) hourlyView(ctx context.Context, p store.RPSProfile, year int) (*HourlyView, error) {
	g := p.GreenProduct
	if g == nil || year == 0 {
		return nil, nil
	}
	hours, err := h.db.GreenProductHourly(ctx, g.Program, g.Facilities, year)
	if err != nil {
		return nil, err
	}
	m, err := rps.MatchHourly(hours.Load, hours.Gen, hours.HourOfDay)
	if err != nil {
		return nil, err
	}
	v := &HourlyView{Name: g.Name, Year: year, Accounts: hours.Accounts, Unmatchable: hours.MonthsWithoutHourly,
		HourlyShare: pct(m.HourlyShare), AnnualShare: pct(m.AnnualShare), Load: m.Load.KWhString(), Generation: m.Generation.KWhString(),
		Matched: m.Matched.KWhString(), Unmet: m.Deficit.KWhString(),
		ByHour: Chart{Title: fmt.Sprintf("%s %d by hour of day: load, generation and the load matched in the same hour (MWh)", g.Name, year),
			Kind: ChartBars, Unit: "MWh", XLabel: "Hour", Series: []Series{{Label: "Load"}, {Label: "Generation"}, {Label: "Matched"}}, Height: 240}}
	for hr := range 24 {
		v.ByHour.Labels = append(v.ByHour.Labels, fmt.Sprintf("%02d", hr))
		v.ByHour.Series[0].Values = append(v.ByHour.Series[0].Values, float64(m.LoadByHour[hr])/1e6)
		v.ByHour.Series[1].Values = append(v.ByHour.Series[1].Values, float64(m.GenByHour[hr])/1e6)
		v.ByHour.Series[2].Values = append(v.ByHour.Series[2].Values, float64(m.MatchedByHour[hr])/1e6)
	}
	return v, nil
}

// rpsPosition shows the seller's position in every period on record.
func (h *handler) rpsPosition(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	prof, hist, err := h.db.RPSHistory(ctx)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	sales, err := h.db.RPSRetailSales(ctx)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	claims, err := h.db.Claims(ctx, store.ClaimFilter{})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := RPSPage{Profile: prof, HasData: len(hist) > 0, SalesRows: sales}
	gwh := func(n int64) float64 { return float64(n) / 1000 }
	page.ByPeriod = Chart{Title: "Procurement applied by portfolio content category against the requirement (GWh)", Kind: ChartBars, Unit: "GWh",
		XLabel: "Period", Series: []Series{{Label: "Count in full"}, {Label: "PCC1"}, {Label: "PCC2"}, {Label: "PCC3"}, {Label: "Banked excess"}, {Label: "Requirement"}},
		Height: 280}
	for _, p := range hist {
		row := CompliancePeriodRow{Period: p.Period, Years: fmt.Sprintf("%d–%d", p.Rules.FirstYear, p.Rules.LastYear), Partial: p.Partial, Problem: p.Problem}
		if p.Partial {
			row.Years = fmt.Sprintf("%d–%d (to date, through %d)", p.Rules.FirstYear, p.Rules.LastYear, p.Through)
		}
		if res := p.Result; res != nil {
			row.Requirement, row.Applied, row.Shortfall = mwh(res.PQRMWh), mwh(res.AppliedTotal), mwh(res.Shortfall)
			row.PCC0, row.PCC1, row.PCC2, row.PCC3, row.Banked = mwh(res.Applied[0]), mwh(res.Applied[1]), mwh(res.Applied[2]), mwh(res.Applied[3]), mwh(res.BankApplied)
			row.PCC1Share, row.PCC3Share = pct(res.PCC1Share), pct(res.PCC3Share)
			row.LTApplied, row.LTShortfall = mwh(res.LongTermApplied), mwh(res.LongTermShortfall)
			row.LTRequired = "—"
			if res.LongTermRequired.Sign() > 0 {
				row.LTRequired = mwh(res.LongTermRequired.Num().Int64() / res.LongTermRequired.Denom().Int64())
			}
			row.Excess, row.BankOut = mwh(res.Excess), mwh(res.BankOut)
			row.Complies, row.Violations, row.Excluded = res.Complies(), res.Violations, res.Excluded
			page.ByPeriod.Labels = append(page.ByPeriod.Labels, p.Period)
			for i, v := range []int64{res.Applied[0], res.Applied[1], res.Applied[2], res.Applied[3], res.BankApplied, res.PQRMWh} {
				page.ByPeriod.Series[i].Values = append(page.ByPeriod.Series[i].Values, gwh(v))
			}
			page.Sources = p.Rules.Sources
		}
		page.Periods = append(page.Periods, row)
	}
	if n := len(hist); n > 0 && hist[n-1].Result != nil {
		cur := hist[n-1]
		res := cur.Result
		status := "complies so far"
		if res.Shortfall > 0 {
			status = mwh(res.Shortfall) + " MWh to go"
		}
		page.Cards = []Card{
			{Label: cur.Period + " requirement" + map[bool]string{true: " to date", false: ""}[cur.Partial], Value: mwh(res.PQRMWh) + " MWh",
				Note: fmt.Sprintf("%d through %d", cur.Rules.FirstYear, cur.Through)},
			{Label: "Applied", Value: mwh(res.AppliedTotal) + " MWh", Note: status},
			{Label: "PCC1 share", Value: pct(res.PCC1Share), Note: "at least " + string(cur.Rules.PCC1Min) + "%"},
			{Label: "Long-term", Value: mwh(res.LongTermApplied) + " MWh", Note: "65% of the requirement: " + mwh(ceilOf(res.LongTermRequired)) + " MWh"},
			{Label: "Banked excess carried in", Value: mwh(cur.BankIn) + " MWh"},
		}
	}
	// Procured (claimed) by vintage year against each year's target.
	byYear := map[int]int64{}
	for _, c := range claims {
		byYear[c.Vintage.Year] += c.MWh
	}
	rules, err := rps.DefaultRules()
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page.ByYear = Chart{Title: "Procured as a share of retail sales, by year of generation (%)", Kind: ChartLine, Unit: "%", XLabel: "Year",
		Series: []Series{{Label: "Target"}, {Label: "Procured"}}, Height: 240}
	for _, s := range sales {
		page.Years = append(page.Years, s.Year)
		rs, err := rules.ForYear(prof.Jurisdiction, s.Year)
		if err != nil || s.MWh == 0 {
			continue
		}
		target, _ := rs.Targets[s.Year].Fraction()
		t, _ := target.Float64()
		page.ByYear.Labels = append(page.ByYear.Labels, strconv.Itoa(s.Year))
		page.ByYear.Series[0].Values = append(page.ByYear.Series[0].Values, 100*t)
		page.ByYear.Series[1].Values = append(page.ByYear.Series[1].Values, 100*float64(byYear[s.Year])/float64(s.MWh))
	}
	if n := len(page.Years); n > 0 {
		if page.Hourly, err = h.hourlyView(ctx, prof, page.Years[n-1]); err != nil {
			h.rd.Error(w, r, err)
			return
		}
	}
	h.rd.Render(w, r, http.StatusOK, "console/rps", &View{Title: "Renewables Portfolio Standard", Nav: NavRPS, Data: page})
}

// ceilOf rounds a non-negative rational up to a whole number.
func ceilOf(r *big.Rat) int64 {
	if r == nil {
		return 0
	}
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Int64()
}

// RPSReportPage is the Data of console/rps_report.
type RPSReportPage struct {
	Year    int
	Years   []Option
	Report  *rps.Report
	Percent string
	ToDate  CompliancePeriodRow
	CSVURL  string
	// DetailURL downloads the procurement detail (rps_detail.go).
	DetailURL string
	AsOfYear  string
	AsOf      calendar.Date // the year's last day, for the facilities' status
}

// reportYear reads ?year=, defaulting to the latest year with sales.
func (h *handler) reportYear(ctx context.Context, r *http.Request) (int, []Option, error) {
	sales, err := h.db.RPSRetailSales(ctx)
	if err != nil {
		return 0, nil, err
	}
	var opts []Option
	year := 0
	for _, s := range sales {
		opts = append(opts, Option{Value: strconv.Itoa(s.Year), Label: strconv.Itoa(s.Year)})
		year = s.Year
	}
	if q := r.URL.Query().Get("year"); q != "" {
		y, err := strconv.Atoi(q)
		if err != nil {
			var f apperr.Fields
			f.Add("year", "%q is not a year", q)
			return 0, nil, f.Err("web.rpsReport")
		}
		year = y
	}
	if year == 0 {
		return 0, nil, apperr.NotFoundf("web", "No retail sales are recorded yet, so there is no report to show.")
	}
	return year, opts, nil
}

// report builds the annual report of the requested year.
func (h *handler) report(r *http.Request) (int, []Option, *rps.Report, error) {
	ctx := r.Context()
	year, opts, err := h.reportYear(ctx, r)
	if err != nil {
		return 0, nil, nil, err
	}
	in, err := h.db.RPSReportInput(ctx, year)
	if err != nil {
		return 0, nil, nil, err
	}
	rep, err := rps.BuildReport(in)
	return year, opts, rep, err
}

// rpsReport shows the annual compliance report of §399.13(a)(3).
func (h *handler) rpsReport(w http.ResponseWriter, r *http.Request) {
	year, opts, rep, err := h.report(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := RPSReportPage{Year: year, Years: opts, Report: rep, Percent: pct(rep.Percent), CSVURL: fmt.Sprintf("/rps/report.csv?year=%d", year),
		DetailURL: fmt.Sprintf("/rps/report/procurement.csv?year=%d", year),
		AsOfYear:  strconv.Itoa(year), AsOf: calendar.Date{Year: year, Month: 12, Day: 31}}
	o := rep.ToDate
	page.ToDate = CompliancePeriodRow{Requirement: mwh(o.PQRMWh), Applied: mwh(o.Applied.Total), Shortfall: mwh(o.Shortfall), PCC0: mwh(o.Applied.PCC0),
		PCC1: mwh(o.Applied.PCC1), PCC2: mwh(o.Applied.PCC2), PCC3: mwh(o.Applied.PCC3), Banked: mwh(o.Applied.Banked),
		PCC1Share: o.PCC1Share.String(), PCC3Share: o.PCC3Share.String(), LTApplied: mwh(o.LTApplied), LTRequired: mwh(o.LTRequired),
		Excess: mwh(o.Excess), Complies: o.Complies, Violations: o.Violations}
	h.rd.Render(w, r, http.StatusOK, "console/rps_report", &View{Title: fmt.Sprintf("RPS compliance report %d", year), Nav: NavRPS, Data: page})
}

// rpsReportCSV downloads the annual report as CSV.
func (h *handler) rpsReportCSV(w http.ResponseWriter, r *http.Request) {
	year, _, rep, err := h.report(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="rps-report-%d.csv"`, year))
	_ = rep.WriteCSV(w) // a failed write means the client left
}

// AccountRow is a registry account with its holdings.
type AccountRow struct {
	Account                                       rec.Account
	Active, Pending, Retired, Exported, Withdrawn string
}

// FacilityRow is a facility with its eligibility today.
type FacilityRow struct {
	Facility rec.Facility
	MW       string
	Eligible bool
	Reason   string
}

// RecPage is the Data of console/rec.
type RecPage struct {
	// Org is the participant's organization the page is limited to ("" for
	// staff, who see the whole registry).
	Org        string
	Cards      []Card
	Accounts   []AccountRow
	Facilities []FacilityRow
}

// recOverview shows the registry: accounts with holdings, facilities.
func (h *handler) recOverview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	org := UserFromContext(ctx).RegistryOrg()
	accts, err := h.db.RecAccountsOf(ctx, org)
	var holds []store.Holding
	var facs []rec.Facility
	var pending []rec.Transfer
	if err == nil {
		holds, err = h.db.RecHoldingsOf(ctx, org)
	}
	if err == nil {
		facs, err = h.db.RecFacilitiesOf(ctx, org)
	}
	if err == nil {
		pending, err = h.db.RecTransfers(ctx, store.TransferFilter{Status: rec.TransferPending, Org: org, Limit: 10000})
	}
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := RecPage{Org: org}
	totals := map[rec.Status]int64{}
	for _, a := range accts {
		row := AccountRow{Account: a}
		by := map[rec.Status]int64{}
		for _, x := range holds {
			if x.AccountID == a.ID {
				by[x.Status] += x.Quantity
				totals[x.Status] += x.Quantity
			}
		}
		row.Active, row.Pending, row.Retired, row.Exported, row.Withdrawn = mwh(by[rec.StatusActive]), mwh(by[rec.StatusPending]),
			mwh(by[rec.StatusRetired]), mwh(by[rec.StatusExported]), mwh(by[rec.StatusWithdrawn])
		page.Accounts = append(page.Accounts, row)
	}
	today := h.today()
	for _, f := range facs {
		d := rps.Eligibility(&f.Facility, today, "")
		page.Facilities = append(page.Facilities, FacilityRow{Facility: f, MW: mwString(f.NameplateKW), Eligible: d.Eligible, Reason: d.Reason()})
	}
	var issued int64
	for _, v := range totals {
		issued += v
	}
	page.Cards = []Card{
		{Label: "Certificates issued", Value: mwh(issued), Note: "1 certificate = 1 MWh"},
		{Label: "Active", Value: mwh(totals[rec.StatusActive])},
		{Label: "Awaiting acceptance", Value: mwh(int64(len(pending))) + " transfers", Note: mwh(totals[rec.StatusPending]) + " certificates", Href: "/rec/transfers"},
		{Label: "Retired", Value: mwh(totals[rec.StatusRetired]), Href: "/rec/retirements"},
		{Label: "Exported / withdrawn", Value: mwh(totals[rec.StatusExported]) + " / " + mwh(totals[rec.StatusWithdrawn])},
	}
	h.rd.Render(w, r, http.StatusOK, "console/rec", &View{Title: "Certificate registry", Nav: NavRPS, Data: page})
}

// mwString writes kW as MW with up to three decimals.
func mwString(kw int64) string {
	s := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%d.%03d", kw/1000, kw%1000), "0"), ".")
	return s + " MW"
}

// FacilityPage is the Data of console/rec_facility.
type FacilityPage struct {
	Facility    rec.Facility
	Account     rec.Account
	MW          string
	Eligibility rps.Decision
	Issuances   []IssuanceRow
	Issued      Chart
}

// IssuanceRow is one issuance on the facility page.
type IssuanceRow struct {
	Issuance                                   rec.Issuance
	Reported, Eligible, CarryIn, CarryOut, Qty string
}

// recFacility shows a facility: its facts, certification history,
// eligibility findings today, and its issuances with a chart.
func (h *handler) recFacility(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathInt(r, "id")
	var f rec.Facility
	if err == nil {
		f, err = h.db.RecFacility(ctx, id)
	}
	var a rec.Account
	var iss []rec.Issuance
	if err == nil {
		a, err = h.db.RecAccountOf(ctx, UserFromContext(ctx).RegistryOrg(), f.AccountID)
		if apperr.Is(err, apperr.NotFound) {
			err = apperr.NotFoundf("web", "There is no such facility.")
		}
	}
	if err == nil {
		iss, err = h.db.RecIssuances(ctx, id, 60)
	}
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := FacilityPage{Facility: f, Account: a, MW: mwString(f.NameplateKW), Eligibility: rps.Eligibility(&f.Facility, h.today(), ""),
		Issued: Chart{Title: "Certificates issued by vintage month", Kind: ChartBars, Unit: "certificates (MWh)", XLabel: "Vintage",
			Series: []Series{{Label: "Issued"}}, Height: 220}}
	for i := len(iss) - 1; i >= 0; i-- {
		x := iss[i]
		page.Issued.Labels = append(page.Issued.Labels, x.Vintage.String())
		page.Issued.Series[0].Values = append(page.Issued.Series[0].Values, float64(x.Quantity))
	}
	for _, x := range iss {
		page.Issuances = append(page.Issuances, IssuanceRow{Issuance: x, Reported: x.ReportedWh.KWhString(), Eligible: x.EligibleWh.KWhString(),
			CarryIn: x.CarryIn.KWhString(), CarryOut: x.CarryOut.KWhString(), Qty: mwh(x.Quantity)})
	}
	h.rd.Render(w, r, http.StatusOK, "console/rec_facility", &View{Title: f.Name, Nav: NavRPS, Data: page})
}

// pathInt reads a positive integer path value; anything else is not found.
func pathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("web", "There is no such record.")
	}
	return id, nil
}

// BlockRow is a block on an account page.
type BlockRow struct {
	Block    rec.Block
	Facility string
	Serials  string
	Qty      string
	Deadline string
	CanRPS   bool // still within its 36-month window
}

// RecAccountPage is the Data of console/rec_account.
type RecAccountPage struct {
	Account     rec.Account
	Status      string
	Statuses    []Option
	Blocks      []BlockRow
	Retirements []Option // the organization's retirement accounts
	ThisYear    int

	// The write forms (rec_forms.go), for writing staff and the account's
	// own participants on an active account holding active blocks.
	CanRetire, CanTransfer bool
	Blocks4Form            []Option // the account's active blocks
	Destinations           []Option // the other active accounts
	Reasons                []Option
	Transfer               RecTransferForm
	Retire                 RecRetireForm
}

// recAccount lists an account's blocks; writers may retire from active ones.
func (h *handler) recAccount(w http.ResponseWriter, r *http.Request) {
	page, err := h.recAccountPage(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/rec_account", &View{Title: page.Account.Name, Nav: NavRPS, Data: page})
}

func (h *handler) recAccountPage(r *http.Request) (RecAccountPage, error) {
	ctx := r.Context()
	id, err := pathInt(r, "id")
	if err != nil {
		return RecAccountPage{}, err
	}
	u := UserFromContext(ctx)
	a, err := h.db.RecAccountOf(ctx, u.RegistryOrg(), id)
	if err != nil {
		return RecAccountPage{}, err
	}
	status := rec.Status(r.URL.Query().Get("status"))
	if status == "" && a.Kind == rec.ActiveAccount {
		status = rec.StatusActive
	}
	page := RecAccountPage{Account: a, Status: string(status), ThisYear: h.today().Year,
		Statuses: []Option{{"", "All but split"}, {"active", "Active"}, {"pending", "Pending"}, {"retired", "Retired"}, {"exported", "Exported"}, {"withdrawn", "Withdrawn"}}}
	blocks, err := h.db.RecBlocks(ctx, store.BlockFilter{AccountID: id, Status: status, Limit: 500})
	if err != nil {
		return page, err
	}
	facs, err := facilitiesByID(ctx, h.db)
	if err != nil {
		return page, err
	}
	prof, err := h.db.RPSProfile(ctx)
	if err != nil {
		return page, err
	}
	today := h.today()
	for _, b := range slices.Backward(blocks) {
		f := facs[b.FacilityID]
		dl := rps.RetirementDeadline(b.Vintage, prof.Settings.WindowAnchor)
		page.Blocks = append(page.Blocks, BlockRow{Block: b, Facility: f.Name, Serials: b.Serials(f.Facility),
			Qty: mwh(b.Quantity()), Deadline: dl.String(), CanRPS: !today.After(dl)})
	}
	accts, err := h.db.RecAccounts(ctx)
	if err != nil {
		return page, err
	}
	for _, x := range accts {
		if x.Kind == rec.RetirementAccount && x.Org == a.Org {
			page.Retirements = append(page.Retirements, Option{Value: strconv.FormatInt(x.ID, 10), Label: x.Name})
		}
	}
	return page, h.recForms(r, &page, accts)
}

// facilitiesByID loads every facility by id.
func facilitiesByID(ctx context.Context, db *store.DB) (map[int64]rec.Facility, error) {
	fs, err := db.RecFacilities(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]rec.Facility{}
	for _, f := range fs {
		out[f.ID] = f
	}
	return out, nil
}

// TransferRow is a transfer in the inbox.
type TransferRow struct {
	Transfer rec.Transfer
	From, To string
	Qty      string
	Serials  string
	// CanAccept (accept or reject: the receiver's side) and CanCancel
	// (the sender's side) say which buttons the user gets.
	CanAccept, CanCancel bool
}

// TransfersPage is the Data of console/rec_transfers.
type TransfersPage struct {
	Pending, Recent []TransferRow
}

// recTransfers shows the transfers awaiting acceptance and the latest
// resolved ones.
func (h *handler) recTransfers(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := UserFromContext(ctx)
	org := u.RegistryOrg()
	all, err := h.db.RecTransfers(ctx, store.TransferFilter{Org: org, Limit: 1 << 30})
	var accts []rec.Account
	var facs map[int64]rec.Facility
	if err == nil {
		accts, err = h.db.RecAccounts(ctx) // names of both sides
	}
	if err == nil {
		facs, err = facilitiesByID(ctx, h.db)
	}
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	name, own := map[int64]string{}, map[int64]bool{}
	for _, a := range accts {
		name[a.ID] = a.Org + " · " + a.Name
		own[a.ID] = org == "" || a.Org == org
	}
	page := TransfersPage{}
	for _, t := range slices.Backward(all) {
		row := TransferRow{Transfer: t, From: name[t.From], To: name[t.To], Qty: mwh(t.Quantity),
			CanAccept: u.CanCommand() && own[t.To], CanCancel: u.CanCommand() && own[t.From]}
		if b, err := h.db.RecBlock(ctx, t.BlockID); err == nil {
			f := facs[b.FacilityID]
			row.Serials = b.Serials(f.Facility)
		}
		if t.Status == rec.TransferPending {
			page.Pending = append(page.Pending, row)
		} else if len(page.Recent) < 25 {
			page.Recent = append(page.Recent, row)
		}
	}
	h.rd.Render(w, r, http.StatusOK, "console/rec_transfers", &View{Title: "Transfers", Nav: NavRPS, Data: page})
}

// recResolve accepts, rejects or cancels a pending transfer.
func (h *handler) recResolve(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathInt(r, "id")
	to, ok := map[string]rec.TransferStatus{"accept": rec.TransferAccepted, "reject": rec.TransferRejected, "cancel": rec.TransferCancelled}[r.PathValue("action")]
	if err == nil && !ok {
		err = apperr.NotFoundf("web", "There is no such action.")
	}
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			reg, err := h.registryFor(ctx, tx)
			if err != nil {
				return err
			}
			_, err = reg.ResolveTransfer(ctx, id, to, strings.TrimSpace(r.PostFormValue("note")))
			return err
		})
	}
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Conflict && k != apperr.Invalid && k != apperr.Forbidden {
			h.rd.Error(w, r, err)
			return
		}
		SetFlash(w, r, Flash{Kind: FlashError, Msg: apperr.MessageOf(err)})
	} else {
		SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Transfer %d %s.", id, to)})
	}
	Redirect(w, r, "/rec/transfers")
}

// RetirementsPage is the Data of console/rec_retirements.
type RetirementsPage struct {
	Year   string
	Years  []Option
	Rows   []RetirementRow
	CSVURL string
	Total  string
}

// RetirementRow is a retirement in the list.
type RetirementRow struct {
	Retirement rec.Retirement
	Facility   string
	Qty        string
	Claimed    string
}

// retirementFilter reads ?year=, limited to a participant's own
// retirement accounts.
func retirementFilter(r *http.Request) (store.RetirementFilter, string) {
	y := strings.TrimSpace(r.URL.Query().Get("year"))
	n, _ := strconv.Atoi(y)
	return store.RetirementFilter{ComplianceYear: n, Org: UserFromContext(r.Context()).RegistryOrg(), Limit: 1 << 30}, y
}

// recRetirements lists retirements, by compliance year.
func (h *handler) recRetirements(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f, y := retirementFilter(r)
	rets, err := h.db.RecRetirements(ctx, f)
	var facs map[int64]rec.Facility
	var claims []store.ClaimRecord
	if err == nil {
		facs, err = facilitiesByID(ctx, h.db)
	}
	if err == nil {
		claims, err = h.db.Claims(ctx, store.ClaimFilter{})
	}
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	claimed := map[int64]int64{}
	for _, c := range claims {
		claimed[c.RetirementID] += c.MWh
	}
	page := RetirementsPage{Year: y, CSVURL: "/rec/retirements.csv?year=" + url.QueryEscape(y), Years: []Option{{"", "All years"}}}
	years := map[int]bool{}
	var total int64
	for _, x := range slices.Backward(rets) {
		page.Rows = append(page.Rows, RetirementRow{Retirement: x, Facility: facs[x.FacilityID].Name, Qty: mwh(x.Quantity), Claimed: mwh(claimed[x.ID])})
		total += x.Quantity
	}
	all, err := h.db.RecRetirements(ctx, store.RetirementFilter{Org: f.Org, Limit: 1 << 30})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	for _, x := range all {
		if x.ComplianceYear != 0 {
			years[x.ComplianceYear] = true
		}
	}
	for _, yr := range slices.Sorted(maps.Keys(years)) {
		page.Years = append(page.Years, Option{Value: strconv.Itoa(yr), Label: strconv.Itoa(yr)})
	}
	page.Total = mwh(total)
	h.rd.Render(w, r, http.StatusOK, "console/rec_retirements", &View{Title: "Retirements", Nav: NavRPS, Data: page})
}

// recRetirementsCSV downloads the WREGIS-style retirements report.
func (h *handler) recRetirementsCSV(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f, y := retirementFilter(r)
	rets, err := h.db.RecRetirements(ctx, f)
	var facs map[int64]rec.Facility
	var accts []rec.Account
	if err == nil {
		facs, err = facilitiesByID(ctx, h.db)
	}
	if err == nil {
		accts, err = h.db.RecAccounts(ctx)
	}
	rows := make([]rec.RetirementRow, 0, len(rets))
	for _, x := range rets {
		if err != nil {
			break
		}
		var b rec.Block
		b, err = h.db.RecBlock(ctx, x.BlockID)
		var a rec.Account
		for _, acc := range accts {
			if acc.ID == x.AccountID {
				a = acc
			}
		}
		rows = append(rows, rec.RetirementRow{Retirement: x, Account: a, Facility: facs[x.FacilityID].Facility, Block: b})
	}
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	name := "retirements.csv"
	if y != "" {
		name = "retirements-" + y + ".csv"
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_ = rec.WriteRetirementsCSV(w, rows) // a failed write means the client left
}

// registryFor returns the registry bound to tx acting for the signed-in
// user: for a participant, only its organization's accounts.
func (h *handler) registryFor(ctx context.Context, tx *store.Tx) (*rec.Registry, error) {
	u := UserFromContext(ctx)
	reg, err := tx.Registry(ctx, u.Actor())
	if err != nil {
		return nil, err
	}
	reg.Org = u.RegistryOrg()
	return reg, nil
}

// EventsPage is the Data of console/rec_events.
type EventsPage struct {
	Events   []rec.Event
	NextURL  string
	First    bool
	Checked  bool
	Verify   store.ChainStatus
	Problems []string
}

// eventsPageSize is how many events one page lists.
const eventsPageSize = 100

// recEvents lists the event log, newest first; ?verify=1 rehashes it.
func (h *handler) recEvents(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	evs, err := h.db.RecEventsNewest(ctx, before, eventsPageSize+1)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := EventsPage{First: before <= 0}
	if len(evs) > eventsPageSize {
		evs = evs[:eventsPageSize]
		page.NextURL = fmt.Sprintf("/rec/events?before=%d", evs[len(evs)-1].Seq)
	}
	page.Events = evs
	if r.URL.Query().Get("verify") != "" {
		page.Checked = true
		if page.Verify, err = h.db.VerifyRecChain(ctx); err == nil {
			page.Problems, err = h.db.CheckRecRegistry(ctx)
		}
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
	}
	h.rd.Render(w, r, http.StatusOK, "console/rec_events", &View{Title: "Registry event log", Nav: NavRPS, Data: page})
}
