package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/demo"
	"github.com/gridbook/gridbook/internal/rec"
	"github.com/gridbook/gridbook/internal/rps"
	"github.com/gridbook/gridbook/internal/store"
)

// fieldError returns the inline error rendered for the input named name
// ("" when there is none).
func fieldError(body, name string) string {
	marker := `id="f-` + name + `-error">`
	i := strings.Index(body, marker)
	if i < 0 {
		return ""
	}
	rest := body[i+len(marker):]
	return rest[:strings.Index(rest, "<")]
}

// TestRegistryParticipantAddedByAdmin: an administrator adds a
// participant's sign-in on /rec/participants. Bad input is refused with
// every problem next to its input and nothing written; a good one creates
// the user and its link, audited; the new participant then signs in and
// sees only its organization's accounts. Program managers may not add
// participants.
func TestRegistryParticipantAddedByAdmin(t *testing.T) {
	s := newTestSite(t)
	seedRegistry(t, s)
	ctx := context.Background()
	admin := s.login(t, "/login", adminEmail)
	manager := s.login(t, "/login", managerEmail)

	w := s.get(t, "/rec/participants", admin)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `<option value="Desert Sun LLC"`) || !strings.Contains(w.Body.String(), `<option value="Demo CCA"`) {
		t.Fatalf("participants page (%d) lacks the organizations holding accounts:\n%s", w.Code, w.Body)
	}
	if w := s.get(t, "/rec/participants", manager); w.Code != http.StatusForbidden {
		t.Errorf("a program manager opened the participants page: %d", w.Code)
	}
	if w := s.post(t, "/rec/participants", manager, url.Values{"email": {"x@y.example"}, "name": {"X"}, "org": {"Demo CCA"}, "password": {testPassword}}); w.Code != http.StatusForbidden {
		t.Errorf("a program manager added a participant: %d", w.Code)
	}

	users := func() int {
		us, err := s.db.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(us)
	}
	before := users()
	w = s.post(t, "/rec/participants", admin, url.Values{"email": {"not an address"}, "name": {"  "}, "org": {"Nobody Inc"}, "password": {"short"}})
	body := w.Body.String()
	if w.Code != http.StatusBadRequest {
		t.Fatalf("bad participant: %d, want 400", w.Code)
	}
	for field, want := range map[string]string{"email": "is not a valid email address", "name": "is required", "org": "holds no registry account",
		"password": "must be at least 10 characters"} {
		if got := fieldError(body, field); !strings.Contains(got, want) {
			t.Errorf("%s error %q, want %q", field, got, want)
		}
	}
	if users() != before {
		t.Errorf("a refused participant was written")
	}

	w = s.post(t, "/rec/participants", admin, url.Values{"email": {"Ops@DesertSun.example"}, "name": {"Desert Sun Operations"}, "org": {"Desert Sun LLC"},
		"password": {testPassword}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("add participant: %d\n%s", w.Code, w.Body)
	}
	ms, err := s.db.RecMembers(ctx)
	if err != nil || len(ms) != 1 || ms[0].Org != "Desert Sun LLC" || ms[0].Who != "ops@desertsun.example" {
		t.Fatalf("members %+v %v", ms, err)
	}
	var audited int
	if err := s.db.SQL().QueryRow(`SELECT count(*) FROM audit_log WHERE ((entity = 'user' AND action = 'create') OR (entity = 'rec_member' AND action = 'link')) AND actor LIKE '%` + adminEmail + `%'`).Scan(&audited); err != nil || audited != 2 {
		t.Errorf("audit records of the user and its link: %d %v, want 2", audited, err)
	}
	if !strings.Contains(s.get(t, "/rec/participants", admin).Body.String(), "ops@desertsun.example") {
		t.Errorf("the new participant is not listed")
	}
	// The same email again is refused next to the email.
	w = s.post(t, "/rec/participants", admin, url.Values{"email": {"ops@desertsun.example"}, "name": {"Again"}, "org": {"Demo CCA"}, "password": {testPassword}})
	if got := fieldError(w.Body.String(), "email"); w.Code != http.StatusBadRequest || !strings.Contains(got, "already exists") {
		t.Errorf("duplicate email: %d %q", w.Code, got)
	}
	if ms, _ := s.db.RecMembers(ctx); len(ms) != 1 {
		t.Errorf("the refused duplicate left a link: %+v", ms)
	}

	sun := s.login(t, "/login", "ops@desertsun.example")
	page := s.get(t, "/rec", sun).Body.String()
	if !strings.Contains(page, "Desert Sun active") || !strings.Contains(page, "Desert Sun retirement") || strings.Contains(page, "CCA active") ||
		strings.Contains(page, "/rec/participants") {
		t.Errorf("the new participant's registry page shows the wrong accounts or links:\n%s", page)
	}
}

