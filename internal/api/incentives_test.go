package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// newIncentiveEnv is an API env with the shipped programs imported (by
// the admin, through the API) and a $10,000 Sun Storage budget; the clock
// reads 2026-03-10.
func newIncentiveEnv(t *testing.T, open storetest.Opener) *env {
	t.Helper()
	e := newEnv(t, open)
	e.db.Now = func() time.Time { return time.Date(2026, 3, 10, 20, 0, 0, 0, time.UTC) }
	doc := string(incentive.ShippedJSON())
	e.do("POST", "/api/v1/incentive/programs", doc, e.admin).want(t, http.StatusCreated)
	var res programImportJSON
	e.do("POST", "/api/v1/incentive/programs", doc, e.admin).want(t, http.StatusOK).decode(t, &res)
	if res.Added != 0 || res.Unchanged != 20 {
		t.Fatalf("second import %+v, want all unchanged", res)
	}
	ctx := context.Background()
	err := e.db.InTx(ctx, func(tx *store.Tx) error {
		b := incentive.Budget{Slug: "sun-2026", ProgramID: "sun-storage-rebate", Name: "Sun Storage 2026", From: calendar.Date{Year: 2026, Month: 1, Day: 1},
			AllocatedCents: money.Dollars(10_000), Source: "test"}
		return tx.CreateBudget(ctx, seedActor, &b)
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestQuoteNamesMissingFacts checks POST /incentive/quote: the seed 000
// amounts with a trace, and a 400 naming a fact a rule needs.
func TestQuoteNamesMissingFacts(t *testing.T) {
	e := newIncentiveEnv(t, storetest.SQLite())
	body := `{"program":"sun-storage-rebate","facts":{"date":"2026-03-10","customer_class":"residential","income_program":"FERA",
		"hftd_tier":"TIER3","measure":{"paired_with_solar":true}}}`
	var d incentive.Decision
	e.do("POST", "/api/v1/incentive/quote", body, e.analyst).want(t, http.StatusOK).decode(t, &d)
	if !d.Eligible || d.AmountCents != 225000 || len(d.Trace) == 0 {
		t.Errorf("FERA in Tier 3: %+v, want $2,250.00 with a trace", d)
	}
	p := e.do("POST", "/api/v1/incentive/quote", strings.Replace(body, `"hftd_tier":"TIER3",`, "", 1), e.portal).want(t, http.StatusBadRequest).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "facts.hftd_tier" {
		t.Errorf("missing tier: %+v", p)
	}
	p = e.do("POST", "/api/v1/incentive/quote", `{"program":"nope","facts":{}}`, e.admin).want(t, http.StatusBadRequest).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "program" {
		t.Errorf("unknown program: %+v", p)
	}
	// With the account, the registry decides CARE and the tier: account 1
	// is on CARE outside the fire districts, so $1,000.
	e.do("POST", "/api/v1/incentive/quote", `{"program":"sun-storage-rebate","account_id":`+itoa(e.acct1.ID)+
		`,"facts":{"measure":{"paired_with_solar":true}}}`, e.portal).want(t, http.StatusOK).decode(t, &d)
	if d.AmountCents != 100000 {
		t.Errorf("account 1: %s, want $1,000.00", d.AmountCents)
	}
}

// TestApplicationFlowMovesMoneyWithIdempotencyKeys follows a customer's
// application through the API: created and submitted by the customer
// (the submission needs an Idempotency-Key and a retry replays), approved
// by staff never above the reservation, batched and paid.
func TestApplicationFlowMovesMoneyWithIdempotencyKeys(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newIncentiveEnv(t, open)
		var a applicationDetailJSON
		e.do("POST", "/api/v1/incentive/applications", `{"program":"sun-storage-rebate","account_id":`+itoa(e.acct1.ID)+
			`,"facts":{"measure":{"paired_with_solar":true}},"serials":["BAT-1"],"purchase_date":"2026-03-01"}`, e.portal).
			want(t, http.StatusCreated).decode(t, &a)
		if a.Status != "draft" || a.AmountCents != 100000 || !a.Decision.Eligible {
			t.Fatalf("draft %+v", a.applicationJSON)
		}
		path := "/api/v1/incentive/applications/" + itoa(a.ID)
		p := e.do("POST", path+"/submit", "", e.portal).want(t, http.StatusBadRequest).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != "Idempotency-Key" {
			t.Errorf("submit without a key: %+v", p)
		}
		first := e.do("POST", path+"/submit", "", e.portal, "Idempotency-Key", "sub-1").want(t, http.StatusOK)
		first.decode(t, &a)
		if a.Status != "reserved" || a.ReservedCents != 100000 {
			t.Fatalf("submitted: %s %s", a.Status, a.ReservedCents)
		}
		again := e.do("POST", path+"/submit", "", e.portal, "Idempotency-Key", "sub-1").want(t, http.StatusOK)
		if again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(first.body) {
			t.Errorf("retry did not replay")
		}
		e.do("POST", path+"/transition", `{"status":"claim_submitted"}`, e.portal, "Idempotency-Key", "c-1").want(t, http.StatusForbidden)
		e.do("POST", path+"/transition", `{"status":"claim_submitted"}`, e.manager, "Idempotency-Key", "c-1").want(t, http.StatusOK)
		p = e.do("POST", path+"/transition", `{"status":"approved","amount_cents":100001}`, e.manager, "Idempotency-Key", "a-1").
			want(t, http.StatusBadRequest).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != "amount_cents" {
			t.Errorf("approval above the reservation: %+v", p)
		}
		e.do("POST", path+"/transition", `{"status":"approved"}`, e.manager, "Idempotency-Key", "a-2").want(t, http.StatusOK)
		var b batchDetailJSON
		e.do("POST", "/api/v1/incentive/payment-batches", `{"method":"ach"}`, e.manager, "Idempotency-Key", "b-1").want(t, http.StatusCreated).decode(t, &b)
		if b.Count != 1 || b.TotalCents != 100000 || !strings.Contains(b.File, ",1000.00,sun-storage-rebate,") {
			t.Fatalf("batch %+v", b)
		}
		e.do("POST", "/api/v1/incentive/payment-batches", `{"method":"ach"}`, e.manager, "Idempotency-Key", "b-2").want(t, http.StatusConflict)
		res := `{"results":[{"payment_id":` + itoa(b.Payments[0].ID) + `,"status":"paid","reference":"ACH-77"}]}`
		e.do("POST", "/api/v1/incentive/payment-batches/"+itoa(b.ID)+"/results", res, e.manager, "Idempotency-Key", "r-1").want(t, http.StatusOK)
		e.do("GET", path, "", e.portal).want(t, http.StatusOK).decode(t, &a)
		if a.Status != "paid" || a.PaidCents != 100000 {
			t.Errorf("after reconciliation: %s %s", a.Status, a.PaidCents)
		}
		var rep reportJSON
		e.do("GET", "/api/v1/incentive/programs/sun-storage-rebate/report", "", e.analyst).want(t, http.StatusOK).decode(t, &rep)
		if rep.PaidCents != 100000 || rep.Participants != 1 || rep.IncomeQualified != 1 {
			t.Errorf("report %+v", rep)
		}
		e.do("GET", "/api/v1/incentive/programs/sun-storage-rebate/report", "", e.portal).want(t, http.StatusForbidden)
		var bud budgetDetailJSON
		e.do("GET", "/api/v1/incentive/budgets/"+itoa(*a.BudgetID), "", e.analyst).want(t, http.StatusOK).decode(t, &bud)
		if bud.PaidCents != 100000 || len(bud.Ledger) != 4 { // allocate, reserve, commit, pay
			t.Errorf("budget %+v", bud)
		}
	})
}

// TestIncentiveAccessAndBadInput checks who sees and does what, and that
// refusals name the field and store nothing.
func TestIncentiveAccessAndBadInput(t *testing.T) {
	e := newIncentiveEnv(t, storetest.SQLite())
	// A customer applies only for their own accounts.
	e.do("POST", "/api/v1/incentive/applications", `{"program":"sun-storage-rebate","account_id":`+itoa(e.acct2.ID)+`}`, e.portal).
		want(t, http.StatusNotFound)
	e.do("POST", "/api/v1/incentive/applications", `{"program":"sun-storage-rebate","account_id":`+itoa(e.acct1.ID)+`}`, e.analyst).
		want(t, http.StatusForbidden)
	// Facts a rule needs are named.
	p := e.do("POST", "/api/v1/incentive/applications", `{"program":"sun-storage-rebate","account_id":`+itoa(e.acct1.ID)+`,"facts":{}}`, e.manager).
		want(t, http.StatusBadRequest).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "facts.measure.paired_with_solar" {
		t.Errorf("missing measure fact: %+v", p)
	}
	// A document failing its checksum stores nothing.
	var a applicationDetailJSON
	e.do("POST", "/api/v1/incentive/applications", `{"program":"sun-storage-rebate","account_id":`+itoa(e.acct1.ID)+
		`,"facts":{"measure":{"paired_with_solar":true}}}`, e.manager).want(t, http.StatusCreated).decode(t, &a)
	before := e.size()
	p = e.do("POST", "/api/v1/incentive/applications/"+itoa(a.ID)+"/documents", `{"name":"invoice.pdf","content_base64":"aGVsbG8=","sha256":"abc"}`,
		e.portal).want(t, http.StatusBadRequest).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "sha256" || e.size() != before {
		t.Errorf("bad checksum: %+v", p)
	}
	e.do("POST", "/api/v1/incentive/applications/"+itoa(a.ID)+"/documents",
		`{"name":"invoice.pdf","content_base64":"aGVsbG8=","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}`,
		e.portal).want(t, http.StatusCreated)
	// Coupons: the CARE customer gets one; a second is refused.
	var c couponJSON
	req := `{"program":"instant-ac-savings","account_id":` + itoa(e.acct1.ID) + `,"retailer":"retailer-a","channel":"in_store"}`
	e.do("POST", "/api/v1/incentive/coupons", req, e.portal).want(t, http.StatusBadRequest)
	e.do("POST", "/api/v1/incentive/coupons", req, e.portal, "Idempotency-Key", "cp-1").want(t, http.StatusCreated).decode(t, &c)
	if c.AmountCents != 30000 || c.ExpiresOn != "2026-12-31" {
		t.Errorf("coupon %+v", c)
	}
	e.do("POST", "/api/v1/incentive/coupons", req, e.portal, "Idempotency-Key", "cp-2").want(t, http.StatusConflict)
	e.do("POST", "/api/v1/incentive/coupons/"+c.Code+"/redeem", `{"retailer":"retailer-b","channel":"in_store","date":"2026-03-11"}`,
		e.manager, "Idempotency-Key", "rd-1").want(t, http.StatusConflict)
	var page list[couponJSON]
	e.do("GET", "/api/v1/incentive/coupons", "", e.portal).want(t, http.StatusOK).decode(t, &page)
	if len(page.Data) != 1 {
		t.Errorf("customer sees %d coupons", len(page.Data))
	}
	var apps list[applicationJSON]
	e.do("GET", "/api/v1/incentive/applications?status=draft", "", e.analyst).want(t, http.StatusOK).decode(t, &apps)
	if len(apps.Data) != 1 {
		t.Errorf("%d drafts", len(apps.Data))
	}
	e.do("GET", "/api/v1/incentive/applications?status=nope", "", e.analyst).want(t, http.StatusBadRequest)
	var progs list[programJSON]
	e.do("GET", "/api/v1/incentive/programs", "", e.readClient).want(t, http.StatusOK).decode(t, &progs)
	if len(progs.Data) != 20 {
		t.Errorf("%d programs", len(progs.Data))
	}
}
