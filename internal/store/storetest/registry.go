package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

func testRegistryRoundTrip(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	c, p, a, m := seed(t, db)
	gc, err := db.Customer(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, gc); diff != "" {
		t.Errorf("customer round trip (-put +got):\n%s", diff)
	}
	gp, err := db.Premise(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, gp); diff != "" {
		t.Errorf("premise round trip (-put +got):\n%s", diff)
	}
	// 90001 is climate zone 8 in the CZ2010 ZIP table (research/programs.md §2.5).
	if gp.ClimateZone != 8 {
		t.Errorf("premise climate zone = %d, want 8", gp.ClimateZone)
	}
	ga, err := db.Account(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, ga); diff != "" {
		t.Errorf("account round trip (-put +got):\n%s", diff)
	}
	if ga.Household == nil || ga.Household.Size != 4 || ga.Household.AnnualIncome != 6430000 {
		t.Errorf("household = %+v, want 4 persons, 6430000 cents", ga.Household)
	}
	gm, err := db.Meter(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, gm); diff != "" {
		t.Errorf("meter round trip (-put +got):\n%s", diff)
	}
	if !gc.Created.Equal(t0) || !gc.Updated.Equal(t0) {
		t.Errorf("customer created %v updated %v, want both %v", gc.Created, gc.Updated, t0)
	}
}

func testCustomers(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	c := customer.Customer{Kind: customer.Organization, Name: "Acme Farms", Email: "ops@acme.example", Phone: "805-555-0100",
		MailingAddress: "PO Box 7, Oxnard CA"}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateCustomer(ctx, staff, &c) })
	if c.ID <= 0 {
		t.Fatalf("CreateCustomer set ID %d", c.ID)
	}
	t1 := t0.Add(time.Hour)
	setClock(db, t1)
	upd := c
	upd.Name, upd.Email, upd.Kind = "Acme Farms LLC", "", customer.Organization
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateCustomer(ctx, staff, &upd) })
	got, err := db.Customer(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Acme Farms LLC" || got.Email != "" || got.Phone != "805-555-0100" {
		t.Errorf("after update: %+v", got)
	}
	if !got.Created.Equal(t0) || !got.Updated.Equal(t1) {
		t.Errorf("created %v updated %v, want %v and %v", got.Created, got.Updated, t0, t1)
	}

	_, err = db.Customer(ctx, c.ID+1000)
	wantErr(t, "Customer(missing)", err, apperr.NotFound, "")
	missing := customer.Customer{ID: c.ID + 1000, Kind: customer.Person, Name: "Nobody"}
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateCustomer(ctx, staff, &missing) })
	wantErr(t, "UpdateCustomer(missing)", err, apperr.NotFound, "")
	bad := customer.Customer{Kind: "household", Name: ""}
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateCustomer(ctx, staff, &bad) })
	wantErr(t, "CreateCustomer(invalid)", err, apperr.Invalid, "kind,name")
	badUpd := got
	badUpd.Email = "not an email"
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateCustomer(ctx, staff, &badUpd) })
	wantErr(t, "UpdateCustomer(invalid)", err, apperr.Invalid, "email")
}

// createCustomers inserts customers named by names (all persons unless the
// name ends in "Inc") and returns their IDs in order.
func createCustomers(t *testing.T, db *store.DB, names ...string) []int64 {
	t.Helper()
	var ids []int64
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		for _, n := range names {
			c := customer.Customer{Kind: customer.Person, Name: n}
			if len(n) > 3 && n[len(n)-3:] == "Inc" {
				c.Kind = customer.Organization
			}
			if err := tx.CreateCustomer(ctx, staff, &c); err != nil {
				return err
			}
			ids = append(ids, c.ID)
		}
		return nil
	})
	return ids
}

