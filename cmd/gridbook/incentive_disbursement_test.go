package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// TestDisbursementVerbs pays a $250,000 Energized Communities pathway
// grant (seed 000: up to $250,000 per member agency and pathway) in
// tranches through `gridbook incentive disbursement`: a malformed tranche,
// a plan past the award (grant.plan_within_award), an approval without
// evidence (grant.milestone_document), evidence whose stated checksum does
// not match and a payment without its reference each exit non-zero naming
// the field and store nothing; the agreement's $50,000 is then approved
// and paid, and the budget has paid $50,000 and still reserves $200,000.
func TestDisbursementVerbs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dsn := filepath.Join(dir, "gridbook.db")
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := incentive.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	actor := auth.Actor{Kind: "cli", Name: "test"}
	var a incentive.Application
	var budget incentive.Budget
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ImportPrograms(ctx, actor, cat); err != nil {
			return err
		}
		budget = incentive.Budget{Slug: "pathways-2026", ProgramID: "energized-communities", Measure: "pathway", Name: "pathways",
			From: calendar.Date{Year: 2026, Month: 1, Day: 1}, AllocatedCents: money.Dollars(400_000), Source: "test allocation"}
		if err := tx.CreateBudget(ctx, actor, &budget); err != nil {
			return err
		}
		var f incentive.Facts
		if err := json.Unmarshal([]byte(`{"date":"2026-02-02","pathway":"building_electrification","requested_cents":25000000,
			"measure":{"type":"pathway"}}`), &f); err != nil {
			return err
		}
		if a, err = tx.CreateApplication(ctx, actor, store.NewApplication{ProgramID: "energized-communities", MemberAgency: "Carson", Facts: f}); err != nil {
			return err
		}
		a, err = tx.SubmitApplication(ctx, actor, a.ID)
		return err
	})
	db.Close()
	if err != nil || a.Status != incentive.Reserved {
		t.Fatalf("grant %+v: %v", a, err)
	}
	id := strconv.FormatInt(a.ID, 10)
	gb := func(args ...string) (int, string, string) {
		t.Helper()
		var out, errOut bytes.Buffer
		code := run(ctx, &env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }},
			append([]string{"incentive", "disbursement"}, append(args, "--db", dsn)...))
		return code, out.String(), errOut.String()
	}
	refused := func(what, want string, args ...string) {
		t.Helper()
		if code, out, errOut := gb(args...); code == 0 || !strings.Contains(errOut, want) {
			t.Errorf("%s: exit %d, stderr %q (stdout %q), want %q", what, code, errOut, out, want)
		}
	}
	refused("malformed tranche", "tranche[1]", "plan", id, "--tranche", "agreement=50000", "--tranche", "midpoint")
	refused("past the award", incentive.RulePlanWithinAward, "plan", id, "--tranche", "agreement=50000", "--tranche", "midpoint_report=100000",
		"--tranche", "completion=150000")
	refused("no plan yet", "not paid in tranches", "show", id)
	if code, out, errOut := gb("plan", id, "--tranche", "agreement=50000", "--tranche", "midpoint_report=100,000", "--tranche", "completion=$100,000.00"); code != 0 ||
		!strings.Contains(out, "award $250,000.00") || !strings.Contains(out, "midpoint_report") {
		t.Fatalf("plan: exit %d %s %s", code, out, errOut)
	}
	refused("no evidence", incentive.RuleTrancheDocument, "approve", id, "--tranche", "1", "--on", "2026-03-05")
	doc := filepath.Join(dir, "agreement.pdf")
	if err := os.WriteFile(doc, []byte("signed grant agreement"), 0o644); err != nil {
		t.Fatal(err)
	}
	refused("wrong checksum", "sha256", "attach", id, "--tranche", "1", "--file", doc, "--sha256", strings.Repeat("0", 64))
	sum := sha256.Sum256([]byte("signed grant agreement"))
	if code, _, errOut := gb("attach", id, "--tranche", "1", "--file", doc, "--sha256", hex.EncodeToString(sum[:])); code != 0 {
		t.Fatalf("attach: %s", errOut)
	}
	refused("out of order", "not approved", "approve", id, "--tranche", "2", "--on", "2026-03-05")
	if code, out, errOut := gb("approve", id, "--tranche", "1", "--on", "2026-03-05"); code != 0 || !strings.Contains(out, "committed $50,000.00") {
		t.Fatalf("approve: exit %d %s %s", code, out, errOut)
	}
	refused("no reference", "reference", "pay", id, "--tranche", "1", "--on", "2026-03-06")
	if code, _, errOut := gb("pay", id, "--tranche", "1", "--on", "2026-03-06", "--reference", "ACH-1001"); code != 0 {
		t.Fatalf("pay: %s", errOut)
	}
	code, out, errOut := gb("show", id, "--json")
	var d store.Disbursement
	if code != 0 || json.Unmarshal([]byte(out), &d) != nil {
		t.Fatalf("show: exit %d %s %s", code, out, errOut)
	}
	if len(d.Tranches) != 3 || d.Tranches[0].Status != incentive.TranchePaid || d.Tranches[0].Reference != "ACH-1001" ||
		d.HeldCents != money.Dollars(200_000) || len(d.Documents[1]) != 1 {
		t.Errorf("plan after payment %+v", d)
	}
	db, err = store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	bs, err := db.Budgets(ctx, "energized-communities")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.Slug == "pathways-2026" && (b.PaidCents != money.Dollars(50_000) || b.ReservedCents != money.Dollars(200_000) || b.CommittedCents != 0) {
			t.Errorf("budget paid %s reserved %s committed %s", b.PaidCents, b.ReservedCents, b.CommittedCents)
		}
	}
}
