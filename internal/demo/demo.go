package demo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/reference"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/tariff"
)

// Defaults and limits of Options.
const (
	DefaultAccounts = 2000
	DefaultYear     = 2025
	MaxAccounts     = 1_000_000
	// MinAccounts leaves room for the two showcase accounts the customer
	// logins are linked to.
	MinAccounts = 2
	// BatchSize is how many accounts go into one transaction.
	BatchSize = 1000
)

// Password is the password of every demo login. It is for demonstration
// databases only: never run a demo database where others can reach it.
const Password = "demo-password"

// bcryptCost is the cost the demo logins are hashed with (bcrypt's default).
const bcryptCost = 10

// Options control Generate.
type Options struct {
	Accounts int   // number of service accounts; 0 means DefaultAccounts
	Seed     int64 // the same seed and Accounts give the same data
	Year     int   // calendar year of the interval data; 0 means DefaultYear
	// Progress, when set, is called from Generate's goroutine after each
	// committed batch with the accounts written so far.
	Progress func(done, total int)
}

// Login is one demo user.
type Login struct {
	Email    string
	Role     auth.Role
	Password string
	Account  string // linked service account number (customer logins)
	About    string // what the linked account shows
}

// Summary counts what Generate wrote.
type Summary struct {
	Seed            int64
	Year            int
	Customers       int
	Accounts        int
	Residential     int
	Commercial      int
	Municipal       int
	Agricultural    int
	Bundled         int // accounts on bundled utility service (opted out of the CCA)
	CARE            int
	FERA            int
	MedicalBaseline int
	DAC             int // accounts at premises in SB 535 disadvantaged-community tracts
	HFTD            int // accounts at premises in fire-threat Tier 2 or 3
	Solar           int
	EV              int
	Thermostat      int
	PowerResponse   int
	PowerShare      int // CCA homes on CARE or FERA in a DAC enrolled in Power Share
	TariffVersions  int // shipped tariff versions stored for billing
	Meters          int
	Channels        int
	Readings        int64     // interval readings stored
	DeliveredWh     energy.Wh // total of the delivered channels
	ReceivedWh      energy.Wh // total of the received (export) channels
	PackedBytes     int64     // encoded interval data
	Logins          []Login
	// Incentives counts the programs, applications, coupons and payments.
	Incentives IncentiveSummary
	// RPS counts the demo's certificate registry and compliance book.
	RPS RPSSummary
	// DR counts the demo's demand-response season.
	DR DRSummary
	// EVCharging counts the demo's EV SmartCharge month.
	EVCharging EVSummary
	// EnergyTeamCases counts the demo's Energy Team cases.
	EnergyTeamCases int
	// Arrangements describe the demo's Virtual NEM property and NEM
	// Aggregation arrangement, billed together by the bill runs.
	Arrangements []string
}

