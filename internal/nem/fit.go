package nem

import (
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
)

// FITProgram is a §399.20 feed-in tariff program.
type FITProgram string

// The feed-in tariff programs (spec/rps.md "Feed-in tariff";
// research/rps.md §4).
const (
	ReMAT  FITProgram = "remat"  // renewable market adjusting tariff: the 750 MW statewide program
	BioMAT FITProgram = "biomat" // bioenergy (SB 1122): 250 MW more for projects operating from 2013-06-01
)

// BioCategory is a BioMAT fuel category.
type BioCategory string

// The BioMAT categories and their MW (spec/rps.md: "110 MW biogas
// (wastewater, municipal organic waste diversion, food processing,
// co-digestion), 90 MW dairy and other agricultural bioenergy, 50 MW
// sustainable forest management byproducts").
const (
	BioBiogas BioCategory = "biogas"
	BioDairy  BioCategory = "dairy_ag"
	BioForest BioCategory = "forest"
)

// BioCategories lists the categories with their statewide MW.
var BioCategories = []struct {
	Category BioCategory
	W        energy.W
	Label    string
}{
	{BioBiogas, 110_000_000, "Biogas (wastewater, organic waste diversion, food processing, co-digestion)"},
	{BioDairy, 90_000_000, "Dairy and other agricultural bioenergy"},
	{BioForest, 50_000_000, "Sustainable forest management byproducts"},
}

// ReMAT products (research/rps.md §4: baseload, as-available peaking and
// as-available non-peaking).
const (
	ProductBaseload   = "baseload"
	ProductPeaking    = "peaking"
	ProductNonPeaking = "non_peaking"
)

// Feed-in tariff limits (PU Code §399.20; spec/rps.md).
const (
	FITStatewideW      energy.W = 750_000_000 // §399.20 as amended by SB 32: 750 MW statewide
	BioMATStatewideW   energy.W = 250_000_000 // SB 1122: 250 MW of bioenergy
	FITMaxW            energy.W = 3_000_000   // effective capacity ≤ 3 MW
	BioMaxNameplateW   energy.W = 5_000_000   // bioenergy up to 5 MW if it never exports more than 3 MW
	FITPaidExportW     energy.W = 3_000_000   // exports above 3 MW are not paid
	FITPostingDays              = 10          // posted on the website within 10 days, city only
	FITInspectionYears          = 2           // inspection and maintenance report at least every two years
)

// BioMATStart is the first operation date of a BioMAT project ("projects
// starting on or after 2013-06-01", spec/rps.md).
var BioMATStart = calendar.Date{Year: 2013, Month: time.June, Day: 1}

// FITTerms are the standard contract terms in years.
var FITTerms = []int{10, 15, 20}

// DenialReasons are the four reasons §399.20 lets a utility deny a
// request (spec/rps.md): the facility does not qualify, the grid at the
// interconnection point is inadequate, the facility does not meet laws,
// codes or interconnection rules, or the aggregate generation on the line
// would harm operations.
var DenialReasons = map[string]string{
	"not_eligible":    "the facility does not qualify",
	"grid_inadequate": "the grid at the interconnection point is inadequate",
	"noncompliant":    "the facility does not meet laws, codes or interconnection rules",
	"line_harm":       "the aggregate generation on the line would harm operations",
}

// FITStatus is where a feed-in tariff request stands.
type FITStatus string

// The statuses: received (queued first come, first served), posted on the
// website, accepted (a standard contract) or denied; a denial may be
// appealed to the CPUC, which grants (accepted) or denies it; an accepted
// facility leaves when its term ends or it no longer qualifies (ended).
const (
	FITReceived FITStatus = "received"
	FITPosted   FITStatus = "posted"
	FITAccepted FITStatus = "accepted"
	FITDenied   FITStatus = "denied"
	FITAppealed FITStatus = "appealed"
	FITEnded    FITStatus = "ended"
)

