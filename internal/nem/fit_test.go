package nem

import (
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/energy"
)

func remat() FITRequest {
	return FITRequest{Program: ReMAT, Product: ProductPeaking, EffectiveW: 3_000_000, NameplateW: 3_000_000, TermYears: 20}
}

// TestFITEffectiveCapacityAtMost3MW (§399.20; spec/rps.md).
func TestFITEffectiveCapacityAtMost3MW(t *testing.T) {
	r := remat()
	wantRule(t, DecideFIT(r, false, day(2026, 1, 5)), RuleFITCapacity, true)
	r.EffectiveW = 3_000_001
	wantRule(t, DecideFIT(r, false, day(2026, 1, 5)), RuleFITCapacity, false)
}

// TestBioenergyUpTo5MWIfItNeverExportsMoreThan3MWUnderRule21.
func TestBioenergyUpTo5MWIfItNeverExportsMoreThan3MWUnderRule21(t *testing.T) {
	bio := FITRequest{Program: BioMAT, Category: BioDairy, EffectiveW: 4_500_000, NameplateW: 5_000_000, MaxExportW: 3_000_000,
		Rule21: true, TermYears: 15, OperatingOn: day(2013, 6, 1)}
	if d := DecideFIT(bio, false, day(2026, 1, 5)); !d.Eligible {
		t.Fatalf("5 MW dairy digester exporting 3 MW refused: %+v", d.Failed())
	}
	for _, c := range []struct {
		name string
		edit func(*FITRequest)
		rule Rule
	}{
		{"exports 3.001 MW", func(r *FITRequest) { r.MaxExportW = 3_001_000 }, RuleFITBioSize},
		{"no Rule 21", func(r *FITRequest) { r.Rule21 = false }, RuleFITBioSize},
		{"5.001 MW", func(r *FITRequest) { r.NameplateW = 5_001_000 }, RuleFITBioSize},
		{"started 2013-05-31", func(r *FITRequest) { r.OperatingOn = day(2013, 5, 31) }, RuleFITBioStart},
		{"no category", func(r *FITRequest) { r.Category = "" }, RuleFITKind},
		{"12-year term", func(r *FITRequest) { r.TermYears = 12 }, RuleFITTerm},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := bio
			c.edit(&r)
			wantRule(t, DecideFIT(r, false, day(2026, 1, 5)), c.rule, false)
		})
	}
}

// TestFITFacilityCannotAlsoTakeNetMetering.
func TestFITFacilityCannotAlsoTakeNetMetering(t *testing.T) {
	wantRule(t, DecideFIT(remat(), true, day(2026, 1, 5)), RuleFITNoNEM, false)
}

// TestFITTermsAre10_15Or20Years.
func TestFITTermsAre10_15Or20Years(t *testing.T) {
	for _, y := range []int{10, 15, 20} {
		r := remat()
		r.TermYears = y
		wantRule(t, DecideFIT(r, false, day(2026, 1, 5)), RuleFITTerm, true)
	}
}

// TestIOUSharesOf750MWLeave256_4MWForPOUs: D.12-05-035 gave PG&E 218.8,
// SCE 226 and SDG&E 48.8 MW (493.6 MW) of the 750 MW; the publicly owned
// utilities' share is the rest, 256.4 MW (research/rps.md §4).
func TestIOUSharesOf750MWLeave256_4MWForPOUs(t *testing.T) {
	if got := Residual(FITStatewideW, ReMATIOUShares); MW(got) != "256.4" {
		t.Errorf("POU share %s MW, want 256.4", MW(got))
	}
	var iou energy.W
	for _, s := range ReMATIOUShares {
		iou += s.W
	}
	if MW(iou) != "493.6" {
		t.Errorf("IOU total %s MW, want 493.6", MW(iou))
	}
}

