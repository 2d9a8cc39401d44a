package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/tariff"
)

func tariffDate(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// testTariffsShippedLoadIdempotent checks DESIGN.md principle 5 for
// tariffs: loading the shipped tariffs twice stores them once (idempotent
// by content hash), each import audited once.
func testTariffsShippedLoadIdempotent(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	first, err := db.LoadShippedTariffs(ctx, staff)
	if err != nil {
		t.Fatal(err)
	}
	if first.Added != 5 || first.Unchanged != 0 || first.TablesAdded != 1 {
		t.Errorf("first load %+v, want 5 versions and 1 table added", first)
	}
	again, err := db.LoadShippedTariffs(ctx, staff)
	if err != nil {
		t.Fatal(err)
	}
	if again.Added != 0 || again.Unchanged != 5 || again.TablesAdded != 0 || again.TablesUnchanged != 1 {
		t.Errorf("second load %+v, want everything unchanged", again)
	}
	recs, err := db.AuditLog(ctx, store.AuditFilter{Entity: "tariff_version"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 {
		t.Errorf("%d tariff audit records, want 5", len(recs))
	}
}

// testTariffsLookup checks the version-in-effect lookup and the list
// filters over the shipped tariffs (TOU-D from 2025-06-01, E-ELEC from
// 2025-03-01, PG&E E-19 only 2019-05-01 to 2019-06-30).
func testTariffsLookup(t *testing.T, db *store.DB) {
	ctx := context.Background()
	if _, err := db.LoadShippedTariffs(ctx, staff); err != nil {
		t.Fatal(err)
	}
	r, err := db.TariffOn(ctx, "", "TOU-D-PRIME", tariffDate(t, "2025-07-01"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Version.Utility != "SCE" || r.Version.From.String() != "2025-06-01" || len(r.SHA256) != 64 {
		t.Errorf("TOU-D-PRIME = %s %v %s", r.Version.Utility, r.Version.From, r.SHA256)
	}
	ix, err := r.Version.Index("energy", 2025, time.Hour)
	if err != nil || len(ix.Period) != 8760 {
		t.Errorf("stored version index: %v", err)
	}
	if _, err := db.TariffOn(ctx, "", "TOU-D-PRIME", tariffDate(t, "2025-05-31")); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("before its start: %v, want not found", err)
	}
	tests := []struct {
		f    store.TariffFilter
		want int
	}{
		{store.TariffFilter{}, 5},
		{store.TariffFilter{Utility: "PG&E"}, 2},
		{store.TariffFilter{On: tariffDate(t, "2025-07-01")}, 4},
		{store.TariffFilter{On: tariffDate(t, "2019-06-01")}, 1},
		{store.TariffFilter{Code: "E-ELEC", On: tariffDate(t, "2025-02-28")}, 0},
	}
	for _, tt := range tests {
		got, err := db.TariffVersions(ctx, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tt.want {
			t.Errorf("TariffVersions(%+v) = %d, want %d", tt.f, len(got), tt.want)
		}
	}
	tab, err := db.ExportTable(ctx, "SCE", 2024)
	if err != nil {
		t.Fatal(err)
	}
	// SCE EEC vintage 2024, January 2024 weekday hour ending 1:
	// 0.00359 + 0.05322 (research/billing.md §4.2 quotes 0.0568).
	if p, ok := tab.Price(2024, time.January, tariff.Weekday, 0); !ok || p.Total() != 56_810 {
		t.Errorf("stored EEC Jan HE1 = %v, %v", p, ok)
	}
	if _, err := db.ExportTable(ctx, "PG&E", 2024); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("missing table: %v", err)
	}
}

// testTariffsRejectedImportStoresNothing checks that an import with one
// invalid version stores none of it, and that a different version under
// an existing utility, code and start date is a conflict.
func testTariffsRejectedImportStoresNothing(t *testing.T, db *store.DB) {
	ctx := context.Background()
	vs, err := tariff.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	bad := vs[0]
	bad.Code = "BROKEN"
	bad.Maps = append([]tariff.PeriodMap(nil), bad.Maps...)
	bad.Maps[0].Seasons = nil // a gap in the period map
	err = db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ImportTariffs(ctx, staff, []tariff.Version{vs[1], vs[2], bad}, nil)
		return err
	})
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("import with a gap: %v, want invalid", err)
	}
	if got, _ := db.TariffVersions(ctx, store.TariffFilter{}); len(got) != 0 {
		t.Errorf("%d versions stored by a rejected import", len(got))
	}
	if _, err := db.LoadShippedTariffs(ctx, staff); err != nil {
		t.Fatal(err)
	}
	changed := vs[0]
	changed.Name += " (edited)"
	err = db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ImportTariffs(ctx, staff, []tariff.Version{changed}, nil)
		return err
	})
	if !apperr.Is(err, apperr.Conflict) {
		t.Errorf("changed version: %v, want conflict", err)
	}
}