// String renders the summary for the terminal.
func (s Summary) String() string {
	var b strings.Builder
	pct := func(n, of int) string {
		if of == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
	}
	fmt.Fprintf(&b, "demo CCA: seed %d, interval year %d\n", s.Seed, s.Year)
	fmt.Fprintf(&b, "customers %d, accounts %d (residential %d, commercial %d, municipal %d, agricultural %d; bundled %d)\n",
		s.Customers, s.Accounts, s.Residential, s.Commercial, s.Municipal, s.Agricultural, s.Bundled)
	fmt.Fprintf(&b, "CARE %d, FERA %d (%s of residential), medical baseline %d\n",
		s.CARE, s.FERA, pct(s.CARE+s.FERA, s.Residential), s.MedicalBaseline)
	fmt.Fprintf(&b, "DAC %d (%s), HFTD tier 2/3 %d (%s)\n", s.DAC, pct(s.DAC, s.Accounts), s.HFTD, pct(s.HFTD, s.Accounts))
	fmt.Fprintf(&b, "solar %d (%s), EV %d, smart thermostat %d, Power Response %d, Power Share %d\n",
		s.Solar, pct(s.Solar, s.Accounts), s.EV, s.Thermostat, s.PowerResponse, s.PowerShare)
	fmt.Fprintf(&b, "tariff versions stored for billing %d\n", s.TariffVersions)
	fmt.Fprintf(&b, "meters %d, channels %d, readings %d (delivered %s kWh, received %s kWh, %d MB packed)\n",
		s.Meters, s.Channels, s.Readings, s.DeliveredWh.KWhString(), s.ReceivedWh.KWhString(), s.PackedBytes>>20)
	fmt.Fprintf(&b, "incentives: %d programs, %d applications, %d coupons, %d payment batches, %s paid\n",
		s.Incentives.Programs, s.Incentives.Applications, s.Incentives.Coupons, s.Incentives.Batches, s.Incentives.PaidCents)
	fmt.Fprintf(&b, "%s\n", s.RPS)
	fmt.Fprintf(&b, "%s\n", s.DR)
	fmt.Fprintf(&b, "%s\n", s.EVCharging)
	fmt.Fprintf(&b, "energy team: %d advisor cases (/energy-team)\n", s.EnergyTeamCases)
	for _, a := range s.Arrangements {
		fmt.Fprintf(&b, "%s\n", a)
	}
	fmt.Fprintf(&b, "logins (password %q, demo only):\n", Password)
	for _, l := range s.Logins {
		fmt.Fprintf(&b, "  %-26s %-16s", l.Email, l.Role)
		if l.Account != "" {
			fmt.Fprintf(&b, " account %s (%s)", l.Account, l.About)
		} else if l.About != "" {
			fmt.Fprintf(&b, " %s", l.About)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// generator holds what every account draw shares. It is read-only once
// built, so workers use it concurrently.
type generator struct {
	seed      int64
	year      int
	yearStart calendar.Date
	ref       *reference.Tables
	geo       *geography
	hourly    *layout
	quarter   *layout
	numberOff uint64
	serialOff uint64
}

func newGenerator(ref *reference.Tables, seed int64, year int) (*generator, error) {
	g := &generator{seed: seed, year: year, ref: ref, yearStart: calendar.Date{Year: year, Month: time.January, Day: 1}}
	var err error
	if g.geo, err = newGeography(ref); err != nil {
		return nil, err
	}
	g.hourly, g.quarter = newLayout(year, time.Hour), newLayout(year, 15*time.Minute)
	var zones []int
	for _, p := range g.geo.places {
		if !slices.Contains(zones, p.zone) {
			zones = append(zones, p.zone)
		}
	}
	for _, z := range zones {
		g.hourly.zones[z] = newWeather(g.hourly, seed, z)
		g.quarter.zones[z] = newWeather(g.quarter, seed, z)
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x6e756d62))
	g.numberOff, g.serialOff = r.Uint64N(1e9), r.Uint64N(1e10)
	return g, nil
}

// rng is account i's own random stream: results do not depend on batch
// size, worker count or scheduling.
func (g *generator) rng(i int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(g.seed), uint64(i)+1<<40))
}

// accountNumber is a unique 10-digit number: "8" and nine digits from a
// bijection of the index (multiplying by 3^18, a unit modulo 10^9).
func (g *generator) accountNumber(i int) string {
	return fmt.Sprintf("8%09d", (uint64(i)*387420489+g.numberOff)%1e9)
}

// meterSerial is unique in the same way (3^19, a unit modulo 10^10).
func (g *generator) meterSerial(i int) string {
	return fmt.Sprintf("GB%010d", (uint64(i)*1162261467+g.serialOff)%1e10)
}

// account is one generated account ready to write.
type account struct {
	plan     *plan
	del, rec *channelData
}

func (g *generator) build(i int, b *buffers) (*account, error) {
	p, err := g.newPlan(i)
	if err != nil {
		return nil, err
	}
	// Intervals draw from a second stream so the plan's draws stay fixed
	// when the load model changes.
	r := rand.New(rand.NewPCG(uint64(g.seed)^0x5eed, uint64(i)))
	del, rec, err := g.intervals(p, r, b)
	if err != nil {
		return nil, err
	}
	return &account{plan: p, del: del, rec: rec}, nil
}

