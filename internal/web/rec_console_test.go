package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/rec"
	"github.com/gridbook/gridbook/internal/rps"
	"github.com/gridbook/gridbook/internal/store"
	"golang.org/x/crypto/bcrypt"
)

// recSeed is a small registry on the test site: a generator (Desert Sun
// LLC) with an active and a retirement account and a certified solar
// facility issued 500 certificates of February 2026, and a CCA (Demo CCA)
// with active and retirement accounts.
type recSeed struct {
	gen, genRet, cca, ccaRet int64
	fac                      rec.Facility
	iss                      rec.Issuance
}

func seedRegistry(t *testing.T, s *testSite) recSeed {
	t.Helper()
	var r recSeed
	err := s.db.Registry(context.Background(), seedActor, func(ctx context.Context, reg *rec.Registry, tx *store.Tx) error {
		for _, a := range []struct {
			id        *int64
			org, name string
			kind      rec.AccountKind
		}{{&r.gen, "Desert Sun LLC", "Desert Sun active", rec.ActiveAccount}, {&r.genRet, "Desert Sun LLC", "Desert Sun retirement", rec.RetirementAccount},
			{&r.cca, "Demo CCA", "CCA active", rec.ActiveAccount}, {&r.ccaRet, "Demo CCA", "CCA RPS retirement", rec.RetirementAccount}} {
			acct, err := reg.OpenAccount(ctx, rec.Account{Org: a.org, Name: a.name, Kind: a.kind})
			if err != nil {
				return err
			}
			*a.id = acct.ID
		}
		var err error
		r.fac, err = reg.RegisterFacility(ctx, rec.Facility{AccountID: r.gen, Facility: rps.Facility{Name: "Desert Sun Solar", WREGISID: "W9001",
			Technology: rps.SolarPV, NameplateKW: 20_000, BalancingAuthority: "CISO", InCBA: true, State: "CA",
			COD: rps.Month{Year: 2020, Month: 1}.First(), Certifications: []rps.Certification{{Status: rps.Certified, From: rps.Month{Year: 2020, Month: 1}.First()}}}})
		if err != nil {
			return err
		}
		feb := rps.Month{Year: 2026, Month: 2}
		if _, err := reg.SubmitReport(ctx, rec.Report{FacilityID: r.fac.ID, Vintage: feb, Wh: 500_000_000, Source: "seed"}); err != nil {
			return err
		}
		r.iss, err = reg.Issue(ctx, r.fac.ID, feb)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// participant creates a participant user linked to org and signs it in.
func (s *testSite) participant(t *testing.T, email, org string) string {
	t.Helper()
	ctx := context.Background()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		u := auth.User{Email: email, Name: "Participant " + org, Role: auth.Participant}
		var err error
		if u.PasswordHash, err = auth.HashPassword(testPassword, bcrypt.MinCost); err != nil {
			return err
		}
		if err := tx.CreateUser(ctx, seedActor, &u); err != nil {
			return err
		}
		_, err = tx.LinkRecUser(ctx, seedActor, org, u.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s.login(t, "/login", email)
}

func id64(n int64) string { return strconv.FormatInt(n, 10) }

// TestParticipantConsoleSeesOnlyItsOrganization: a participant signs in
// to the registry; its pages list only its organization's accounts and
// facilities, another organization's account and facility answer 404, the
// rest of the console sends it back to the registry, and a transfer it
// sent cannot be accepted by it — only the receiver gets the buttons and
// the acceptance.
func TestParticipantConsoleSeesOnlyItsOrganization(t *testing.T) {
	s := newTestSite(t)
	seed := seedRegistry(t, s)
	sun := s.participant(t, "ops@desertsun.example", "Desert Sun LLC")
	cca := s.participant(t, "registry@cca.example", "Demo CCA")

	w := s.get(t, "/rec", sun)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Desert Sun active") || strings.Contains(w.Body.String(), "CCA active") {
		t.Errorf("the generator's registry page (%d) shows the wrong accounts:\n%s", w.Code, w.Body)
	}
	for _, path := range []string{"/rec/accounts/" + id64(seed.cca), "/rec/facilities/" + id64(seed.fac.ID)} {
		who := sun
		if strings.Contains(path, "facilities") {
			who = cca
		}
		if w := s.get(t, path, who); w.Code != http.StatusNotFound {
			t.Errorf("%s answered %d, want 404", path, w.Code)
		}
	}
	for _, path := range []string{"/", "/rps", "/rec/events", "/customers"} {
		if w := s.get(t, path, sun); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/rec" {
			t.Errorf("%s sent the participant to %d %q, want the registry", path, w.Code, w.Header().Get("Location"))
		}
	}

	// The generator sends 100 to the CCA from the API-side registry.
	var tr rec.Transfer
	err := s.db.Registry(context.Background(), seedActor, func(ctx context.Context, reg *rec.Registry, _ *store.Tx) error {
		var err error
		tr, err = reg.InitiateTransfer(ctx, rec.TransferCmd{BlockID: seed.iss.BlockID, Quantity: 100, To: seed.cca})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	page := s.get(t, "/rec/transfers", sun).Body.String()
	if strings.Contains(page, "/rec/transfers/"+id64(tr.ID)+"/accept") || !strings.Contains(page, "/rec/transfers/"+id64(tr.ID)+"/cancel") {
		t.Errorf("the sender's inbox offers the wrong buttons")
	}
	events := countEvents(t, s.db)
	s.post(t, "/rec/transfers/"+id64(tr.ID)+"/accept", sun, url.Values{})
	if got, _ := s.db.RecTransfer(context.Background(), tr.ID); got.Status != rec.TransferPending || countEvents(t, s.db) != events {
		t.Errorf("the sender accepted its own transfer: %+v", got)
	}
	if !strings.Contains(s.get(t, "/rec/transfers", cca).Body.String(), "/rec/transfers/"+id64(tr.ID)+"/accept") {
		t.Errorf("the receiver has no Accept button")
	}
	if w := s.post(t, "/rec/transfers/"+id64(tr.ID)+"/accept", cca, url.Values{}); w.Code != http.StatusSeeOther {
		t.Fatalf("accept: %d", w.Code)
	}
	if got, _ := s.db.RecTransfer(context.Background(), tr.ID); got.Status != rec.TransferAccepted {
		t.Errorf("the receiver's acceptance: %+v", got)
	}
}