func customerIDs(cs []customer.Customer) []int64 {
	out := []int64{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func testCustomerPagination(t *testing.T, db *store.DB) {
	ctx := context.Background()
	ids := createCustomers(t, db, "C1", "C2 Inc", "C3", "C4", "C5 Inc", "C6", "C7")
	var seen []int64
	var pages []int
	after := int64(0)
	for range 10 {
		page, err := db.Customers(ctx, store.CustomerFilter{After: after, Limit: 3})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		pages = append(pages, len(page))
		seen = append(seen, customerIDs(page)...)
		after = page[len(page)-1].ID
	}
	if !slices.Equal(pages, []int{3, 3, 1}) {
		t.Errorf("page sizes %v, want [3 3 1]", pages)
	}
	if !slices.Equal(seen, ids) {
		t.Errorf("pages gave %v, want every customer once in order %v", seen, ids)
	}
	orgs, err := db.Customers(ctx, store.CustomerFilter{Kind: customer.Organization})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := customerIDs(orgs), []int64{ids[1], ids[4]}; !slices.Equal(got, want) {
		t.Errorf("organizations %v, want %v", got, want)
	}
	orgPage, err := db.Customers(ctx, store.CustomerFilter{Kind: customer.Organization, After: ids[1]})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := customerIDs(orgPage), []int64{ids[4]}; !slices.Equal(got, want) {
		t.Errorf("organizations after %d: %v, want %v", ids[1], got, want)
	}
}

func testCustomerSearch(t *testing.T, db *store.DB) {
	ctx := context.Background()
	var ana, bo, pct, under, plain, slash int64
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		mk := func(id *int64, name, email string) error {
			c := newCustomer(name, email)
			err := tx.CreateCustomer(ctx, staff, &c)
			*id = c.ID
			return err
		}
		for _, e := range []error{
			mk(&ana, "Ana Reyes", "Ana.Reyes@Example.org"),
			mk(&bo, "Bo Chen", "bo@mail.example"),
			mk(&pct, "100% Solar Co", ""),
			mk(&under, "A_B Farms", ""),
			mk(&plain, "AxB Farms 1000 Solar", ""),
			mk(&slash, `Back\Slash Ltd`, ""),
		} {
			if e != nil {
				return e
			}
		}
		p := newPremise("742 Evergreen Terrace", "90012", "06037", "Unincorporated Los Angeles County")
		if err := tx.CreatePremise(ctx, staff, &p); err != nil {
			return err
		}
		a := newAccount("3100200300", customer.Customer{ID: bo}, p)
		return tx.CreateAccount(ctx, staff, &a)
	})
	tests := []struct {
		query string
		want  []int64
	}{
		{"reyes", []int64{ana}},                          // name, any case
		{"EXAMPLE.ORG", []int64{ana}},                    // email, any case
		{"3100200", []int64{bo}},                         // account number
		{"evergreen TERRACE", []int64{bo}},               // premise address, any case
		{"100%", []int64{pct}},                           // % is literal, so "1000 Solar" does not match
		{"a_b", []int64{under}},                          // _ is literal, so "AxB" does not match
		{`k\s`, []int64{slash}},                          // backslash is literal
		{"%", []int64{pct}},                              // a bare % matches only a literal %
		{"solar", []int64{pct, plain}},                   // substring anywhere
		{"zzz", []int64{}},                               // nothing
		{"", []int64{ana, bo, pct, under, plain, slash}}, // empty query lists all
	}
	for _, tt := range tests {
		got, err := db.Customers(ctx, store.CustomerFilter{Query: tt.query})
		if err != nil {
			t.Fatalf("search %q: %v", tt.query, err)
		}
		if ids := customerIDs(got); !slices.Equal(ids, tt.want) {
			t.Errorf("search %q = %v, want %v", tt.query, ids, tt.want)
		}
	}
}

