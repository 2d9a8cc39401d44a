package api

import (
	"context"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// participant creates a participant user of org with a session, linked
// to the organization unless org is empty, and returns its credentials.
func (e *rpsEnv) participant(email, org string) cred {
	e.t.Helper()
	ctx := context.Background()
	var tok string
	err := e.db.InTx(ctx, func(tx *store.Tx) error {
		u := auth.User{Email: email, Name: email, Role: auth.Participant, PasswordHash: "x"}
		if err := tx.CreateUser(ctx, seedActor, &u); err != nil {
			return err
		}
		if org != "" {
			if _, err := tx.LinkRecUser(ctx, seedActor, org, u.ID); err != nil {
				return err
			}
		}
		var err error
		tok, _, err = tx.CreateSession(ctx, u.ID)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return session(tok)
}

// orgClient creates a rec:write API client linked to org.
func (e *rpsEnv) orgClient(name, org string) cred {
	e.t.Helper()
	ctx := context.Background()
	var tok string
	err := e.db.InTx(ctx, func(tx *store.Tx) error {
		c := auth.Client{Name: name, Scopes: []string{auth.ScopeRECWrite}}
		var err error
		if tok, err = tx.CreateClient(ctx, seedActor, &c); err != nil {
			return err
		}
		_, err = tx.LinkRecClient(ctx, seedActor, org, c.ID)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return bearer(tok)
}

// TestRegistryParticipantsSeeOnlyTheirOwn: a participant user and a
// client linked to an organization list only their organization's
// accounts; another organization's account, block and transfer answer
// 404; a transfer is accepted only by its receiver (the sender gets 403,
// a third organization 404) and nothing changes on refusal; the RPS
// ledger, the event log, imports and the customer registry are closed to
// participants; staff still see everything.
func TestRegistryParticipantsSeeOnlyTheirOwn(t *testing.T) {
	e := newRPSEnv(t, storetest.SQLite())
	var gen, genRet, cca, other idOnly
	e.post("/api/v1/rec/accounts", obj{"org": "Desert Sun LLC", "name": "active", "kind": "active"}, e.recClient, 201, &gen)
	e.post("/api/v1/rec/accounts", obj{"org": "Desert Sun LLC", "name": "retirement", "kind": "retirement"}, e.recClient, 201, &genRet)
	e.post("/api/v1/rec/accounts", obj{"org": "Demo CCA", "name": "active", "kind": "active"}, e.recClient, 201, &cca)
	e.post("/api/v1/rec/accounts", obj{"org": "Other ESP", "name": "active", "kind": "active"}, e.recClient, 201, &other)
	var fac idOnly
	e.post("/api/v1/rec/facilities", obj{"name": "Desert Sun Solar", "wregis_id": "W9001", "technology": "solar_pv", "nameplate_kw": 20000,
		"cod": "2019-01-01", "state": "CA", "account_id": gen.ID, "certifications": []obj{{"status": "certified", "from": "2019-01-01"}}}, e.recClient, 201, &fac)
	sun := e.participant("ops@desertsun.example", "Desert Sun LLC")
	ccaBot := e.orgClient("cca-registry-feed", "Demo CCA")
	esp := e.orgClient("esp-feed", "Other ESP")

	// The generator reports and issues its own facility's month.
	e.post("/api/v1/rec/facilities/"+itoa(fac.ID)+"/reports", obj{"vintage": "2026-03", "generation_wh": 500_000_000}, sun, 201, nil)
	var iss idOnly
	e.post("/api/v1/rec/facilities/"+itoa(fac.ID)+"/issuances", obj{"vintage": "2026-03"}, sun, 201, &iss)

	var accts struct {
		Data []struct {
			ID  int64  `json:"id"`
			Org string `json:"org"`
		} `json:"data"`
	}
	e.do("GET", "/api/v1/rec/accounts", "", sun).want(t, 200).decode(t, &accts)
	if len(accts.Data) != 2 || accts.Data[0].Org != "Desert Sun LLC" || accts.Data[1].Org != "Desert Sun LLC" {
		t.Errorf("the generator lists %+v", accts.Data)
	}
	e.do("GET", "/api/v1/rec/accounts", "", e.analyst).want(t, 200).decode(t, &accts)
	if len(accts.Data) != 4 {
		t.Errorf("staff list %d accounts, want 4", len(accts.Data))
	}
	e.do("GET", "/api/v1/rec/accounts/"+itoa(gen.ID), "", sun).want(t, 200)
	for _, path := range []string{"/api/v1/rec/accounts/" + itoa(cca.ID), "/api/v1/rec/blocks?account_id=" + itoa(cca.ID)} {
		e.do("GET", path, "", sun).want(t, 404)
	}
	e.do("GET", "/api/v1/rec/blocks/"+itoa(iss.BlockID), "", ccaBot).want(t, 404)
	e.do("GET", "/api/v1/rec/facilities/"+itoa(fac.ID), "", ccaBot).want(t, 404)
	var facs struct {
		Data []idOnly `json:"data"`
	}
	e.do("GET", "/api/v1/rec/facilities", "", ccaBot).want(t, 200).decode(t, &facs)
	if len(facs.Data) != 0 {
		t.Errorf("the CCA lists the generator's facility: %+v", facs)
	}

	// The CCA cannot move the generator's certificates.
	before := e.rpsRows()
	e.post("/api/v1/rec/transfers", obj{"block_id": iss.BlockID, "quantity": 10, "to_account_id": cca.ID}, ccaBot, 400, nil)
	var tr idOnly
	e.post("/api/v1/rec/transfers", obj{"block_id": iss.BlockID, "quantity": 100, "to_account_id": cca.ID}, sun, 201, &tr)
	before = e.rpsRows()
	e.post("/api/v1/rec/transfers/"+itoa(tr.ID)+"/accept", obj{}, sun, 403, nil)
	e.post("/api/v1/rec/transfers/"+itoa(tr.ID)+"/accept", obj{}, esp, 404, nil)
	e.do("GET", "/api/v1/rec/transfers/"+itoa(tr.ID), "", esp).want(t, 404)
	e.post("/api/v1/rec/transfers/"+itoa(tr.ID)+"/cancel", obj{}, ccaBot, 403, nil)
	if e.rpsRows() != before {
		t.Errorf("refused resolutions stored something")
	}
	var inbox struct {
		Data []idOnly `json:"data"`
	}
	e.do("GET", "/api/v1/rec/transfers?status=pending", "", esp).want(t, 200).decode(t, &inbox)
	if len(inbox.Data) != 0 {
		t.Errorf("a third organization sees %+v", inbox)
	}
	e.do("GET", "/api/v1/rec/transfers?status=pending", "", ccaBot).want(t, 200).decode(t, &inbox)
	if len(inbox.Data) != 1 || inbox.Data[0].ID != tr.ID {
		t.Errorf("the receiver's inbox %+v", inbox)
	}
	e.post("/api/v1/rec/transfers/"+itoa(tr.ID)+"/accept", obj{}, ccaBot, 200, nil)

	// Everything beyond the organization's own registry accounts is closed.
	for _, c := range []struct {
		method, path string
		who          cred
	}{{"GET", "/api/v1/rps/position", sun}, {"GET", "/api/v1/rec/events", sun}, {"GET", "/api/v1/rec/verify", ccaBot},
		{"GET", "/api/v1/rps/contracts", ccaBot}, {"GET", "/api/v1/customers", sun}} {
		e.do(c.method, c.path, "", c.who).want(t, 403)
	}
	e.do("POST", "/api/v1/rec/imports", "Account,Organization\n", sun, "Content-Type", "text/csv").want(t, 403)
	e.post("/api/v1/rec/facilities/"+itoa(fac.ID)+"/certifications", obj{"status": "suspended", "from": "2026-05-01"}, sun, 403, nil)
	// A participant sign-in not yet linked to an organization sees nothing.
	e.do("GET", "/api/v1/rec/accounts", "", e.participant("new@esp.example", "")).want(t, 403)
}

// TestRegistryMembersThroughTheAPI: the registry operator links a
// participant user and a rec:write client to organizations holding
// accounts and lists the links; a link naming both or neither, an unknown
// user, a client without rec:write or an organization without accounts is
// refused naming the field with nothing written; participants may neither
// list nor link; every answer matches the OpenAPI document.
func TestRegistryMembersThroughTheAPI(t *testing.T) {
	e := newRPSEnv(t, storetest.SQLite())
	e.post("/api/v1/rec/accounts", obj{"org": "Desert Sun LLC", "name": "active", "kind": "active"}, e.recClient, 201, nil)
	e.post("/api/v1/rec/accounts", obj{"org": "Demo CCA", "name": "active", "kind": "active"}, e.recClient, 201, nil)
	ctx := context.Background()
	var ops auth.User
	var feed, reader auth.Client
	err := e.db.InTx(ctx, func(tx *store.Tx) error {
		ops = auth.User{Email: "ops@desertsun.example", Name: "Ops", Role: auth.Participant, PasswordHash: "x"}
		if err := tx.CreateUser(ctx, seedActor, &ops); err != nil {
			return err
		}
		feed = auth.Client{Name: "cca-feed", Scopes: []string{auth.ScopeRECWrite}}
		reader = auth.Client{Name: "members-reader", Scopes: []string{auth.ScopeRegistryRead}}
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
		body  obj
		field string
	}{
		{obj{"org": "Desert Sun LLC"}, "user_id"},
		{obj{"org": "Desert Sun LLC", "user_id": ops.ID, "client_id": feed.ID}, "user_id"},
		{obj{"org": "Desert Sun LLC", "user_id": 9999}, "user_id"},
		{obj{"org": "Demo CCA", "client_id": reader.ID}, "client"},
		{obj{"org": "Nobody Inc", "user_id": ops.ID}, "org"},
	} {
		res := e.post("/api/v1/rec/members", c.body, e.recClient, 400, nil)
		if !strings.Contains(string(res.body), `"field":"`+c.field+`"`) {
			t.Errorf("%v: %s, want a problem with %s", c.body, res.body, c.field)
		}
	}
	if ms, _ := e.db.RecMembers(ctx); len(ms) != 0 {
		t.Fatalf("refused links were written: %+v", ms)
	}
	var m store.RecMember
	e.post("/api/v1/rec/members", obj{"org": "Desert Sun LLC", "user_id": ops.ID}, e.recClient, 201, &m)
	if m.Org != "Desert Sun LLC" || m.UserID != ops.ID || m.Who != "ops@desertsun.example" {
		t.Errorf("link %+v", m)
	}
	e.post("/api/v1/rec/members", obj{"org": "Demo CCA", "client_id": feed.ID}, e.recClient, 201, nil)
	var list struct {
		Data []store.RecMember `json:"data"`
	}
	e.do("GET", "/api/v1/rec/members", "", e.recClient).want(t, 200).decode(t, &list)
	if len(list.Data) != 2 || list.Data[0].Who != "cca-feed" || list.Data[1].Who != "ops@desertsun.example" {
		t.Errorf("members %+v", list.Data)
	}
	sun := e.participant("ops2@desertsun.example", "Desert Sun LLC")
	e.do("GET", "/api/v1/rec/members", "", sun).want(t, 403)
	e.post("/api/v1/rec/members", obj{"org": "Desert Sun LLC", "client_id": reader.ID}, sun, 403, nil)
}
