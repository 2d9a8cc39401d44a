package storetest

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/rec"
	"github.com/gridbook/gridbook/internal/rps"
	"github.com/gridbook/gridbook/internal/store"
)

// recHoldingsFile is another registry's holdings report: batch A7 of
// Desert Sun's January 2026, 1–400 with the generator and 401–1000 with
// the CCA.
const recHoldingsFile = "Account ID,Account,Organization,Account Type,Status,Generating Unit ID,Generator,Fuel Type,State,Vintage,Certificate Serial Numbers,Quantity,Block ID\n" +
	"1,active,Desert Sun LLC,active,active,W9001,Desert Sun Solar,solar_pv,CA,01/2026,W9001-CA-01-2026-A7-1 to 400,400,11\n" +
	"2,active,Demo CCA,active,active,W9001,Desert Sun Solar,solar_pv,CA,01/2026,W9001-CA-01-2026-A7-401 to 1000,600,12\n"

// recImport reads a holdings or retirements file into the registry in
// one transaction, resolving names against the stored accounts and
// facilities.
func recImport(db *store.DB, layout rec.Layout, file string) (rec.ImportSummary, error) {
	var sum rec.ImportSummary
	err := db.Registry(context.Background(), staff, func(ctx context.Context, r *rec.Registry, tx *store.Tx) error {
		var rows []rec.CertificateRow
		var err error
		if layout == rec.LayoutHoldings {
			rows, err = rec.ParseHoldingsCSV(strings.NewReader(file))
		} else {
			rows, err = rec.ParseRetirementsCSV(strings.NewReader(file))
		}
		if err != nil {
			return err
		}
		dir, err := tx.RecDirectory(ctx)
		if err != nil {
			return err
		}
		sum, err = r.ImportCertificates(ctx, layout, rows, dir, "holdings.csv")
		return err
	})
	return sum, err
}

// testRecImportCertificates: imported holdings and retirements are stored
// with origin "imported", their batch and serial ranges; reading the file
// again changes nothing; an overlapping range is refused naming both and
// stores nothing; issuing the imported vintage from generation is refused;
// the registry stays sound.
func testRecImportCertificates(t *testing.T, db *store.DB) {
	ctx := context.Background()
	w := newRecWorld(t, db)
	sum, err := recImport(db, rec.LayoutHoldings, recHoldingsFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Blocks) != 2 {
		t.Fatalf("summary %+v", sum)
	}
	iss, err := db.RecIssuances(ctx, w.fac.ID, 0)
	if err != nil || len(iss) != 2 {
		t.Fatalf("issuances %+v %v", iss, err)
	}
	for _, i := range iss {
		if i.Origin != rec.OriginImported || i.Batch != "A7" || i.ReportID != 0 || (i.FirstSerial() != 1 && i.FirstSerial() != 401) || i.BlockID == 0 {
			t.Errorf("issuance %+v", i)
		}
	}
	b, err := db.RecBlock(ctx, sum.Blocks[1].ID)
	if err != nil || b.Serials(w.fac.Facility) != "W9001-CA-01-2026-A7-401 to 1000" || b.AccountID != w.cca || b.Status != rec.StatusActive {
		t.Errorf("block %+v %v", b, err)
	}
	w.sound(t)

	before := recCounts(t, db)
	again, err := recImport(db, rec.LayoutHoldings, recHoldingsFile)
	if err != nil || again.Already != 2 || !maps.Equal(recCounts(t, db), before) {
		t.Errorf("second import %+v %v; counts %v, were %v", again, err, recCounts(t, db), before)
	}
	overlap := strings.Replace(recHoldingsFile, "A7-401 to 1000,600", "A7-350 to 1000,651", 1)
	_, err = recImport(db, rec.LayoutHoldings, overlap)
	if msg := apperr.MessageOf(err); apperr.KindOf(err) != apperr.Conflict || !strings.Contains(msg, "line 3") ||
		!strings.Contains(msg, "W9001-CA-01-2026-A7-350 to 1000") || !strings.Contains(msg, "W9001-CA-01-2026-A7-1 to 400") {
		t.Errorf("overlap: %v", err)
	}
	if !maps.Equal(recCounts(t, db), before) {
		t.Errorf("a refused import stored something: %v, were %v", recCounts(t, db), before)
	}
	err = w.try(func(ctx context.Context, r *rec.Registry, _ *store.Tx) error {
		jan := rps.Month{Year: 2026, Month: 1}
		if _, err := r.SubmitReport(ctx, rec.Report{FacilityID: w.fac.ID, Vintage: jan, Wh: 5_000_000_000, Source: "test"}); err != nil {
			return err
		}
		_, err := r.Issue(ctx, w.fac.ID, jan)
		return err
	})
	wantErr(t, "issuing an imported vintage", err, apperr.Conflict, "")

	ret := strings.Join(rec.RetirementColumns, ",") + "\n" +
		"5,5/20/2026,RPS retirement,Demo CCA,rps,Demo CCA customers,2025,W9001,Desert Sun Solar,solar_pv,CA,11/2025,W9001-CA-11-2025-B2-1 to 75,75,true,11/1/2028\n"
	rsum, err := recImport(db, rec.LayoutRetirements, ret)
	if err != nil || len(rsum.Retirements) != 1 {
		t.Fatalf("retirements %+v %v", rsum, err)
	}
	got, err := db.RecRetirement(ctx, rsum.Retirements[0].ID)
	if err != nil || !got.RPSEligible || got.AccountID != w.ccaRet || got.Quantity != 75 || got.RetiredOn.String() != "2026-05-20" || got.Deadline.String() != "2028-11-01" {
		t.Errorf("retirement %+v %v", got, err)
	}
	w.sound(t)
}