func testPremises(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	// Lancaster 93534 (zone 14) and Oxnard 93030 (zone 6) from
	// research/programs.md §2.5.
	ps := []customer.Premise{
		{Address: "1 A St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037", MemberAgency: "Hawthorne", TractGEOID: "06037102105"},
		{Address: "2 B St", City: "Lancaster", ZIP: "93534", CountyFIPS: "06037", MemberAgency: "Unincorporated Los Angeles County", HFTDTier: 2},
		{Address: "3 C St", City: "Lancaster", ZIP: "93534", CountyFIPS: "06037", MemberAgency: "Unincorporated Los Angeles County", HFTDTier: 3},
		{Address: "4 D St", City: "Oxnard", ZIP: "93030", CountyFIPS: "06111", MemberAgency: "Oxnard"},
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		for i := range ps {
			if err := tx.CreatePremise(ctx, staff, &ps[i]); err != nil {
				return err
			}
		}
		return nil
	})
	ids := func(list []customer.Premise) []int64 {
		out := []int64{}
		for _, p := range list {
			out = append(out, p.ID)
		}
		return out
	}
	yes, no := true, false
	two, zero := 2, 0
	tests := []struct {
		name string
		f    store.PremiseFilter
		want []int64
	}{
		{"all", store.PremiseFilter{}, ids(ps)},
		{"zip", store.PremiseFilter{ZIP: "93534"}, []int64{ps[1].ID, ps[2].ID}},
		{"member agency", store.PremiseFilter{MemberAgency: "Oxnard"}, []int64{ps[3].ID}},
		{"dac", store.PremiseFilter{DAC: &yes}, []int64{ps[0].ID}},
		{"not dac", store.PremiseFilter{DAC: &no}, []int64{ps[1].ID, ps[2].ID, ps[3].ID}},
		{"hftd tier 2", store.PremiseFilter{HFTDTier: &two}, []int64{ps[1].ID}},
		{"hftd tier 0", store.PremiseFilter{HFTDTier: &zero}, []int64{ps[0].ID, ps[3].ID}},
		{"page 1", store.PremiseFilter{Limit: 2}, []int64{ps[0].ID, ps[1].ID}},
		{"page 2", store.PremiseFilter{Limit: 2, After: ps[1].ID}, []int64{ps[2].ID, ps[3].ID}},
		{"page 3", store.PremiseFilter{Limit: 2, After: ps[3].ID}, []int64{}},
	}
	for _, tt := range tests {
		got, err := db.Premises(ctx, tt.f)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if g := ids(got); !slices.Equal(g, tt.want) {
			t.Errorf("Premises(%s) = %v, want %v", tt.name, g, tt.want)
		}
	}

	// Moving a premise re-resolves it: 90401 (Santa Monica) is zone 6.
	t1 := t0.Add(time.Hour)
	setClock(db, t1)
	moved := ps[0]
	moved.ZIP, moved.TractGEOID, moved.City = "90401", "", "Santa Monica"
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.UpdatePremise(ctx, staff, &moved) })
	got, err := db.Premise(ctx, moved.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ClimateZone != 6 || got.DAC || got.DACCategory != "" || got.City != "Santa Monica" {
		t.Errorf("after update: zone %d dac %v %q city %q; want 6, false, \"\", Santa Monica", got.ClimateZone, got.DAC, got.DACCategory, got.City)
	}
	if !got.Created.Equal(t0) || !got.Updated.Equal(t1) {
		t.Errorf("created %v updated %v, want %v and %v", got.Created, got.Updated, t0, t1)
	}
	_, err = db.Premise(ctx, ps[3].ID+1000)
	wantErr(t, "Premise(missing)", err, apperr.NotFound, "")
	gone := moved
	gone.ID += 1000
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.UpdatePremise(ctx, staff, &gone) })
	wantErr(t, "UpdatePremise(missing)", err, apperr.NotFound, "")
}