// TestAllocationIsPeakDemandRatio: share = cap × peak ÷ statewide peak.
// With peaks of 30,000, 10,000 and 10,000 MW the 750 MW splits 450/150/150
// and, among the two IOUs (30,000 and 10,000 MW), each bioenergy category
// 3:1 — biogas 82.5/27.5, dairy 67.5/22.5, forest 37.5/12.5 MW.
func TestAllocationIsPeakDemandRatio(t *testing.T) {
	shares, err := AllocateFIT([]UtilityPeak{{"IOU-A", 30_000_000_000, true}, {"IOU-B", 10_000_000_000, true}, {"POUs", 10_000_000_000, false}})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		remat, biogas, dairy, forest energy.W
	}{{450_000_000, 82_500_000, 67_500_000, 37_500_000}, {150_000_000, 27_500_000, 22_500_000, 12_500_000}, {150_000_000, 0, 0, 0}}
	for i, w := range want {
		s := shares[i]
		if s.ReMATW != w.remat || s.BioW[BioBiogas] != w.biogas || s.BioW[BioDairy] != w.dairy || s.BioW[BioForest] != w.forest {
			t.Errorf("%s: %+v, want %+v", s.Utility, s, w)
		}
	}
	// Uneven ratios still sum to the caps exactly, to the watt.
	shares, err = AllocateFIT([]UtilityPeak{{"A", 7, true}, {"B", 7, true}, {"C", 7, false}})
	if err != nil {
		t.Fatal(err)
	}
	if sum := shares[0].ReMATW + shares[1].ReMATW + shares[2].ReMATW; sum != FITStatewideW {
		t.Errorf("shares sum to %d W", sum)
	}
	if sum := shares[0].BioW[BioBiogas] + shares[1].BioW[BioBiogas]; sum != 110_000_000 {
		t.Errorf("biogas shares sum to %d W", sum)
	}
	if _, err := AllocateFIT([]UtilityPeak{{"A", 0, true}}); err == nil {
		t.Error("a zero peak was accepted")
	}
}

// TestExportsAbove3MWAreNotPaid: a 15-minute interval pays at most 750 kWh.
func TestExportsAbove3MWAreNotPaid(t *testing.T) {
	if got := PaidExport(800_000, 15*time.Minute); got != 750_000 {
		t.Errorf("paid %d Wh, want 750000", got)
	}
	if got := PaidExport(700_000, 15*time.Minute); got != 700_000 {
		t.Errorf("paid %d Wh, want 700000", got)
	}
}

// TestPostingWithin10DaysShowsOnlyTheCity and the biennial inspection by
// an independent licensed contractor.
func TestPostingWithin10DaysShowsOnlyTheCity(t *testing.T) {
	if got := PostingDue(day(2026, 1, 28)); got != day(2026, 2, 7) {
		t.Errorf("posting due %s, want 2026-02-07", got)
	}
	r := remat()
	r.Facility, r.Address, r.City, r.Number = "Acme Dairy Digester LLC", "1 Barn Rd", "Fillmore", "FIT-000001"
	p := PostingOf(r)
	if p.City != "Fillmore" || p.Number != "FIT-000001" {
		t.Errorf("posting %+v", p)
	}
}

// TestInspectionByIndependentLicensedContractorEveryTwoYears.
func TestInspectionByIndependentLicensedContractorEveryTwoYears(t *testing.T) {
	ok := Inspection{On: day(2026, 2, 2), Contractor: "Valley Electric", License: "C10-123456"}
	if err := CheckInspection(ok); err != nil {
		t.Errorf("valid inspection refused: %v", err)
	}
	bad := ok
	bad.ContractorIsOwner = true
	wantRefusal(t, CheckInspection(bad), "contractor_is_owner", string(RuleFITInspector))
	bad = ok
	bad.License = ""
	wantRefusal(t, CheckInspection(bad), "license", string(RuleFITInspector))
	if got := InspectionDue(day(2021, 3, 1), day(2024, 2, 10)); got != day(2026, 2, 10) {
		t.Errorf("due %s, want 2026-02-10", got)
	}
	if got := InspectionDue(day(2025, 3, 1), day(0, 0, 0)); got != day(2027, 3, 1) {
		t.Errorf("first due %s, want 2027-03-01", got)
	}
}

