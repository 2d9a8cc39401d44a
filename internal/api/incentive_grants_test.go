package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// ledgerRows counts the incentive budget ledger's rows.
func ledgerRows(t *testing.T, e *env) int {
	t.Helper()
	var n int
	if err := e.db.SQL().QueryRowContext(context.Background(), `SELECT count(*) FROM incentive_ledger`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGrantTranchesThroughTheAPI follows a Power Ready site grant through
// the five disbursement operations. The program's milestones are seed
// 000's (site lease, design, permits, interconnection, procurement,
// construction, operation); the award is the site agreement's amount, here
// $600,000 from a $700,000 budget, planned as design $200,000, construction
// $300,000 and operation $100,000. Refusals name their field and rule and
// write no ledger row (each names every problem it finds): a plan past the award (grant.plan_within_award), a
// milestone the project does not have, an approval without evidence
// (grant.milestone_document), before the project's design is done
// (grant.project_milestone), dated tomorrow (grant.milestone_chronology),
// for more than is left of the award (grant.remaining_award), a payment
// that states an amount or lacks its reference, and a payment of a tranche
// not approved (409). After design is approved and paid the budget has
// paid $200,000 and still reserves $400,000 for the award: allocate,
// reserve, commit and pay in its ledger.
func TestGrantTranchesThroughTheAPI(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newIncentiveEnv(t, open)
		ctx := context.Background()
		var budget incentive.Budget
		err := e.db.InTx(ctx, func(tx *store.Tx) error {
			budget = incentive.Budget{Slug: "power-ready-2026", ProgramID: "power-ready", Name: "Power Ready 2026",
				From: calendar.Date{Year: 2026, Month: 1, Day: 1}, AllocatedCents: money.Dollars(700_000), Source: "test allocation"}
			return tx.CreateBudget(ctx, seedActor, &budget)
		})
		if err != nil {
			t.Fatal(err)
		}
		var p projectJSON
		e.do("POST", "/api/v1/incentive/projects", `{"program":"power-ready","name":"Oxnard Fire Station 3","agency":"Oxnard",
			"partner":"Coast Energy","backup_reserve_bp":3000,"battery_kwh":200,"solar_kw":100}`, e.manager).want(t, http.StatusCreated).decode(t, &p)
		var a applicationDetailJSON
		e.do("POST", "/api/v1/incentive/applications", `{"program":"power-ready","member_agency":"Oxnard",
			"facts":{"measure":{"type":"resilience_site"},"requested_cents":60000000}}`, e.manager).want(t, http.StatusCreated).decode(t, &a)
		app := "/api/v1/incentive/applications/" + itoa(a.ID)
		e.do("POST", app+"/submit", "", e.manager, "Idempotency-Key", "pr-sub").want(t, http.StatusOK).decode(t, &a)
		if a.Status != "reserved" || a.ReservedCents != 60000000 {
			t.Fatalf("submitted grant %s %s", a.Status, a.ReservedCents)
		}
		e.do("GET", app+"/disbursement", "", e.analyst).want(t, http.StatusNotFound)

		plan := func(tranches string) string {
			return `{"project_id":` + itoa(p.ID) + `,"tranches":[` + tranches + `]}`
		}
		good := plan(`{"milestone":"design","amount_cents":20000000},{"milestone":"construction","amount_cents":30000000},` +
			`{"milestone":"operation","amount_cents":10000000}`)
		e.do("POST", app+"/disbursement", good, e.analyst).want(t, http.StatusForbidden)
		before, ledger := e.size(), ledgerRows(t, e)
		pr := e.do("POST", app+"/disbursement", plan(`{"milestone":"design","amount_cents":20000000},{"milestone":"construction","amount_cents":30000000},`+
			`{"milestone":"operation","amount_cents":20000000}`), e.manager).want(t, http.StatusBadRequest).problem(t)
		if len(pr.Errors) != 1 || pr.Errors[0].Field != "tranches[2].amount_cents" || !strings.Contains(pr.Errors[0].Msg, incentive.RulePlanWithinAward) {
			t.Errorf("plan past the award: %+v", pr)
		}
		pr = e.do("POST", app+"/disbursement", plan(`{"milestone":"design","amount_cents":20000000},{"milestone":"ribbon_cutting","amount_cents":10000000}`),
			e.manager).want(t, http.StatusBadRequest).problem(t)
		if len(pr.Errors) != 1 || pr.Errors[0].Field != "tranches[1].milestone" {
			t.Errorf("a milestone the project lacks: %+v", pr)
		}
		if e.size() != before || ledgerRows(t, e) != ledger {
			t.Fatal("a refused plan stored something")
		}
		var d disbursementJSON
		e.do("POST", app+"/disbursement", good, e.manager).want(t, http.StatusCreated).decode(t, &d)
		if len(d.Tranches) != 3 || d.AwardCents != 60000000 || d.HeldCents != 60000000 || d.RemainingCents != 60000000 ||
			d.ProjectID == nil || *d.ProjectID != p.ID || d.Tranches[1].Milestone != "construction" || d.Tranches[1].Status != "planned" {
			t.Fatalf("plan %+v", d)
		}
		e.do("POST", app+"/disbursement", good, e.manager).want(t, http.StatusConflict)

		approve := func(seq, body, key string) result {
			return e.do("POST", app+"/tranches/"+seq+"/approve", body, e.manager, "Idempotency-Key", key)
		}
		field := func(what string, r result, field, rule string) {
			t.Helper()
			pr := r.want(t, http.StatusBadRequest).problem(t)
			for _, f := range pr.Errors {
				if f.Field == field && strings.Contains(f.Msg, rule) {
					return
				}
			}
			t.Errorf("%s: %+v, want %s naming %s", what, pr, field, rule)
		}
		pr = e.do("POST", app+"/tranches/1/approve", `{"on":"2026-03-01"}`, e.manager).want(t, http.StatusBadRequest).problem(t)
		if len(pr.Errors) != 1 || pr.Errors[0].Field != "Idempotency-Key" {
			t.Errorf("approval without a key: %+v", pr)
		}
		ledger = ledgerRows(t, e)
		field("no evidence", approve("1", `{"on":"2026-03-01"}`, "ap-1"), "documents", incentive.RuleTrancheDocument)
		pr = e.do("POST", app+"/tranches/1/documents", `{"name":"design-set.pdf","content_base64":"aGVsbG8=","sha256":"abc"}`, e.manager).
			want(t, http.StatusBadRequest).problem(t)
		if len(pr.Errors) != 1 || pr.Errors[0].Field != "sha256" {
			t.Errorf("bad checksum: %+v", pr)
		}
		e.do("POST", app+"/tranches/1/documents", `{"name":"design-set.pdf","content_base64":"aGVsbG8="}`, e.analyst).want(t, http.StatusForbidden)
		e.do("POST", app+"/tranches/1/documents", `{"name":"design-set.pdf","content_type":"application/pdf","content_base64":"aGVsbG8=",`+
			`"sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}`, e.manager).want(t, http.StatusCreated)
		e.do("POST", app+"/tranches/9/documents", `{"name":"x.pdf","content_base64":"aGVsbG8="}`, e.manager).want(t, http.StatusBadRequest)
		field("design not done", approve("1", `{"on":"2026-03-01"}`, "ap-2"), "tranche", incentive.RuleProjectMilestone)
		for _, m := range []string{`{"milestone":"site_lease","date":"2026-01-15"}`, `{"milestone":"design","date":"2026-02-20"}`} {
			e.do("POST", "/api/v1/incentive/projects/"+itoa(p.ID)+"/milestones", m, e.manager).want(t, http.StatusOK)
		}
		field("approved tomorrow", approve("1", `{"on":"2026-03-11"}`, "ap-3"), "on", incentive.RuleTrancheChrono)
		field("before the design was done", approve("1", `{"on":"2026-02-19"}`, "ap-4"), "on", incentive.RuleProjectMilestone)
		field("more than the award", approve("1", `{"on":"2026-03-01","amount_cents":60000001}`, "ap-5"), "amount_cents", incentive.RuleRemainingAward)
		if got := e.do("POST", app+"/tranches/2/approve", `{"on":"2026-03-01"}`, e.manager, "Idempotency-Key", "ap-6"); got.status != http.StatusConflict {
			t.Errorf("construction before design: %d", got.status)
		}
		if ledgerRows(t, e) != ledger {
			t.Fatal("a refused approval wrote the ledger")
		}
		approve("1", `{"on":"2026-03-01"}`, "ap-7").want(t, http.StatusOK).decode(t, &d)
		if d.Tranches[0].Status != "approved" || d.Tranches[0].AmountCents != 20000000 || d.CommittedCents != 20000000 ||
			d.HeldCents != 40000000 || d.RemainingCents != 40000000 || d.Tranches[0].ApprovedOn == nil || *d.Tranches[0].ApprovedOn != "2026-03-01" ||
			len(d.Tranches[0].Documents) != 1 {
			t.Fatalf("after approving design %+v", d)
		}

		pay := func(seq, body, key string) result {
			return e.do("POST", app+"/tranches/"+seq+"/pay", body, e.manager, "Idempotency-Key", key)
		}
		field("a payment stating its amount", pay("1", `{"reference":"ACH-2001","amount_cents":30000000}`, "py-1"), "amount_cents", "")
		field("no reference", pay("1", `{"on":"2026-03-05"}`, "py-2"), "reference", "")
		if got := pay("2", `{"reference":"ACH-2002"}`, "py-3"); got.status != http.StatusConflict {
			t.Errorf("paying a planned tranche: %d", got.status)
		}
		e.do("POST", app+"/tranches/1/pay", `{"reference":"ACH-2001","on":"2026-03-05"}`, e.analyst, "Idempotency-Key", "py-4").want(t, http.StatusForbidden)
		first := pay("1", `{"reference":"ACH-2001","on":"2026-03-05"}`, "py-5").want(t, http.StatusOK)
		first.decode(t, &d)
		if d.Tranches[0].Status != "paid" || d.Tranches[0].Reference != "ACH-2001" || d.Tranches[0].PaidOn == nil || *d.Tranches[0].PaidOn != "2026-03-05" {
			t.Errorf("after paying design %+v", d.Tranches[0])
		}
		again := pay("1", `{"reference":"ACH-2001","on":"2026-03-05"}`, "py-5").want(t, http.StatusOK)
		if again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(first.body) {
			t.Error("a retried payment was not replayed")
		}
		if got := pay("1", `{"reference":"ACH-2001","on":"2026-03-05"}`, "py-6"); got.status != http.StatusConflict {
			t.Errorf("paying design twice: %d", got.status)
		}
		var bud budgetDetailJSON
		e.do("GET", "/api/v1/incentive/budgets/"+itoa(budget.ID), "", e.analyst).want(t, http.StatusOK).decode(t, &bud)
		if bud.PaidCents != 20000000 || bud.ReservedCents != 40000000 || bud.CommittedCents != 0 || len(bud.Ledger) != 4 {
			t.Errorf("budget %+v, want $200,000 paid and $400,000 reserved in 4 ledger rows", bud)
		}
		e.do("GET", app+"/disbursement", "", e.analyst).want(t, http.StatusOK).decode(t, &d)
		if d.Tranches[0].Status != "paid" || d.Tranches[1].Status != "planned" {
			t.Errorf("plan read back %+v", d)
		}
		e.do("GET", app+"/disbursement", "", e.portal).want(t, http.StatusForbidden)
		e.do("GET", "/api/v1/incentive/applications/x/disbursement", "", e.analyst).want(t, http.StatusNotFound)
	})
}