// Generate writes a deterministic synthetic CCA into an empty database:
// customers, premises, service accounts, meters with a year of interval
// data, program enrollments, the demo logins and one audit record. See the
// package documentation for what is drawn and how.
//
// Accounts are written in transactions of BatchSize; a failure part-way
// leaves the batches already committed, so delete the database and run
// again. Errors: Invalid for bad options, Conflict when the database
// already holds accounts or demo logins.
func Generate(ctx context.Context, db *store.DB, opt Options) (Summary, error) {
	const op = "demo.Generate"
	if opt.Accounts == 0 {
		opt.Accounts = DefaultAccounts
	}
	if opt.Year == 0 {
		opt.Year = DefaultYear
	}
	var f apperr.Fields
	if opt.Accounts < MinAccounts || opt.Accounts > MaxAccounts {
		f.Add("accounts", "must be between %d and %d", MinAccounts, MaxAccounts)
	}
	if opt.Year < 2015 || opt.Year > 2100 {
		f.Add("year", "must be between 2015 and 2100")
	}
	if err := f.Err(op); err != nil {
		return Summary{}, err
	}
	if n, err := db.AccountCount(ctx); err != nil {
		return Summary{}, err
	} else if n > 0 {
		return Summary{}, apperr.E(apperr.Conflict, op, fmt.Sprintf("the database already holds %d accounts; the demo needs an empty database", n), nil)
	}
	if _, err := db.UserByEmail(ctx, demoLogins[0].Email); err == nil {
		return Summary{}, apperr.E(apperr.Conflict, op, "the database already has the demo logins", nil)
	} else if !apperr.Is(err, apperr.NotFound) {
		return Summary{}, err
	}
	g, err := newGenerator(db.Reference(), opt.Seed, opt.Year)
	if err != nil {
		return Summary{}, err
	}
	w := &writer{db: db, shared: map[string]int64{}, sum: Summary{Seed: opt.Seed, Year: opt.Year}}
	if err := g.run(ctx, opt, w); err != nil {
		return Summary{}, err
	}
	if err := w.finish(ctx, opt); err != nil {
		return Summary{}, err
	}
	if err := w.nem(ctx, opt); err != nil {
		return Summary{}, err
	}
	if w.sum.Incentives, err = w.incentives(ctx, opt); err != nil {
		return Summary{}, err
	}
	if w.sum.EnergyTeamCases, err = w.energyTeam(ctx); err != nil {
		return Summary{}, err
	}
	if w.sum.RPS, err = GenerateRPS(ctx, db, opt.Seed, opt.Year); err != nil {
		return Summary{}, err
	}
	w.sum.Logins = append(w.sum.Logins, w.sum.RPS.Logins...)
	if w.sum.DR, err = GenerateDR(ctx, db, opt.Seed, opt.Year); err != nil {
		return Summary{}, err
	}
	if w.sum.EVCharging, err = GenerateEV(ctx, db, opt.Seed, opt.Year); err != nil {
		return Summary{}, err
	}
	if _, err := g.storeWeather(ctx, db); err != nil {
		return Summary{}, err
	}
	return w.sum, nil
}