func testAccounts(t *testing.T, db *store.DB) {
	ctx := context.Background()
	c, p, a, _ := seed(t, db)
	c2 := newCustomer("Bo Chen", "")
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateCustomer(ctx, staff, &c2) })

	byNum, err := db.AccountByNumber(ctx, "7000000001")
	if err != nil || byNum.ID != a.ID {
		t.Fatalf("AccountByNumber = %d, %v; want %d", byNum.ID, err, a.ID)
	}
	_, err = db.AccountByNumber(ctx, "7999999999")
	wantErr(t, "AccountByNumber(missing)", err, apperr.NotFound, "")
	_, err = db.Account(ctx, a.ID+1000)
	wantErr(t, "Account(missing)", err, apperr.NotFound, "")

	dup := newAccount("7000000001", c2, p)
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateAccount(ctx, staff, &dup) })
	wantErr(t, "duplicate account number", err, apperr.Conflict, "")

	refs := []struct {
		name       string
		cust, prem int64
		fields     string
	}{
		{"missing customer", c.ID + 1000, p.ID, "customer_id"},
		{"missing premise", c.ID, p.ID + 1000, "premise_id"},
		{"both missing", c.ID + 1000, p.ID + 1000, "customer_id,premise_id"},
	}
	for _, r := range refs {
		acct := newAccount("7000000099", customer.Customer{ID: r.cust}, customer.Premise{ID: r.prem})
		err := txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateAccount(ctx, staff, &acct) })
		wantErr(t, r.name, err, apperr.Invalid, r.fields)
	}

	// Update: move to the other customer, end service, drop the household.
	second := newAccount("7000000002", c2, p)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateAccount(ctx, staff, &second) })
	upd := a
	upd.CustomerID, upd.RateSchedule, upd.ServiceEnd, upd.Household = c2.ID, "tou-d-5-8pm", day(2026, 1, 1), nil
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateAccount(ctx, staff, &upd) })
	got, err := db.Account(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.CustomerID != c2.ID || got.RateSchedule != "TOU-D-5-8PM" || got.ServiceEnd != day(2026, 1, 1) || got.Household != nil {
		t.Errorf("after update: %+v", got)
	}
	// Taking another account's number is a conflict; refs are checked too.
	clash := got
	clash.Number = "7000000002"
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateAccount(ctx, staff, &clash) })
	wantErr(t, "update to a taken number", err, apperr.Conflict, "")
	orphan := got
	orphan.PremiseID = p.ID + 1000
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateAccount(ctx, staff, &orphan) })
	wantErr(t, "update to a missing premise", err, apperr.Invalid, "premise_id")
	gone := got
	gone.ID += 1000
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateAccount(ctx, staff, &gone) })
	wantErr(t, "UpdateAccount(missing)", err, apperr.NotFound, "")
}