// FITRequest is a generating facility's request for the feed-in tariff.
type FITRequest struct {
	ID          int64         `json:"id"`
	Number      string        `json:"number"`
	Program     FITProgram    `json:"program"`
	Category    BioCategory   `json:"category,omitempty"` // BioMAT
	Product     string        `json:"product,omitempty"`  // ReMAT
	Utility     string        `json:"utility"`
	Facility    string        `json:"facility"` // name: never posted
	Address     string        `json:"address"`  // never posted
	City        string        `json:"city"`     // the only place the posting shows
	Technology  string        `json:"technology"`
	EffectiveW  energy.W      `json:"effective_w"`
	NameplateW  energy.W      `json:"nameplate_w"`
	MaxExportW  energy.W      `json:"max_export_w"`
	Rule21      bool          `json:"rule21"`
	TermYears   int           `json:"term_years"`
	OperatingOn calendar.Date `json:"operating_on,omitzero"` // commenced (or will commence) operation
	AccountID   int64         `json:"account_id"`            // the facility's service account, if any
	Received    time.Time     `json:"received_at"`           // queue order: first come, first served
	Status      FITStatus     `json:"status"`
	PostedOn    calendar.Date `json:"posted_on,omitzero"`
	DecidedOn   calendar.Date `json:"decided_on,omitzero"`
	Denial      string        `json:"denial_reason,omitempty"`
	AppealedOn  calendar.Date `json:"appealed_on,omitzero"`
	Appeal      string        `json:"appeal_outcome,omitempty"` // granted or denied
	EndedOn     calendar.Date `json:"ended_on,omitzero"`
	Note        string        `json:"note"`
}

// Feed-in tariff rules.
const (
	RuleFITCapacity  Rule = "fit.capacity_3mw"          // effective capacity ≤ 3 MW
	RuleFITBioSize   Rule = "fit.bio_5mw_export_3mw"    // bioenergy ≤ 5 MW exporting ≤ 3 MW under Rule 21
	RuleFITTerm      Rule = "fit.term"                  // 10, 15 or 20 years
	RuleFITBioStart  Rule = "fit.bio_start_2013_06_01"  // BioMAT projects from 2013-06-01
	RuleFITKind      Rule = "fit.category"              // a BioMAT category or a ReMAT product
	RuleFITNoNEM     Rule = "fit.no_net_metering"       // a facility on the tariff cannot take NEM
	RuleFITShare     Rule = "fit.allocation"            // first come, first served against the share
	RuleFITPosting   Rule = "fit.posting_10_days"       // posted within 10 days, city only
	RuleFITInspector Rule = "fit.inspector_independent" // licensed contractor, not the owner/operator
)

// DecideFIT checks a request's eligibility. hasNEM says whether the
// facility's account takes net metering (an open or interconnected NEM
// application or a "nem" enrollment).
func DecideFIT(r FITRequest, hasNEM bool, on calendar.Date) Decision {
	dc := &decider{}
	switch r.Program {
	case ReMAT:
		ok := r.EffectiveW > 0 && r.EffectiveW <= FITMaxW
		dc.check(RuleFITCapacity, "effective_w", ok, "effective capacity %s kW against the 3,000 kW limit", r.EffectiveW.KWString())
		p := slices.Contains([]string{ProductBaseload, ProductPeaking, ProductNonPeaking}, r.Product)
		dc.check(RuleFITKind, "product", p, "%s", okOr(p, "ReMAT product "+r.Product, "a ReMAT request needs a product: baseload, peaking or non_peaking"))
	case BioMAT:
		small := r.EffectiveW > 0 && r.EffectiveW <= FITMaxW && r.NameplateW <= FITMaxW
		bigOK := r.NameplateW <= BioMaxNameplateW && r.MaxExportW > 0 && r.MaxExportW <= FITMaxW && r.Rule21
		ok := small || bigOK
		dc.check(RuleFITBioSize, "nameplate_w", ok, "nameplate %s kW, effective %s kW, maximum export %s kW, Rule 21 %t: bioenergy up to 5,000 kW may take the tariff if it never exports more than 3,000 kW and complies with Rule 21",
			r.NameplateW.KWString(), r.EffectiveW.KWString(), r.MaxExportW.KWString(), r.Rule21)
		c := slices.ContainsFunc(BioCategories, func(b struct {
			Category BioCategory
			W        energy.W
			Label    string
		}) bool {
			return b.Category == r.Category
		})
		dc.check(RuleFITKind, "category", c, "%s", okOr(c, "BioMAT category "+string(r.Category), "a BioMAT request needs a category: biogas, dairy_ag or forest"))
		start := !r.OperatingOn.IsZero() && !r.OperatingOn.Before(BioMATStart)
		dc.check(RuleFITBioStart, "operating_on", start, "operation from %s; BioMAT is for projects starting on or after %s", dateOr(r.OperatingOn, "(not given)"), BioMATStart)
	default:
		dc.check(RuleFITKind, "program", false, "%q is not a feed-in tariff program (remat or biomat)", r.Program)
	}
	term := slices.Contains(FITTerms, r.TermYears)
	dc.check(RuleFITTerm, "term_years", term, "a %d-year term; standard contracts are 10, 15 or 20 years", r.TermYears)
	dc.check(RuleFITNoNEM, "account_id", !hasNEM, "%s", okOr(!hasNEM, "the facility's account takes no net metering",
		"the facility's account takes net metering; a facility on the feed-in tariff cannot also take net metering"))
	d := Decision{On: on, Checks: dc.checks, Eligible: true}
	for _, c := range dc.checks {
		d.Eligible = d.Eligible && c.Passed
	}
	return d
}