// run draws the accounts on worker goroutines, a batch at a time, and
// hands the batches to w in order. At most workers+1 batches are in memory.
func (g *generator) run(ctx context.Context, opt Options, w *writer) error {
	ctx, cancel := context.WithCancel(ctx)
	nb := (opt.Accounts + BatchSize - 1) / BatchSize
	workers := max(1, runtime.GOMAXPROCS(0))
	results := make([]chan batch, nb)
	for k := range results {
		results[k] = make(chan batch, 1)
	}
	tokens := make(chan struct{}, workers+1)
	jobs := make(chan int)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(jobs)
		for k := range nb {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- k:
			case <-ctx.Done():
				return
			}
		}
	})
	for range workers {
		wg.Go(func() {
			var buf buffers
			for k := range jobs {
				results[k] <- g.batch(ctx, k, min(BatchSize, opt.Accounts-k*BatchSize), &buf)
			}
		})
	}
	defer func() {
		cancel() // unblocks the dispatcher and workers on an early return
		wg.Wait()
	}()
	for k := range nb {
		var b batch
		select {
		case b = <-results[k]:
		case <-ctx.Done():
			return ctx.Err()
		}
		if b.err != nil {
			return b.err
		}
		if err := w.write(ctx, b.accounts); err != nil {
			return err
		}
		<-tokens
		if opt.Progress != nil {
			opt.Progress(w.sum.Accounts, opt.Accounts)
		}
	}
	return nil
}

type batch struct {
	accounts []*account
	err      error
}

func (g *generator) batch(ctx context.Context, k, n int, buf *buffers) batch {
	out := make([]*account, n)
	for j := range n {
		if err := ctx.Err(); err != nil {
			return batch{err: err}
		}
		a, err := g.build(k*BatchSize+j, buf)
		if err != nil {
			return batch{err: err}
		}
		out[j] = a
	}
	return batch{accounts: out}
}

// writer inserts batches and keeps the summary.
type writer struct {
	db       *store.DB
	shared   map[string]int64 // shared customer name → ID
	sum      Summary
	showcase [2]*customer.Account
}

func (w *writer) write(ctx context.Context, accounts []*account) error {
	var sum Summary
	shared := map[string]int64{}
	var showcase [2]*customer.Account
	err := w.db.InTx(ctx, func(tx *store.Tx) error {
		sum, showcase = w.sum, w.showcase
		clear(shared)
		b, err := tx.Bulk(ctx)
		if err != nil {
			return err
		}
		defer b.Close()
		for _, a := range accounts {
			if err := w.writeOne(ctx, b, a, &sum, shared); err != nil {
				return fmt.Errorf("demo: account %d: %w", a.plan.index, err)
			}
			if i := a.plan.index; i < 2 {
				showcase[i] = &a.plan.account
			}
		}
		return b.Close()
	})
	if err != nil {
		return err
	}
	w.sum, w.showcase = sum, showcase
	maps.Copy(w.shared, shared)
	return nil
}

func (w *writer) writeOne(ctx context.Context, b *store.Bulk, a *account, sum *Summary, shared map[string]int64) error {
	p := a.plan
	id := w.shared[p.sharedKey]
	if id == 0 {
		id = shared[p.sharedKey]
	}
	if p.sharedKey == "" || id == 0 {
		if err := b.Customer(ctx, &p.customer); err != nil {
			return err
		}
		sum.Customers++
		if p.sharedKey != "" {
			shared[p.sharedKey] = p.customer.ID
		}
	} else {
		p.customer.ID = id
	}
	if err := b.Premise(ctx, &p.premise); err != nil {
		return err
	}
	p.account.CustomerID, p.account.PremiseID = p.customer.ID, p.premise.ID
	if err := b.Account(ctx, &p.account); err != nil {
		return err
	}
	p.meter.AccountID = p.account.ID
	if err := b.Meter(ctx, &p.meter); err != nil {
		return err
	}
	for k := range p.enrollments {
		p.enrollments[k].AccountID = p.account.ID
	}
	if err := b.Enrollments(ctx, p.account, p.premise, p.enrollments); err != nil {
		return err
	}
	chans := []*channelData{a.del, a.rec}
	for k, ch := range p.meter.Channels {
		for _, m := range chans[k].months {
			if err := b.Month(ctx, ch.ID, m); err != nil {
				return err
			}
			sum.PackedBytes += int64(m.Size())
		}
		sum.Readings += int64(chans[k].n)
		if ch.Direction == customer.Received {
			sum.ReceivedWh += chans[k].sum
		} else {
			sum.DeliveredWh += chans[k].sum
		}
	}
	sum.count(p)
	return nil
}

