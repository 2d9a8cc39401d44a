package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// createPremise stores p and returns it as read back.
func createPremise(t *testing.T, db *store.DB, p customer.Premise) customer.Premise {
	t.Helper()
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreatePremise(ctx, staff, &p) })
	got, err := db.Premise(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func testPremiseClimateZone(t *testing.T, db *store.DB) {
	// research/programs.md §2.5: "90001 → 8, 90012 → 9, 90401 → 6, 93030
	// (Oxnard) → 6, 93534 (Lancaster) → 14, 91360 (Thousand Oaks) → 9".
	tests := []struct {
		zip, county string
		zone        int
	}{
		{"90001", "06037", 8},
		{"90012", "06037", 9},
		{"90401", "06037", 6},
		{"93030", "06111", 6},
		{"93534", "06037", 14},
		{"91360", "06111", 9},
	}
	for _, tt := range tests {
		got := createPremise(t, db, customer.Premise{Address: "1 Test Way", City: "Somewhere", ZIP: tt.zip, CountyFIPS: tt.county})
		if got.ClimateZone != tt.zone {
			t.Errorf("ZIP %s: climate zone %d, want %d", tt.zip, got.ClimateZone, tt.zone)
		}
		if got.ClimateZoneOverride || got.ClimateZoneReason != "" {
			t.Errorf("ZIP %s: override %v reason %q, want none", tt.zip, got.ClimateZoneOverride, got.ClimateZoneReason)
		}
		// The table is the CZ2010 ZIP mapping (research/programs.md §2.5).
		if !strings.Contains(got.ClimateZoneTable, "CZ2010") {
			t.Errorf("ZIP %s: climate zone table %q does not name CZ2010", tt.zip, got.ClimateZoneTable)
		}
	}
}

func testPremiseOverride(t *testing.T, db *store.DB) {
	ctx := context.Background()
	// 93534 is zone 14 by ZIP; staff say this parcel is in the mountains.
	got := createPremise(t, db, customer.Premise{Address: "9 Ridge Rd", City: "Lancaster", ZIP: "93534", CountyFIPS: "06037",
		ClimateZoneOverride: true, ClimateZone: 16, ClimateZoneReason: "site survey: 4,100 ft elevation"})
	if got.ClimateZone != 16 || !got.ClimateZoneOverride || got.ClimateZoneTable != "override" ||
		got.ClimateZoneReason != "site survey: 4,100 ft elevation" {
		t.Errorf("override stored as zone %d override %v table %q reason %q", got.ClimateZone, got.ClimateZoneOverride,
			got.ClimateZoneTable, got.ClimateZoneReason)
	}
	noReason := customer.Premise{Address: "9 Ridge Rd", City: "Lancaster", ZIP: "93534", CountyFIPS: "06037",
		ClimateZoneOverride: true, ClimateZone: 16}
	err := txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.CreatePremise(ctx, staff, &noReason) })
	wantErr(t, "override without reason", err, apperr.Invalid, "climate_zone_reason")

	// Dropping the override returns to the ZIP's zone.
	back := got
	back.ClimateZoneOverride = false
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.UpdatePremise(ctx, staff, &back) })
	got, err = db.Premise(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ClimateZone != 14 || got.ClimateZoneOverride || got.ClimateZoneReason != "" || got.ClimateZoneTable == "override" {
		t.Errorf("after clearing the override: zone %d override %v reason %q table %q; want 14 from the ZIP table",
			got.ClimateZone, got.ClimateZoneOverride, got.ClimateZoneReason, got.ClimateZoneTable)
	}
}

func testPremiseRejects(t *testing.T, db *store.DB) {
	tests := []struct {
		name   string
		zip    string
		county string
		tract  string
		fields string
	}{
		{"ZIP outside California", "10001", "06037", "", "zip"},
		{"ZIP that is not 5 digits", "9001", "06037", "", "zip"},
		{"tract of 10 digits", "90001", "06037", "0603710210", "tract_geoid"},
		{"tract with a letter", "90001", "06037", "06037A02105", "tract_geoid"},
		{"tract in Arizona (state 04)", "90001", "06037", "04013010101", "tract_geoid"},
		{"tract in a county that does not exist", "90001", "06037", "06002000100", "tract_geoid"},
		// 06111002300 is a Ventura County tract on the SB 535 list.
		{"tract in another county", "90001", "06037", "06111002300", "tract_geoid"},
		// Every 2010 tract of Los Angeles County is listed; 999999 is not one.
		{"tract that does not exist", "90001", "06037", "06037999999", "tract_geoid"},
		// 93030 (Oxnard) is a Ventura County ZIP (Census ZCTA–county file).
		{"ZIP of another county", "93030", "06037", "", "zip"},
		{"county outside California", "90001", "04013", "", "county_fips"},
	}
	before := countRows(t, db, "premises")
	for _, tt := range tests {
		p := customer.Premise{Address: "1 Test Way", City: "Somewhere", ZIP: tt.zip, CountyFIPS: tt.county, TractGEOID: tt.tract}
		err := txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.CreatePremise(ctx, staff, &p) })
		wantErr(t, tt.name, err, apperr.Invalid, tt.fields)
	}
	if after := countRows(t, db, "premises"); after != before {
		t.Errorf("rejected premises left %d rows", after-before)
	}
}

func testPremiseDAC(t *testing.T, db *store.DB) {
	// Rows of ../shared/data/eligibility/sb535_dac_tracts_2022.csv:
	//   06037102105,Los Angeles,91505,Los Angeles,47.82,85.27,ces4_top25
	//   06037104103,Los Angeles,91342,Los Angeles,35.39,68.17,ces3_dac_retained
	//   06111002300,Ventura,93001,Unincorporated Ventura County area,45.73,82.9,ces4_top25
	// 06037701100 (Santa Monica) is not on the list.
	tests := []struct {
		tract, zip, county string
		dac                bool
		category           string
	}{
		{"06037102105", "90001", "06037", true, "ces4_top25"},
		{"06037104103", "90001", "06037", true, "ces3_dac_retained"},
		{"06111002300", "93030", "06111", true, "ces4_top25"},
		{"06037701100", "90401", "06037", false, ""},
	}
	for _, tt := range tests {
		got := createPremise(t, db, customer.Premise{Address: "1 Test Way", City: "Somewhere", ZIP: tt.zip, CountyFIPS: tt.county, TractGEOID: tt.tract})
		if got.DAC != tt.dac || got.DACCategory != tt.category {
			t.Errorf("tract %s: DAC %v %q, want %v %q", tt.tract, got.DAC, got.DACCategory, tt.dac, tt.category)
		}
		// The decision records the 2022 SB 535 table, designated or not.
		if !strings.Contains(got.DACTable, "SB 535") || !strings.Contains(got.DACTable, "2022") {
			t.Errorf("tract %s: DAC table %q, want the SB 535 2022 list", tt.tract, got.DACTable)
		}
		if got.TractGEOID != tt.tract {
			t.Errorf("tract stored as %q, want %q", got.TractGEOID, tt.tract)
		}
	}
	// No tract, no DAC decision.
	got := createPremise(t, db, customer.Premise{Address: "1 Test Way", City: "Somewhere", ZIP: "90001", CountyFIPS: "06037"})
	if got.DAC || got.DACCategory != "" || got.DACTable != "" {
		t.Errorf("premise without tract: DAC %v %q table %q, want none", got.DAC, got.DACCategory, got.DACTable)
	}
}