func dateOr(d calendar.Date, none string) string {
	if d.IsZero() {
		return none
	}
	return d.String()
}

// PostingDue is the last day a request received on day d may be posted on
// the utility's website (within 10 days).
func PostingDue(received calendar.Date) calendar.Date { return received.AddDays(FITPostingDays) }

// Posting is a request as the utility's website shows it: the city only,
// never the facility's name, address or owner.
type Posting struct {
	Number     string        `json:"number"`
	Program    FITProgram    `json:"program"`
	Category   BioCategory   `json:"category,omitempty"`
	Product    string        `json:"product,omitempty"`
	City       string        `json:"city"`
	EffectiveW energy.W      `json:"effective_w"`
	ReceivedOn calendar.Date `json:"received_on"`
	Status     FITStatus     `json:"status"`
}

// PostingOf is the public posting of a request.
func PostingOf(r FITRequest) Posting {
	return Posting{Number: r.Number, Program: r.Program, Category: r.Category, Product: r.Product, City: r.City,
		EffectiveW: r.EffectiveW, ReceivedOn: calendar.DateOf(r.Received), Status: r.Status}
}

// PaidExport is the part of an interval's export the tariff pays for:
// "exports above 3 MW are not paid", so at most 3 MW over the interval.
func PaidExport(exported energy.Wh, interval time.Duration) energy.Wh {
	limit := energy.Wh(int64(FITPaidExportW) * int64(interval) / int64(time.Hour))
	return min(exported, limit)
}

// Inspection is a biennial inspection-and-maintenance report.
type Inspection struct {
	ID         int64         `json:"id"`
	RequestID  int64         `json:"request_id"`
	On         calendar.Date `json:"inspected_on"`
	Contractor string        `json:"contractor"`
	License    string        `json:"license"` // California contractor's license number
	// ContractorIsOwner: the contractor is the facility's owner or
	// operator, which the statute does not allow.
	ContractorIsOwner bool `json:"contractor_is_owner"`
}

// CheckInspection refuses a report not made by a licensed contractor
// independent of the owner/operator (spec/rps.md).
func CheckInspection(in Inspection) error {
	var f apperr.Fields
	if strings.TrimSpace(in.Contractor) == "" {
		f.Add("contractor", "rule %s: name the contractor who inspected", RuleFITInspector)
	}
	if strings.TrimSpace(in.License) == "" {
		f.Add("license", "rule %s: the report must be by a California-licensed contractor; give the license number", RuleFITInspector)
	}
	if in.ContractorIsOwner {
		f.Add("contractor_is_owner", "rule %s: the inspecting contractor may not be the facility's owner or operator", RuleFITInspector)
	}
	if in.On.IsZero() {
		f.Add("inspected_on", "is required")
	}
	return f.Err("nem.CheckInspection")
}

// InspectionDue is when the next inspection report is due: two years after
// the last one, or after operation began when there is none.
func InspectionDue(operating, last calendar.Date) calendar.Date {
	from := operating
	if last.After(from) {
		from = last
	}
	if from.IsZero() {
		return calendar.Date{}
	}
	return AddYears(from, FITInspectionYears)
}

// UtilityPeak is a utility's peak demand, for the pro-rata shares.
type UtilityPeak struct {
	Utility string   `json:"utility"`
	PeakW   energy.W `json:"peak_w"`
	// IOU: an electrical corporation, which procures BioMAT too; publicly
	// owned utilities share only the 750 MW (§399.32).
	IOU bool `json:"iou"`
}