// count adds an account to the summary.
func (s *Summary) count(p *plan) {
	s.Accounts++
	switch p.account.Class {
	case customer.Residential:
		s.Residential++
	case customer.Commercial:
		s.Commercial++
	case customer.Municipal:
		s.Municipal++
	case customer.Agricultural:
		s.Agricultural++
	}
	add := func(n *int, ok bool) {
		if ok {
			*n++
		}
	}
	add(&s.Bundled, p.account.LSE == customer.Bundled)
	add(&s.CARE, p.care)
	add(&s.FERA, p.fera)
	add(&s.MedicalBaseline, p.medical)
	add(&s.DAC, p.premise.DAC)
	add(&s.HFTD, p.premise.HFTDTier >= 2)
	add(&s.Solar, p.solar)
	add(&s.EV, p.ev)
	add(&s.Thermostat, p.thermostat)
	add(&s.PowerResponse, p.powerResponse)
	add(&s.PowerShare, p.powerShare)
	s.Meters++
	s.Channels += len(p.meter.Channels)
}

// demoLogins are the users Generate creates; customer logins are linked to
// the showcase accounts 0 and 1.
var demoLogins = []struct {
	Email, Name string
	Role        auth.Role
	showcase    int // -1 for staff
	about       string
}{
	{"admin@gridbook.demo", "Demo Administrator", auth.Admin, -1, ""},
	{"manager@gridbook.demo", "Demo Program Manager", auth.ProgramManager, -1, ""},
	{"analyst@gridbook.demo", "Demo Analyst", auth.Analyst, -1, ""},
	{"customer@gridbook.demo", "Demo Customer", auth.CustomerRole, 0, "residential, CARE, rooftop solar"},
	{"customer2@gridbook.demo", "Demo Customer Two", auth.CustomerRole, 1, "residential, EV and smart thermostat in Power Response"},
}

// finish creates the demo logins and the one audit record of the run.
func (w *writer) finish(ctx context.Context, opt Options) error {
	if w.showcase[0] == nil || w.showcase[1] == nil {
		return errors.New("demo: showcase accounts missing")
	}
	// One hash for all five logins: they share the password, and bcrypt
	// at cost 10 takes tens of milliseconds per hash.
	hash, err := auth.HashPassword(Password, bcryptCost)
	if err != nil {
		return err
	}
	var logins []Login
	var tariffs int
	err = w.db.InTx(ctx, func(tx *store.Tx) error {
		logins = nil
		for _, d := range demoLogins {
			u := auth.User{Email: d.Email, Name: d.Name, Role: d.Role, PasswordHash: hash}
			l := Login{Email: d.Email, Role: d.Role, Password: Password, About: d.about}
			if d.showcase >= 0 {
				a := w.showcase[d.showcase]
				u.AccountIDs, l.Account = []int64{a.ID}, a.Number
			}
			if err := tx.CreateUser(ctx, auth.System, &u); err != nil {
				return err
			}
			logins = append(logins, l)
		}
		// The shipped tariffs, so that the demo's accounts can be billed
		// (gridbook bill run); importing them is idempotent and audited.
		vs, err := tariff.Shipped()
		if err != nil {
			return err
		}
		tabs, err := tariff.ShippedExportTables()
		if err != nil {
			return err
		}
		imp, err := tx.ImportTariffs(ctx, auth.System, vs, tabs)
		if err != nil {
			return err
		}
		tariffs = len(imp.IDs)
		return tx.Audit(ctx, auth.System, "generate", "demo", 0, map[string]any{
			"message":  fmt.Sprintf("demo generated %d accounts", w.sum.Accounts),
			"accounts": w.sum.Accounts, "seed": opt.Seed, "year": opt.Year,
			"customers": w.sum.Customers, "readings": w.sum.Readings,
		})
	})
	if err != nil {
		return err
	}
	w.sum.Logins, w.sum.TariffVersions = logins, tariffs
	return nil
}