// TestRegistryTransferAndRetireForms: the account page's transfer and
// retirement forms, for a participant on its own account and for writing
// staff. Each refusal — more than the block holds, a retirement account as
// the destination, a missing compliance year, an RPS retirement after the
// 36-month deadline — is shown next to its input and changes nothing (no
// event, the block intact); good commands store the transfer and the
// retirement with its reason, beneficiary and compliance year. The
// receiver rejects with a note; analysts may not post.
func TestRegistryTransferAndRetireForms(t *testing.T) {
	s := newTestSite(t)
	seed := seedRegistry(t, s)
	ctx := context.Background()
	// An old vintage: January 2022, RPS-retirable through 2025-01-01 (36
	// months from the month's first day, §399.21(a)(7), docs/rps.md); the
	// test's today is 2026-03-10.
	var old rec.Issuance
	err := s.db.Registry(ctx, seedActor, func(ctx context.Context, reg *rec.Registry, _ *store.Tx) error {
		jan := rps.Month{Year: 2022, Month: 1}
		if _, err := reg.SubmitReport(ctx, rec.Report{FacilityID: seed.fac.ID, Vintage: jan, Wh: 300_000_000, Source: "seed"}); err != nil {
			return err
		}
		var err error
		old, err = reg.Issue(ctx, seed.fac.ID, jan)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sun := s.participant(t, "ops@desertsun.example", "Desert Sun LLC")
	cca := s.participant(t, "registry@cca.example", "Demo CCA")
	analyst := s.login(t, "/login", analystEmail)
	acct := "/rec/accounts/" + id64(seed.gen)

	page := s.get(t, acct, sun).Body.String()
	for _, want := range []string{`id="transfer-form"`, `id="retire-form"`, "Demo CCA · CCA active", "Desert Sun retirement"} {
		if !strings.Contains(page, want) {
			t.Errorf("the generator's account page lacks %q", want)
		}
	}
	if strings.Contains(page, `<option value="`+id64(seed.gen)+`">Desert Sun LLC · Desert Sun active`) {
		t.Errorf("the account is offered as its own destination")
	}
	if p := s.get(t, acct, analyst).Body.String(); strings.Contains(p, `id="transfer-form"`) || strings.Contains(p, `id="retire-form"`) {
		t.Errorf("an analyst is shown the write forms")
	}

	block := id64(seed.iss.BlockID)
	unchanged := func(what string) {
		t.Helper()
		b, err := s.db.RecBlock(ctx, seed.iss.BlockID)
		if err != nil || b.Status != rec.StatusActive || b.Quantity() != 500 {
			t.Errorf("%s: block %+v %v, want 500 active", what, b, err)
		}
	}
	events := countEvents(t, s.db)
	refused := []struct {
		what, path string
		form       url.Values
		status     int
		errs       map[string]string
	}{
		{"more than the block holds", acct + "/transfer", url.Values{"transfer.block_id": {block}, "transfer.quantity": {"600"}, "transfer.to_account_id": {id64(seed.cca)}},
			http.StatusBadRequest, map[string]string{"transfer.quantity": "holds 500 certificates, not 600"}},
		{"no destination and a bad quantity", acct + "/transfer", url.Values{"transfer.block_id": {block}, "transfer.quantity": {"ten"}},
			http.StatusBadRequest, map[string]string{"transfer.quantity": "not a whole number", "transfer.to_account_id": "is required"}},
		{"a retirement account as destination", acct + "/transfer", url.Values{"transfer.block_id": {block}, "transfer.quantity": {"10"}, "transfer.to_account_id": {id64(seed.ccaRet)}},
			http.StatusBadRequest, map[string]string{"transfer.to_account_id": "is a retirement account"}},
		{"another account's block", acct + "/transfer", url.Values{"transfer.block_id": {"999999"}, "transfer.quantity": {"10"}, "transfer.to_account_id": {id64(seed.cca)}},
			http.StatusBadRequest, map[string]string{"transfer.block_id": "is not in this account"}},
		{"RPS without a compliance year", acct + "/retire", url.Values{"retire.block_id": {block}, "retire.quantity": {"50"}, "retire.account_id": {id64(seed.genRet)},
			"retire.reason": {"rps"}}, http.StatusBadRequest, map[string]string{"retire.compliance_year": "names its compliance year"}},
		{"nothing to retire into", acct + "/retire", url.Values{"retire.block_id": {block}, "retire.quantity": {"0"}, "retire.reason": {"voluntary"}},
			http.StatusBadRequest, map[string]string{"retire.account_id": "is required"}},
		{"another organization's retirement account", acct + "/retire", url.Values{"retire.block_id": {block}, "retire.quantity": {"5"}, "retire.account_id": {id64(seed.ccaRet)},
			"retire.reason": {"voluntary"}}, http.StatusBadRequest, map[string]string{"retire.account_id": "belongs to Demo CCA, not Desert Sun LLC"}},
		{"RPS after the 36-month deadline", acct + "/retire", url.Values{"retire.block_id": {id64(old.BlockID)}, "retire.quantity": {"300"}, "retire.account_id": {id64(seed.genRet)},
			"retire.reason": {"rps"}, "retire.compliance_year": {"2024"}}, http.StatusBadRequest, map[string]string{"retire.reason": "could be retired for RPS until 2025-01-01"}},
	}
	for _, c := range refused {
		w := s.post(t, c.path, sun, c.form)
		body := w.Body.String()
		if w.Code != c.status {
			t.Errorf("%s: %d, want %d", c.what, w.Code, c.status)
		}
		for field, want := range c.errs {
			if got := fieldError(body, field); !strings.Contains(got, want) {
				t.Errorf("%s: %s error %q, want %q", c.what, field, got, want)
			}
		}
		for _, name := range []string{"transfer.quantity", "retire.quantity"} {
			if q := c.form.Get(name); q != "" && !strings.Contains(body, `name="`+name+`" type="number" value="`+q+`"`) {
				t.Errorf("%s: the form was not shown again as typed", c.what)
			}
		}
		unchanged(c.what)
	}
	if n := countEvents(t, s.db); n != events {
		t.Errorf("refusals appended %d events", n-events)
	}
	// Another organization's account is not there for the participant.
	if w := s.post(t, "/rec/accounts/"+id64(seed.cca)+"/retire", sun, url.Values{"retire.block_id": {block}, "retire.quantity": {"1"},
		"retire.account_id": {id64(seed.genRet)}, "retire.reason": {"voluntary"}}); w.Code != http.StatusNotFound {
		t.Errorf("retire from another organization's account: %d, want 404", w.Code)
	}
	if w := s.post(t, acct+"/transfer", analyst, url.Values{"transfer.block_id": {block}, "transfer.quantity": {"1"}, "transfer.to_account_id": {id64(seed.cca)}}); w.Code != http.StatusForbidden {
		t.Errorf("an analyst's transfer: %d, want 403", w.Code)
	}
	unchanged("after the forbidden commands")

	// Good commands: 100 sent to the CCA, 50 retired voluntarily for a
	// beneficiary, 30 of the old vintage retired voluntarily (allowed
	// after the deadline).
	if w := s.post(t, acct+"/transfer", sun, url.Values{"transfer.block_id": {block}, "transfer.quantity": {"100"}, "transfer.to_account_id": {id64(seed.cca)},
		"transfer.note": {"February PPA delivery"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("transfer: %d\n%s", w.Code, w.Body)
	}
	trs, err := s.db.RecTransfers(ctx, store.TransferFilter{Status: rec.TransferPending, Limit: 10})
	if err != nil || len(trs) != 1 || trs[0].Quantity != 100 || trs[0].From != seed.gen || trs[0].To != seed.cca || trs[0].Note != "February PPA delivery" {
		t.Fatalf("pending transfers %+v %v", trs, err)
	}
	rest := s.activeBlocks(t, seed.gen)
	if len(rest) != 2 || rest[seed.iss.BlockID] != 0 {
		t.Fatalf("after the transfer the account holds %v", rest)
	}
	var left int64 // the 400 that stayed: serials 101–500
	for id, q := range rest {
		if q == 400 {
			left = id
		}
	}
	if w := s.post(t, acct+"/retire", sun, url.Values{"retire.block_id": {id64(left)}, "retire.quantity": {"50"}, "retire.account_id": {id64(seed.genRet)},
		"retire.reason": {"voluntary"}, "retire.beneficiary": {"City of Santa Monica"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("retire: %d\n%s", w.Code, w.Body)
	}
	if w := s.post(t, acct+"/retire", sun, url.Values{"retire.block_id": {id64(old.BlockID)}, "retire.quantity": {"30"}, "retire.account_id": {id64(seed.genRet)},
		"retire.reason": {"voluntary"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("voluntary retirement after the deadline: %d\n%s", w.Code, w.Body)
	}
	rets, err := s.db.RecRetirements(ctx, store.RetirementFilter{Limit: 10})
	if err != nil || len(rets) != 2 {
		t.Fatalf("retirements %+v %v", rets, err)
	}
	if r := rets[0]; r.Quantity != 50 || r.Reason != rec.ReasonVoluntary || r.Beneficiary != "City of Santa Monica" || r.AccountID != seed.genRet || r.RPSEligible {
		t.Errorf("first retirement %+v", r)
	}
	if r := rets[1]; r.Quantity != 30 || r.Beneficiary != "Desert Sun LLC" || r.Vintage != (rps.Month{Year: 2022, Month: 1}) {
		t.Errorf("second retirement (beneficiary defaults to the holder) %+v", r)
	}
	if n := countEvents(t, s.db); n != events+3 {
		t.Errorf("%d events for three commands", n-events)
	}

	// The receiver rejects with a note; the certificates go back.
	tr := trs[0]
	if w := s.post(t, "/rec/transfers/"+id64(tr.ID)+"/reject", cca, url.Values{"note": {"wrong vintage"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("reject: %d", w.Code)
	}
	got, _ := s.db.RecTransfer(ctx, tr.ID)
	if got.Status != rec.TransferRejected || !strings.Contains(got.Note, "wrong vintage") {
		t.Errorf("rejected transfer %+v", got)
	}
	if b, _ := s.db.RecBlock(ctx, tr.BlockID); b.Status != rec.StatusActive || b.AccountID != seed.gen {
		t.Errorf("the rejected certificates did not return: %+v", b)
	}

	// Writing staff use the same forms on any account: the manager retires
	// the returned 100 for RPS compliance year 2026.
	manager := s.login(t, "/login", managerEmail)
	if w := s.post(t, acct+"/retire", manager, url.Values{"retire.block_id": {id64(tr.BlockID)}, "retire.quantity": {"100"}, "retire.account_id": {id64(seed.genRet)},
		"retire.reason": {"rps"}, "retire.compliance_year": {"2026"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("manager's RPS retirement: %d\n%s", w.Code, w.Body)
	}
	rets, _ = s.db.RecRetirements(ctx, store.RetirementFilter{Limit: 10})
	if len(rets) != 3 || rets[2].Quantity != 100 || !rets[2].RPSEligible || rets[2].ComplianceYear != 2026 {
		t.Errorf("manager's retirement %+v", rets)
	}
}

// activeBlocks returns the quantity of each active block of an account.
func (s *testSite) activeBlocks(t *testing.T, account int64) map[int64]int64 {
	t.Helper()
	bs, err := s.db.RecBlocks(context.Background(), store.BlockFilter{AccountID: account, Status: rec.StatusActive, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]int64{}
	for _, b := range bs {
		out[b.ID] = b.Quantity()
	}
	return out
}

// TestDemoParticipantSeesOnlyItsAccounts: the demo's registry participant
// (generator@gridbook.demo, Antelope Valley Solar's operator; see
// internal/demo/rps.go) signs in with the demo password and sees only its
// company's account and facility; its last month's delivery to the CCA
// awaits acceptance, which it may cancel but not accept; the CCA's
// accounts and the other generators' facilities are not there for it.
func TestDemoParticipantSeesOnlyItsAccounts(t *testing.T) {
	s := rpsSite(t)
	ctx := context.Background()
	w := s.post(t, "/login", "", url.Values{"username": {"generator@gridbook.demo"}, "password": {demo.Password}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/rec" {
		t.Fatalf("the demo participant's sign-in: %d to %q", w.Code, w.Header().Get("Location"))
	}
	sun := sessionOf(t, w)
	page := s.get(t, "/rec", sun).Body.String()
	for _, want := range []string{"Antelope Valley Solar LLC active", "Antelope Valley Solar"} {
		if !strings.Contains(page, want) {
			t.Errorf("the registry page lacks %q", want)
		}
	}
	for _, not := range []string{"Demo CCA active", "Demo CCA RPS retirement", "Mojave Sun", "Tehachapi Ridge Wind"} {
		if strings.Contains(page, not) {
			t.Errorf("the participant sees %q", not)
		}
	}
	accts, err := s.db.RecAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		want := http.StatusOK
		if a.Org != "Antelope Valley Solar LLC" {
			want = http.StatusNotFound
		}
		if w := s.get(t, "/rec/accounts/"+id64(a.ID), sun); w.Code != want {
			t.Errorf("%s %q: %d, want %d", a.Org, a.Name, w.Code, want)
		}
	}
	pending, err := s.db.RecTransfers(ctx, store.TransferFilter{Status: rec.TransferPending, Org: "Antelope Valley Solar LLC", Limit: 10})
	if err != nil || len(pending) != 1 || pending[0].Note != "PPA delivery 2025-12" {
		t.Fatalf("the generator's pending transfers %+v %v, want December 2025's delivery", pending, err)
	}
	inbox := s.get(t, "/rec/transfers", sun).Body.String()
	tr := "/rec/transfers/" + id64(pending[0].ID)
	if !strings.Contains(inbox, tr+"/cancel") || strings.Contains(inbox, tr+"/accept") || strings.Count(inbox, `id="transfer-`) != 1 {
		t.Errorf("the participant's inbox should hold its one pending transfer with Cancel only:\n%s", inbox)
	}
}

// TestProcurementDetailReconciles: the annual report's procurement detail
// over the demo book (2024) sums, category by category, to the report's
// procurement by PCC, and in total to the certificates of 2024 vintages
// retired for RPS in the registry — the claims file reconciles to the
// registry's retirement report (research/rps.md §1.7).
func TestProcurementDetailReconciles(t *testing.T) {
	s := rpsSite(t)
	ctx := context.Background()
	analyst := s.login(t, "/login", analystEmail)
	if !strings.Contains(s.get(t, "/rps/report?year=2024", analyst).Body.String(), "/rps/report/procurement.csv?year=2024") {
		t.Errorf("the report page does not link its procurement detail")
	}
	w := s.get(t, "/rps/report/procurement.csv?year=2024", analyst)
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("procurement CSV: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	recs, err := csv.NewReader(w.Body).ReadAll()
	if err != nil || len(recs) < 2 || recs[0][0] != "Contract Name" {
		t.Fatalf("CSV %v %v", recs, err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var byPCC [4]int64
	var total int64
	for _, r := range recs[1:] {
		n, _ := strconv.ParseInt(r[col["MWh Retired and Claimed"]], 10, 64)
		p, _ := strconv.Atoi(r[col["Portfolio Content Category"]])
		byPCC[p] += n
		total += n
		if !strings.HasSuffix(r[col["Vintage (MM/YYYY)"]], "/2024") || r[col["WREGIS GU ID"]] == "" || r[col["CEC RPS ID"]] == "" {
			t.Errorf("row %v", r)
		}
	}
	in, err := s.db.RPSReportInput(ctx, 2024)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := rps.BuildReport(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := [4]int64{rep.ByPCC.PCC0, rep.ByPCC.PCC1, rep.ByPCC.PCC2, rep.ByPCC.PCC3}; byPCC != want || total != rep.Procured {
		t.Errorf("detail by PCC %v (total %d), report %v (procured %d)", byPCC, total, want, rep.Procured)
	}
	rets, err := s.db.RecRetirements(ctx, store.RetirementFilter{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	var retired int64
	for _, r := range rets {
		if r.Reason == rec.ReasonRPS && r.Vintage.Year == 2024 {
			retired += r.Quantity
		}
	}
	if retired == 0 || total != retired {
		t.Errorf("detail total %d, RPS retirements of 2024 vintages %d", total, retired)
	}
}

// TestRegistryClientLinkedByAdmin: an administrator links an existing
// rec:write API client to an organization on /rec/participants; a bad id,
// an unknown client, a client without rec:write and a missing
// organization are refused next to their inputs with nothing written.
func TestRegistryClientLinkedByAdmin(t *testing.T) {
	s := newTestSite(t)
	seedRegistry(t, s)
	ctx := context.Background()
	admin := s.login(t, "/login", adminEmail)
	var feed, reader auth.Client
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		feed = auth.Client{Name: "cca-feed", Scopes: []string{auth.ScopeRECWrite}}
		reader = auth.Client{Name: "reader", Scopes: []string{auth.ScopeRegistryRead}}
		for _, c := range []*auth.Client{&feed, &reader} {
			if _, err := tx.CreateClient(ctx, seedActor, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id, org, field, want string
	}{
		{"abc", "Demo CCA", "client_id", "not a whole number"},
		{"9999", "Demo CCA", "client_id", "no API client 9999"},
		{id64(reader.ID), "Demo CCA", "client_id", "lacks the rec:write scope"},
		{id64(feed.ID), "", "client_org", "is required"},
		{id64(feed.ID), "Nobody Inc", "client_org", "holds no registry account"},
	} {
		w := s.post(t, "/rec/participants/clients", admin, url.Values{"client_id": {c.id}, "client_org": {c.org}})
		if got := fieldError(w.Body.String(), c.field); w.Code != http.StatusBadRequest || !strings.Contains(got, c.want) {
			t.Errorf("client %q org %q: %d, %s error %q, want %q", c.id, c.org, w.Code, c.field, got, c.want)
		}
	}
	if ms, _ := s.db.RecMembers(ctx); len(ms) != 0 {
		t.Fatalf("refused links were written: %+v", ms)
	}
	if w := s.post(t, "/rec/participants/clients", admin, url.Values{"client_id": {id64(feed.ID)}, "client_org": {"Demo CCA"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("link: %d\n%s", w.Code, w.Body)
	}
	if org, err := s.db.RecOrgOfClient(ctx, feed.ID); err != nil || org != "Demo CCA" {
		t.Errorf("the client acts for %q %v", org, err)
	}
}