// FITShare is one utility's share of the feed-in tariff caps.
type FITShare struct {
	Utility string                   `json:"utility"`
	IOU     bool                     `json:"iou"`
	ReMATW  energy.W                 `json:"remat_w"`  // share of the 750 MW
	BioW    map[BioCategory]energy.W `json:"biomat_w"` // IOUs: share of each BioMAT category
}

// AllocateFIT divides the 750 MW statewide cap among utilities by peak
// demand (share = utility peak ÷ statewide peak, §399.20 and §399.32) and
// the 250 MW of bioenergy among the IOUs by their peak-demand ratio, each
// category (110/90/50 MW) alike (SB 1122). Shares are whole watts; the
// largest remainders take the odd watts so shares sum to the caps exactly.
func AllocateFIT(peaks []UtilityPeak) ([]FITShare, error) {
	var f apperr.Fields
	seen := map[string]bool{}
	var iouWeights, allWeights []int64
	for i, p := range peaks {
		if strings.TrimSpace(p.Utility) == "" {
			f.Add("peaks", "entry %d names no utility", i)
		}
		if seen[p.Utility] {
			f.Add("peaks", "%s appears twice", p.Utility)
		}
		seen[p.Utility] = true
		if p.PeakW <= 0 {
			f.Add("peaks", "%s: peak demand must be positive", p.Utility)
		}
		allWeights = append(allWeights, int64(p.PeakW))
		if p.IOU {
			iouWeights = append(iouWeights, int64(p.PeakW))
		} else {
			iouWeights = append(iouWeights, 0)
		}
	}
	if len(peaks) == 0 {
		f.Add("peaks", "give at least one utility's peak demand")
	}
	if err := f.Err("nem.AllocateFIT"); err != nil {
		return nil, err
	}
	remat := divideLargestRemainder(int64(FITStatewideW), allWeights)
	out := make([]FITShare, len(peaks))
	for i, p := range peaks {
		out[i] = FITShare{Utility: p.Utility, IOU: p.IOU, ReMATW: energy.W(remat[i]), BioW: map[BioCategory]energy.W{}}
	}
	if slices.ContainsFunc(peaks, func(p UtilityPeak) bool { return p.IOU }) {
		for _, c := range BioCategories {
			parts := divideLargestRemainder(int64(c.W), iouWeights)
			for i, p := range peaks {
				if p.IOU {
					out[i].BioW[c.Category] = energy.W(parts[i])
				}
			}
		}
	}
	return out, nil
}

// divideLargestRemainder splits total in proportion to weights, rounding
// down and giving the leftover units to the largest remainders (earlier
// entries first on ties), so the parts sum to total.
func divideLargestRemainder(total int64, weights []int64) []int64 {
	var sum int64
	for _, w := range weights {
		sum += w
	}
	parts := make([]int64, len(weights))
	if sum == 0 {
		return parts
	}
	type rem struct {
		i int
		r int64
	}
	rems := make([]rem, len(weights))
	var given int64
	for i, w := range weights {
		q, r := mulDiv(total, w, sum)
		parts[i], rems[i] = q, rem{i, r}
		given += q
	}
	slices.SortStableFunc(rems, func(a, b rem) int {
		switch {
		case a.r > b.r:
			return -1
		case a.r < b.r:
			return 1
		}
		return 0
	})
	for k := int64(0); k < total-given; k++ {
		parts[rems[k].i]++
	}
	return parts
}

// mulDiv returns floor(a × b / c) and its remainder for non-negative a, b
// and positive c, exact in 128 bits (watts × watts overflows int64).
func mulDiv(a, b, c int64) (q, r int64) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	// The caller's weights and totals keep the quotient within int64, so
	// hi < c and Div64 cannot panic.
	uq, ur := bits.Div64(hi, lo, uint64(c))
	return int64(uq), int64(ur)
}

// PublishedShare is a utility's feed-in tariff share as a decision states
// it.
type PublishedShare struct {
	Utility string
	W       energy.W
}

// ReMATIOUShares are D.12-05-035's allocations of the 750 MW to the three
// large IOUs "in accordance with the methodology adopted in D.07-07-027":
// PG&E 218.8 MW, SCE 226 MW, SDG&E 48.8 MW, 493.6 MW in all
// (research/rps.md §4).
var ReMATIOUShares = []PublishedShare{{"PG&E", 218_800_000}, {"SCE", 226_000_000}, {"SDG&E", 48_800_000}}