func testAccountFilters(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	var acc [6]customer.Account
	var cA, cB customer.Customer
	var pLA, pLan customer.Premise
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		cA, cB = newCustomer("A", ""), newCustomer("B", "")
		if err := tx.CreateCustomer(ctx, staff, &cA); err != nil {
			return err
		}
		if err := tx.CreateCustomer(ctx, staff, &cB); err != nil {
			return err
		}
		// 06037102105 is a designated Los Angeles tract (SB 535 list).
		pLA = customer.Premise{Address: "1 A St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037", MemberAgency: "Hawthorne", TractGEOID: "06037102105"}
		pLan = customer.Premise{Address: "2 B St", City: "Lancaster", ZIP: "93534", CountyFIPS: "06037", MemberAgency: "Unincorporated Los Angeles County"}
		if err := tx.CreatePremise(ctx, staff, &pLA); err != nil {
			return err
		}
		if err := tx.CreatePremise(ctx, staff, &pLan); err != nil {
			return err
		}
		specs := []struct {
			num   string
			c     customer.Customer
			p     customer.Premise
			class customer.Class
			lse   customer.LSE
			rate  string
		}{
			{"5100000001", cA, pLA, customer.Residential, customer.CCA, "TOU-D-4-9PM"},
			{"5100000002", cA, pLan, customer.Commercial, customer.CCA, "TOU-GS-1-D"},
			{"5200000003", cB, pLA, customer.Residential, customer.Bundled, "TOU-D-4-9PM"},
			{"5200000004", cB, pLan, customer.Residential, customer.CCA, "TOU-D-5-8PM"},
			{"5300000005", cB, pLan, customer.Agricultural, customer.CCA, "TOU-PA-2-D"},
			{"5300000006", cA, pLA, customer.Municipal, customer.Bundled, "TOU-GS-1-D"},
		}
		for i, s := range specs {
			acc[i] = newAccount(s.num, s.c, s.p)
			acc[i].Class, acc[i].LSE, acc[i].RateSchedule = s.class, s.lse, s.rate
			if err := tx.CreateAccount(ctx, staff, &acc[i]); err != nil {
				return err
			}
		}
		// CARE on accounts 0 (ended 2026-06-15) and 2 (open); FERA on 3 from 2026-06-15.
		for _, e := range []customer.Enrollment{
			{AccountID: acc[0].ID, Program: customer.ProgramCARE, From: day(2025, 1, 1), To: day(2026, 6, 15), Note: "utility certified"},
			{AccountID: acc[2].ID, Program: customer.ProgramCARE, From: day(2025, 1, 1), Note: "utility certified"},
			{AccountID: acc[3].ID, Program: customer.ProgramFERA, From: day(2026, 6, 15), Note: "utility certified"},
		} {
			if err := tx.Enroll(ctx, staff, &e); err != nil {
				return err
			}
		}
		return nil
	})
	id := func(is ...int) []int64 {
		out := []int64{}
		for _, i := range is {
			out = append(out, acc[i].ID)
		}
		return out
	}
	yes, no := true, false
	tests := []struct {
		name string
		f    store.AccountFilter
		want []int64
	}{
		{"all", store.AccountFilter{}, id(0, 1, 2, 3, 4, 5)},
		{"customer", store.AccountFilter{CustomerID: cB.ID}, id(2, 3, 4)},
		{"premise", store.AccountFilter{PremiseID: pLan.ID}, id(1, 3, 4)},
		{"class", store.AccountFilter{Class: customer.Residential}, id(0, 2, 3)},
		{"lse", store.AccountFilter{LSE: customer.Bundled}, id(2, 5)},
		{"rate schedule", store.AccountFilter{RateSchedule: "TOU-GS-1-D"}, id(1, 5)},
		{"member agency", store.AccountFilter{MemberAgency: "Unincorporated Los Angeles County"}, id(1, 3, 4)},
		{"dac", store.AccountFilter{DAC: &yes}, id(0, 2, 5)},
		{"not dac", store.AccountFilter{DAC: &no}, id(1, 3, 4)},
		{"care on 2026-06-14", store.AccountFilter{Program: "care", On: day(2026, 6, 14)}, id(0, 2)},
		{"care on 2026-06-15 (first has ended)", store.AccountFilter{Program: "care", On: day(2026, 6, 15)}, id(2)},
		{"fera on 2026-06-14 (not started)", store.AccountFilter{Program: "fera", On: day(2026, 6, 14)}, id()},
		{"care today (clock 2026-06-15)", store.AccountFilter{Program: "care"}, id(2)},
		{"number prefix", store.AccountFilter{Number: "52"}, id(2, 3)},
		{"number prefix wildcard is literal", store.AccountFilter{Number: "5_"}, id()},
		{"ids", store.AccountFilter{IDs: id(1, 4)}, id(1, 4)},
		{"ids with other filter", store.AccountFilter{IDs: id(1, 4), Class: customer.Commercial}, id(1)},
		{"empty ids match nothing", store.AccountFilter{IDs: []int64{}}, id()},
		{"combined", store.AccountFilter{CustomerID: cA.ID, LSE: customer.CCA}, id(0, 1)},
		{"page 1", store.AccountFilter{Limit: 4}, id(0, 1, 2, 3)},
		{"page 2", store.AccountFilter{Limit: 4, After: acc[3].ID}, id(4, 5)},
		{"page 3", store.AccountFilter{Limit: 4, After: acc[5].ID}, id()},
	}
	for _, tt := range tests {
		got, err := db.Accounts(ctx, tt.f)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		ids := []int64{}
		for _, a := range got {
			ids = append(ids, a.ID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("Accounts(%s) = %v, want %v", tt.name, ids, tt.want)
		}
	}
}

