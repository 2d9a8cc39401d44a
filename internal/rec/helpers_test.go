package rec

import (
	"context"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/rps"
)

var ctx = context.Background()

// world is a registry on Memory with a generator and a CCA, each with
// active, retirement and export accounts, and one certified solar
// facility of the generator.
type world struct {
	reg                            *Registry
	mem                            *Memory
	clock                          time.Time
	gen, genRet, cca, ccaRet, ccaX int64
	other                          int64 // another organization's retirement account
	fac                            Facility
}

func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{mem: NewMemory(), clock: time.Date(2024, 3, 15, 18, 0, 0, 0, time.UTC)}
	w.reg = &Registry{State: w.mem, Now: func() time.Time { return w.clock }, Anchor: rps.AnchorMonthEnd, Actor: "test"}
	open := func(org, name string, kind AccountKind) int64 {
		a, err := w.reg.OpenAccount(ctx, Account{Org: org, Name: name, Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	w.gen = open("Desert Sun LLC", "Desert Sun active", ActiveAccount)
	w.genRet = open("Desert Sun LLC", "Desert Sun retirement", RetirementAccount)
	w.cca = open("Demo CCA", "Demo CCA active", ActiveAccount)
	w.ccaRet = open("Demo CCA", "Demo CCA RPS retirement", RetirementAccount)
	w.ccaX = open("Demo CCA", "Demo CCA export", ExportAccount)
	w.other = open("Other ESP", "Other retirement", RetirementAccount)
	f, err := w.reg.RegisterFacility(ctx, Facility{AccountID: w.gen, Facility: rps.Facility{Name: "Desert Sun Solar", WREGISID: "W9001",
		Technology: rps.SolarPV, NameplateKW: 5_000, BalancingAuthority: "CISO", InCBA: true, COD: day(t, "2019-01-01"), State: "CA",
		Certifications: []rps.Certification{{Status: rps.Certified, From: day(t, "2019-01-01")}}}})
	if err != nil {
		t.Fatal(err)
	}
	w.fac = f
	return w
}

func day(t testing.TB, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func vintage(t testing.TB, s string) rps.Month {
	t.Helper()
	m, err := rps.ParseMonth(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// issue reports kwh for the vintage and issues it, returning the issuance.
func (w *world) issue(t testing.TB, v string, kwh int64) Issuance {
	t.Helper()
	if _, err := w.reg.SubmitReport(ctx, Report{FacilityID: w.fac.ID, Vintage: vintage(t, v), Wh: energy.Wh(kwh) * energy.WhPerKWh}); err != nil {
		t.Fatal(err)
	}
	iss, err := w.reg.Issue(ctx, w.fac.ID, vintage(t, v))
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

// check fails the test if any registry invariant is broken.
func (w *world) check(t testing.TB) {
	t.Helper()
	if p := CheckBlocks(w.mem.Issuances, w.mem.AllBlocks()); len(p) > 0 {
		t.Fatalf("invariants broken: %v", p)
	}
	if b := VerifyChain(w.mem.Events, 0, GenesisHash); b != nil {
		t.Fatalf("event chain broken: %+v", b)
	}
}

// activeChild returns the active child of a split block.
func (w *world) activeChild(parent int64) int64 {
	for _, b := range w.mem.Blocks {
		if b.ParentID == parent && b.Status == StatusActive {
			return b.ID
		}
	}
	return 0
}