// Residual is what a set of shares leaves of a cap: the IOU shares above
// leave 256.4 MW of the 750 MW for the publicly owned utilities.
func Residual(capW energy.W, shares []PublishedShare) energy.W {
	for _, s := range shares {
		capW -= s.W
	}
	return capW
}

// UtilityFITShare is a utility's published feed-in tariff allocation.
type UtilityFITShare struct {
	Utility string
	ReMATW  energy.W
	BioMATW energy.W
	// BioCategoryW holds the category allocations that are known; a
	// category absent here is checked against BioMATW only.
	BioCategoryW map[BioCategory]energy.W
	Source       string
}

// PublishedFITShares are the IOUs' allocations: ReMAT from D.12-05-035,
// BioMAT from D.14-12-081 as research/rps.md §4 tabulates them (PG&E 111 MW
// split 30.5/33.5/47; SDG&E 24.68 MW with no dairy share; SCE 114.32 MW of
// which dairy and agricultural 90 − 33.5 = 56.5 MW, derived there).
var PublishedFITShares = []UtilityFITShare{
	{"PG&E", 218_800_000, 111_000_000, map[BioCategory]energy.W{BioBiogas: 30_500_000, BioDairy: 33_500_000, BioForest: 47_000_000},
		"D.12-05-035; D.14-12-081 (research/rps.md §4)"},
	{"SCE", 226_000_000, 114_320_000, map[BioCategory]energy.W{BioDairy: 56_500_000}, "D.12-05-035; D.14-12-081 (research/rps.md §4; dairy share derived)"},
	{"SDG&E", 48_800_000, 24_680_000, map[BioCategory]energy.W{BioDairy: 0}, "D.12-05-035; D.14-12-081 (research/rps.md §4)"},
}

// FITShareOf returns a utility's published allocation.
func FITShareOf(utility string) (UtilityFITShare, bool) {
	for _, s := range PublishedFITShares {
		if strings.EqualFold(s.Utility, utility) {
			return s, true
		}
	}
	return UtilityFITShare{}, false
}

// samePool reports whether two requests draw on the same allocation: the
// same utility and program and, for BioMAT, the same category.
func samePool(a, b FITRequest) bool {
	return strings.EqualFold(a.Utility, b.Utility) && a.Program == b.Program && (a.Program != BioMAT || a.Category == b.Category)
}

// Capacity is what a request counts against its allocation: its effective
// capacity.
func (r FITRequest) Capacity() energy.W { return r.EffectiveW }

// Pool sums what is accepted in r's pool and lists the requests still
// waiting ahead of it, for the queue and the allocation check.
func Pool(r FITRequest, all []FITRequest) (acceptedW energy.W, ahead []FITRequest) {
	for _, o := range all {
		if o.ID == r.ID || !samePool(r, o) {
			continue
		}
		switch o.Status {
		case FITAccepted:
			acceptedW += o.Capacity()
		case FITReceived, FITPosted:
			if o.Received.Before(r.Received) || (o.Received.Equal(r.Received) && o.ID < r.ID) {
				ahead = append(ahead, o)
			}
		}
	}
	return acceptedW, ahead
}

// CheckFITAcceptance applies first come, first served and the allocation
// to accepting r: no earlier request in its pool may still be waiting
// (rule fit.allocation names the queue), and what is accepted plus r must
// fit the utility's share of the program and, where known, of the
// category.
func CheckFITAcceptance(r FITRequest, all []FITRequest) error {
	var f apperr.Fields
	accepted, ahead := Pool(r, all)
	if len(ahead) > 0 {
		f.Add("to", "rule %s: first come, first served — %s (received %s) is still waiting ahead of this request", RuleFITShare,
			ahead[0].Number, ahead[0].Received.UTC().Format(time.RFC3339))
	}
	share, ok := FITShareOf(r.Utility)
	if !ok {
		f.Add("utility", "rule %s: no published allocation for %q (PG&E, SCE or SDG&E)", RuleFITShare, r.Utility)
		return f.Err("nem.CheckFITAcceptance")
	}
	limit := share.ReMATW
	what := "ReMAT share"
	if r.Program == BioMAT {
		limit, what = share.BioMATW, "BioMAT share"
		var cat energy.W
		for _, o := range all {
			if o.ID != r.ID && o.Status == FITAccepted && samePool(r, o) {
				cat += o.Capacity()
			}
		}
		if w, known := share.BioCategoryW[r.Category]; known && cat+r.Capacity() > w {
			f.Add("effective_w", "rule %s: %s MW accepted in %s plus %s kW passes %s's %s MW category share", RuleFITShare,
				MWDecimals(cat, 2), r.Category, r.Capacity().KWString(), share.Utility, MWDecimals(w, 2))
		}
		accepted = 0
		for _, o := range all {
			if o.ID != r.ID && o.Status == FITAccepted && strings.EqualFold(o.Utility, r.Utility) && o.Program == BioMAT {
				accepted += o.Capacity()
			}
		}
	}
	if accepted+r.Capacity() > limit {
		f.Add("effective_w", "rule %s: %s MW accepted plus %s kW passes %s's %s of %s MW", RuleFITShare, MWDecimals(accepted, 2),
			r.Capacity().KWString(), share.Utility, what, MWDecimals(limit, 2))
	}
	return f.Err("nem.CheckFITAcceptance")
}