func testMeters(t *testing.T, db *store.DB) {
	ctx := context.Background()
	_, _, a, m := seed(t, db)
	m2 := customer.Meter{AccountID: a.ID, Serial: "M-0002", IntervalSeconds: 900, Installed: day(2025, 3, 1), Removed: day(2026, 3, 1)}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateMeter(ctx, staff, &m2) })
	if len(m2.Channels) != 1 || m2.Channels[0].ID <= 0 || m2.Channels[0].Direction != customer.Delivered || m2.Channels[0].IntervalSeconds != 900 {
		t.Fatalf("default channel = %+v", m2.Channels)
	}
	ms, err := db.Meters(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]customer.Meter{m, m2}, ms); diff != "" {
		t.Errorf("Meters (-want +got):\n%s", diff)
	}
	ch, err := db.Channel(ctx, m.Channels[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if ch != m.Channels[1] {
		t.Errorf("Channel = %+v, want %+v", ch, m.Channels[1])
	}
	_, err = db.Channel(ctx, m2.Channels[0].ID+1000)
	wantErr(t, "Channel(missing)", err, apperr.NotFound, "")
	_, err = db.Meter(ctx, m2.ID+1000)
	wantErr(t, "Meter(missing)", err, apperr.NotFound, "")
	if none, err := db.Meters(ctx, a.ID+1000); err != nil || len(none) != 0 {
		t.Errorf("Meters(missing account) = %v, %v; want none", none, err)
	}

	// Update: remove M-0002 and add a received channel (solar installed).
	upd := m2
	upd.Removed = day(2026, 4, 1)
	upd.Channels = append(slices.Clone(m2.Channels), customer.Channel{Direction: customer.Received})
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateMeter(ctx, staff, &upd) })
	gm, err := db.Meter(ctx, m2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if gm.Removed != day(2026, 4, 1) || len(gm.Channels) != 2 || gm.Channels[0].ID != m2.Channels[0].ID ||
		gm.Channels[1].Direction != customer.Received || gm.Channels[1].IntervalSeconds != 900 {
		t.Errorf("after update: %+v", gm)
	}
	badUpdates := []struct {
		name   string
		edit   func(m *customer.Meter)
		kind   apperr.Kind
		fields string
	}{
		{"change the interval", func(m *customer.Meter) { m.IntervalSeconds = 3600; m.Channels = nil }, apperr.Invalid, "interval_seconds"},
		{"drop a channel", func(m *customer.Meter) { m.Channels = m.Channels[:1] }, apperr.Invalid, "channels"},
		{"take another meter's serial", func(m *customer.Meter) { m.Serial = "M-0001" }, apperr.Conflict, ""},
		{"move to a missing account", func(m *customer.Meter) { m.AccountID += 1000 }, apperr.Invalid, "account_id"},
		{"missing meter", func(m *customer.Meter) { m.ID += 1000 }, apperr.NotFound, ""},
	}
	for _, b := range badUpdates {
		bm := gm
		bm.Channels = slices.Clone(gm.Channels)
		b.edit(&bm)
		err := txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateMeter(ctx, staff, &bm) })
		wantErr(t, "UpdateMeter: "+b.name, err, b.kind, b.fields)
	}

	// List with filters and cursor pages.
	m3 := customer.Meter{AccountID: a.ID, Serial: "M-0003", IntervalSeconds: 900, Installed: day(2025, 3, 1)}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateMeter(ctx, staff, &m3) })
	meterIDs := func(ms []customer.Meter) []int64 {
		out := []int64{}
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	lists := []struct {
		name string
		f    store.MeterFilter
		want []int64
	}{
		{"all", store.MeterFilter{}, []int64{m.ID, m2.ID, m3.ID}},
		{"serial", store.MeterFilter{Serial: "M-0002"}, []int64{m2.ID}},
		{"account", store.MeterFilter{AccountID: a.ID + 1000}, []int64{}},
		{"accounts of a portal user", store.MeterFilter{IDs: []int64{a.ID}}, []int64{m.ID, m2.ID, m3.ID}},
		{"no accounts", store.MeterFilter{IDs: []int64{}}, []int64{}},
		{"page 1", store.MeterFilter{Limit: 2}, []int64{m.ID, m2.ID}},
		{"page 2", store.MeterFilter{Limit: 2, After: m2.ID}, []int64{m3.ID}},
	}
	for _, l := range lists {
		got, err := db.MeterList(ctx, l.f)
		if err != nil {
			t.Fatalf("MeterList(%s): %v", l.name, err)
		}
		if ids := meterIDs(got); !slices.Equal(ids, l.want) {
			t.Errorf("MeterList(%s) = %v, want %v", l.name, ids, l.want)
		}
	}

	dup := customer.Meter{AccountID: a.ID, Serial: "M-0001", IntervalSeconds: 900, Installed: day(2025, 1, 1)}
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateMeter(ctx, staff, &dup) })
	wantErr(t, "duplicate serial", err, apperr.Conflict, "")
	orphan := customer.Meter{AccountID: a.ID + 1000, Serial: "M-0005", IntervalSeconds: 900, Installed: day(2025, 1, 1)}
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateMeter(ctx, staff, &orphan) })
	wantErr(t, "meter for a missing account", err, apperr.Invalid, "account_id")
	bad := customer.Meter{AccountID: a.ID, Serial: "M-0004", IntervalSeconds: 600, Installed: day(2025, 1, 1),
		Channels: []customer.Channel{{Direction: customer.Delivered, IntervalSeconds: 900}}}
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateMeter(ctx, staff, &bad) })
	wantErr(t, "10-minute meter", err, apperr.Invalid, "interval_seconds")
}

