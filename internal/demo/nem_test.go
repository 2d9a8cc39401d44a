package demo

import (
	"context"
	"testing"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/store"
)

// TestDemoNEMApplicationsMatchTheEnrollments: every solar home has one
// interconnected application whose PTO is its enrollment's start and
// whose vintage (by application date) is its enrollment's track; homes in
// process have applications in several statuses and no enrollment; the
// installer login acts for Sunrise Solar.
func TestDemoNEMApplicationsMatchTheEnrollments(t *testing.T) {
	db, s := sample(t, 200)
	ctx := context.Background()
	apps, err := db.NEMApplications(ctx, store.NEMFilter{})
	if err != nil {
		t.Fatal(err)
	}
	byAccount := map[int64][]nem.Application{}
	statuses := map[nem.Status]int{}
	for _, a := range apps {
		byAccount[a.AccountID] = append(byAccount[a.AccountID], a)
		statuses[a.Status]++
		if a.Status.Open() && a.Submitted.IsZero() {
			t.Errorf("%s is %s without a submission date", a.Number, a.Status)
		}
	}
	solar := 0
	accts, err := db.Accounts(ctx, store.AccountFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		es, err := db.Enrollments(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.Program != ProgramNEM {
				continue
			}
			solar++
			got := byAccount[a.ID]
			if len(got) != 1 || got[0].PTO != e.From || got[0].Vintage.Program != e.Track || got[0].EnrollmentID != e.ID ||
				got[0].Status != nem.Active {
				t.Errorf("account %s enrolled %s/%s from %s: applications %+v", a.Number, e.Program, e.Track, e.From, got)
				continue
			}
			if v := nem.SCEVintages.VintageOf(got[0].Submitted, false); v.Program != e.Track {
				t.Errorf("%s applied %s: vintage %s, enrollment track %s", got[0].Number, got[0].Submitted, v.Program, e.Track)
			}
		}
	}
	if solar != s.Solar || statuses[nem.Active] != solar {
		t.Errorf("%d solar homes, %d active applications, summary %d", solar, statuses[nem.Active], s.Solar)
	}
	open := 0
	for st, n := range statuses {
		if st.Open() {
			open += n
		}
	}
	if open == 0 {
		t.Errorf("no applications in process: %v", statuses)
	}
	u, err := db.UserByEmail(ctx, installerLogin)
	if err != nil {
		t.Fatal(err)
	}
	in, err := db.InstallerOfUser(ctx, u.ID)
	if err != nil || in.Name != "Sunrise Solar Inc." {
		t.Errorf("installer login acts for %+v (%v)", in, err)
	}
	// The report over the records runs and counts every interconnection.
	today := calendar.DateOf(db.Now())
	recs, err := db.NEMCapRecords(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := nem.BuildCapReport(recs, nem.SCECap, nem.Month{Year: today.Year, Month: today.Month})
	if int(r.InstalledCount) != solar {
		t.Errorf("cap report installed %d, want %d", r.InstalledCount, solar)
	}
}