// FITStep is a requested change to a feed-in tariff request.
type FITStep struct {
	To     FITStatus     `json:"to"`
	On     calendar.Date `json:"on"`
	Reason string        `json:"reason"` // denial: one of DenialReasons
	Note   string        `json:"note"`
}

var fitNext = map[FITStatus][]FITStatus{
	FITReceived: {FITPosted, FITDenied},
	FITPosted:   {FITAccepted, FITDenied},
	FITDenied:   {FITAppealed},
	FITAppealed: {FITAccepted, FITDenied},
	FITAccepted: {FITEnded},
}

// NextFIT lists the statuses a request in s may move to.
func NextFIT(s FITStatus) []FITStatus { return slices.Clone(fitNext[s]) }

// AdvanceFIT moves a request one step: posted (the posting date; late
// postings are allowed but say so in PostingLate), accepted only after
// posting, denied for one of the four statutory reasons, appealed to the
// CPUC after a denial, the appeal granted (accepted) or denied, ended with
// a note. Allocation and queue order are CheckFITAcceptance's.
func AdvanceFIT(r FITRequest, s FITStep, today calendar.Date) (FITRequest, error) {
	var f apperr.Fields
	if s.On.IsZero() {
		s.On = today
	}
	s.Note = strings.TrimSpace(s.Note)
	if !slices.Contains(fitNext[r.Status], s.To) {
		f.Add("to", "rule lifecycle: a request that is %s cannot become %s", r.Status, s.To)
		return r, f.Err("nem.AdvanceFIT")
	}
	if s.On.After(today) {
		f.Add("on", "rule chronology: %s is after today (%s)", s.On, today)
	}
	if received := calendar.DateOf(r.Received); s.On.Before(received) {
		f.Add("on", "rule chronology: %s is before the request was received on %s", s.On, received)
	}
	denyOnAppeal := r.Status == FITAppealed && s.To == FITDenied
	if s.To == FITDenied && !denyOnAppeal {
		if _, ok := DenialReasons[s.Reason]; !ok {
			f.Add("reason", "rule fit.denial_reason: a denial gives one of the statutory reasons: not_eligible, grid_inadequate, noncompliant or line_harm")
		}
	}
	if (s.To == FITEnded || denyOnAppeal || s.To == FITAppealed) && s.Note == "" {
		f.Add("note", "rule note: say why")
	}
	if err := f.Err("nem.AdvanceFIT"); err != nil {
		return r, err
	}
	switch {
	case s.To == FITPosted:
		r.PostedOn = s.On
	case s.To == FITAppealed:
		r.AppealedOn = s.On
	case r.Status == FITAppealed:
		r.Appeal = map[FITStatus]string{FITAccepted: "granted", FITDenied: "denied"}[s.To]
		r.DecidedOn = s.On
	case s.To == FITAccepted:
		r.DecidedOn = s.On
	case s.To == FITDenied:
		r.DecidedOn, r.Denial = s.On, s.Reason
	case s.To == FITEnded:
		r.EndedOn = s.On
	}
	if s.Note != "" {
		r.Note = s.Note
	}
	r.Status = s.To
	return r, nil
}

// PostingLate reports whether a request was (or, unposted, already is)
// past its 10-day posting deadline on today.
func (r FITRequest) PostingLate(today calendar.Date) bool {
	due := PostingDue(calendar.DateOf(r.Received))
	if !r.PostedOn.IsZero() {
		return r.PostedOn.After(due)
	}
	return r.Status == FITReceived && today.After(due)
}