// accountNumber formats the n-th test account number.
func accountNumber(n int) string { return fmt.Sprintf("80000%05d", n) }

// testPremiseHomeAttributes: a premise's home attributes round-trip
// (coordinates to the micro-degree), an update clears and sets them and is
// audited, and bad values are refused naming the field, writing nothing.
func testPremiseHomeAttributes(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	p := newPremise("1685 Main St", "90401", "06037", "Santa Monica")
	p.Home = customer.Home{DwellingType: "single_family", HeatingFuel: "gas", FloorAreaSqFt: 1450, YearBuilt: 1952,
		Location: &customer.Location{Lat: 34.0114, Lon: -118.4914, Source: "geocoded"}}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreatePremise(ctx, staff, &p) })
	got, err := db.Premise(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("home round trip (-put +got):\n%s", diff)
	}
	got.Home = customer.Home{DwellingType: "multifamily", HeatingFuel: "heat_pump"}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.UpdatePremise(ctx, staff, &got) })
	again, err := db.Premise(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Home.Location != nil || again.Home.FloorAreaSqFt != 0 || again.Home.HeatingFuel != "heat_pump" {
		t.Errorf("after update %+v", again.Home)
	}
	// t0 is in 2026: a year built of 2028 is later than next year.
	bad := again
	bad.Home = customer.Home{YearBuilt: 2028, FloorAreaSqFt: 50, Location: &customer.Location{Lat: 34, Lon: -118.4}}
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.UpdatePremise(ctx, staff, &bad) })
	wantErr(t, "UpdatePremise(bad home)", err, apperr.Invalid, "floor_area_sqft,year_built,location.source")
	for _, f := range []string{"floor_area_sqft", "location.source"} {
		if !slices.ContainsFunc(apperr.FieldsOf(err), func(fe apperr.FieldError) bool { return fe.Field == f }) {
			t.Errorf("error %v does not name %s", err, f)
		}
	}
	unchanged, err := db.Premise(ctx, p.ID)
	if err != nil || unchanged.Home.HeatingFuel != "heat_pump" {
		t.Errorf("a refused update changed the premise: %+v %v", unchanged.Home, err)
	}
}
