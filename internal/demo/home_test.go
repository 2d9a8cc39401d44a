package demo

import (
	"context"
	"math"
	"testing"

	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/reference"
	"github.com/gridbook/gridbook/internal/store"
)

// Every representative ZIP of the member agencies has a demo location, and
// each lies in California's bounding box (customer.Home's check).
func TestEveryAgencyZIPHasADemoLocation(t *testing.T) {
	ref, err := reference.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ref.MemberAgencies() {
		for _, zip := range a.ZIPs {
			at, ok := zipLocation[zip]
			if !ok {
				t.Errorf("%s ZIP %s has no demo location", a.Name, zip)
				continue
			}
			if at[0] < 32.5 || at[0] > 42.01 || at[1] < -124.45 || at[1] > -114.13 {
				t.Errorf("ZIP %s at %v is outside California", zip, at)
			}
		}
	}
}

// Demo homes record their building: houses single-family and apartments
// multifamily, floor areas within 500–5,000 sq ft, a year built, gas or
// electric heating, and coordinates within 1.5 km of their ZIP's point for
// all but about 8%; businesses record none.
func TestDemoHomesRecordTheirBuilding(t *testing.T) {
	db, _ := sample(t, 200)
	ctx := context.Background()
	accts, err := db.Accounts(ctx, store.AccountFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	homes, located, gas := 0, 0, 0
	for _, a := range accts {
		p, err := db.Premise(ctx, a.PremiseID)
		if err != nil {
			t.Fatal(err)
		}
		h := p.Home
		if a.Class != customer.Residential {
			if h != (customer.Home{}) {
				t.Errorf("business %s has home attributes %+v", a.Number, h)
			}
			continue
		}
		homes++
		if h.DwellingType == "" || h.FloorAreaSqFt < 500 || h.FloorAreaSqFt > 5000 || h.YearBuilt < 1920 || h.YearBuilt > 2015 {
			t.Errorf("home %s: %+v", a.Number, h)
		}
		if h.HeatingFuel == "gas" {
			gas++
		}
		if l := h.Location; l != nil {
			located++
			at := zipLocation[p.ZIP]
			dy := (l.Lat - at[0]) * 111.195
			dx := (l.Lon - at[1]) * 111.195 * math.Cos(at[0]*math.Pi/180)
			if math.Hypot(dx, dy) > 1.51 || l.Source != "demo" {
				t.Errorf("home %s at %v, %.2f km from its ZIP's point", a.Number, *l, math.Hypot(dx, dy))
			}
		}
	}
	if homes == 0 || float64(located) < 0.85*float64(homes) || located == homes || float64(gas) < 0.7*float64(homes) {
		t.Errorf("%d homes, %d located, %d gas-heated", homes, located, gas)
	}
}