// TestFITAcceptanceIsFirstComeFirstServedWithinTheShare: SCE's ReMAT
// share is 226 MW (D.12-05-035): with 224 MW accepted a 2 MW request fits
// and a 2.001 MW one does not; an earlier request still waiting in the
// same pool must be decided first; SDG&E has no dairy BioMAT share.
func TestFITAcceptanceIsFirstComeFirstServedWithinTheShare(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 17, 0, 0, 0, time.UTC)
	accepted := FITRequest{ID: 1, Number: "FIT-000001", Utility: "SCE", Program: ReMAT, Status: FITAccepted, EffectiveW: 224_000_000, Received: t0}
	r := FITRequest{ID: 3, Number: "FIT-000003", Utility: "SCE", Program: ReMAT, Status: FITPosted, EffectiveW: 2_000_000, Received: t0.Add(2 * time.Hour)}
	if err := CheckFITAcceptance(r, []FITRequest{accepted, r}); err != nil {
		t.Errorf("2 MW into 226 − 224 MW refused: %v", err)
	}
	r.EffectiveW = 2_001_000
	wantRefusal(t, CheckFITAcceptance(r, []FITRequest{accepted, r}), "effective_w", string(RuleFITShare))
	r.EffectiveW = 1_000_000
	waiting := FITRequest{ID: 2, Number: "FIT-000002", Utility: "SCE", Program: ReMAT, Status: FITPosted, EffectiveW: 500_000, Received: t0.Add(time.Hour)}
	wantRefusal(t, CheckFITAcceptance(r, []FITRequest{accepted, waiting, r}), "to", string(RuleFITShare))
	// A request in another pool does not hold the queue.
	waiting.Program, waiting.Category = BioMAT, BioDairy
	if err := CheckFITAcceptance(r, []FITRequest{accepted, waiting, r}); err != nil {
		t.Errorf("a BioMAT request held the ReMAT queue: %v", err)
	}
	dairy := FITRequest{ID: 9, Utility: "SDG&E", Program: BioMAT, Category: BioDairy, Status: FITPosted, EffectiveW: 1_000_000, Received: t0}
	wantRefusal(t, CheckFITAcceptance(dairy, []FITRequest{dairy}), "effective_w", string(RuleFITShare))
}

// TestFITDenialNamesAStatutoryReasonAndMayBeAppealed.
func TestFITDenialNamesAStatutoryReasonAndMayBeAppealed(t *testing.T) {
	r := FITRequest{Status: FITReceived, Received: time.Date(2026, 1, 5, 17, 0, 0, 0, time.UTC)}
	today := day(2026, 3, 1)
	r, err := AdvanceFIT(r, FITStep{To: FITPosted, On: day(2026, 1, 12)}, today)
	if err != nil || r.PostedOn != day(2026, 1, 12) || r.PostingLate(today) {
		t.Fatalf("posting: %v %+v", err, r)
	}
	_, err = AdvanceFIT(r, FITStep{To: FITDenied, On: day(2026, 1, 20), Reason: "too_expensive"}, today)
	wantRefusal(t, err, "reason", "fit.denial_reason")
	r, err = AdvanceFIT(r, FITStep{To: FITDenied, On: day(2026, 1, 20), Reason: "grid_inadequate"}, today)
	if err != nil || r.Denial != "grid_inadequate" {
		t.Fatalf("denial: %v %+v", err, r)
	}
	r, err = AdvanceFIT(r, FITStep{To: FITAppealed, On: day(2026, 1, 30), Note: "owner filed an appeal with the CPUC"}, today)
	if err != nil {
		t.Fatal(err)
	}
	r, err = AdvanceFIT(r, FITStep{To: FITAccepted, On: day(2026, 2, 20)}, today)
	if err != nil || r.Appeal != "granted" || r.Status != FITAccepted {
		t.Fatalf("appeal granted: %v %+v", err, r)
	}
	late := FITRequest{Status: FITReceived, Received: time.Date(2026, 1, 5, 17, 0, 0, 0, time.UTC)}
	if !late.PostingLate(day(2026, 1, 16)) || late.PostingLate(day(2026, 1, 15)) {
		t.Error("posting deadline is not 10 days after receipt")
	}
}
