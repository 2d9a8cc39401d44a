package storetest

import (
	"context"
	"slices"
	"strings"
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
	if !slices.Equal(first.IDs, again.IDs) || !slices.Equal(first.TableIDs, again.TableIDs) || len(first.IDs) != 5 {
		t.Errorf("ids of the second load %v %v, want those of the first %v %v", again.IDs, again.TableIDs, first.IDs, first.TableIDs)
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
		// The residential files say "Residential"; both URDB records "Commercial".
		{store.TariffFilter{Sector: "residential"}, 3},
		{store.TariffFilter{Sector: "Commercial", Utility: "SCE"}, 1},
		{store.TariffFilter{Sector: "Lighting"}, 0},
		{store.TariffFilter{Sector: "Residential", Limit: 2}, 2},
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
	// Cursor pages: ids ascend, and a page after the last id is empty.
	all, err := db.TariffVersions(ctx, store.TariffFilter{})
	if err != nil {
		t.Fatal(err)
	}
	page, err := db.TariffVersions(ctx, store.TariffFilter{After: all[1].ID, Limit: 2})
	if err != nil || len(page) != 2 || page[0].ID != all[2].ID || page[1].ID != all[3].ID {
		t.Errorf("page after %d = %v, %v", all[1].ID, page, err)
	}
	got, err := db.TariffVersion(ctx, all[2].ID)
	if err != nil || got.SHA256 != all[2].SHA256 || got.Version.Code != all[2].Version.Code {
		t.Errorf("TariffVersion(%d) = %s, %v", all[2].ID, got.Version.Code, err)
	}
	if _, err := db.TariffVersion(ctx, all[4].ID+100); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown version: %v, want not found", err)
	}
	sums, err := db.ExportTableList(ctx, store.ExportTableFilter{Utility: "SCE"})
	if err != nil || len(sums) != 1 || sums[0].Vintage != 2024 || sums[0].FirstYear != 2024 || sums[0].LastYear != 2034 {
		t.Fatalf("export table list = %+v, %v", sums, err)
	}
	if none, err := db.ExportTableList(ctx, store.ExportTableFilter{Vintage: 2023}); err != nil || len(none) != 0 {
		t.Errorf("vintage 2023 = %+v, %v", none, err)
	}
	byID, err := db.ExportTableByID(ctx, sums[0].ID)
	if err != nil || byID.SHA256 != sums[0].SHA256 || len(byID.Table.Years) != 11 {
		t.Errorf("ExportTableByID = %d years, %v", len(byID.Table.Years), err)
	}
	if _, err := db.ExportTableByID(ctx, sums[0].ID+1); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown table: %v, want not found", err)
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
	// A table with a negative price rejects the versions imported with it.
	tabs, err := tariff.ShippedExportTables()
	if err != nil {
		t.Fatal(err)
	}
	badTable := tabs[0]
	badTable.Years = append([]tariff.ExportYear(nil), badTable.Years...)
	badTable.Years[3].Prices[6][0][18].Generation = -1
	err = db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ImportTariffs(ctx, staff, vs[:2], []tariff.ExportTable{badTable})
		return err
	})
	if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "year 2027 month 7 hour beginning 18 has a negative price") {
		t.Fatalf("import with a negative export price: %v, want invalid naming the hour", err)
	}
	if got, _ := db.TariffVersions(ctx, store.TariffFilter{}); len(got) != 0 {
		t.Errorf("%d versions stored by an import whose table was rejected", len(got))
	}
	if got, _ := db.ExportTableList(ctx, store.ExportTableFilter{}); len(got) != 0 {
		t.Errorf("%d tables stored by a rejected import", len(got))
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
