package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/store"
	"golang.org/x/crypto/bcrypt"
)

// newUser returns a user with a MinCost bcrypt hash of password.
func newUser(t *testing.T, email string, role auth.Role, password string, accounts ...int64) auth.User {
	t.Helper()
	h, err := auth.HashPassword(password, bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return auth.User{Email: email, Name: "User " + email, Role: role, PasswordHash: h, AccountIDs: accounts}
}

func createUser(t *testing.T, db *store.DB, u auth.User) auth.User {
	t.Helper()
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateUser(ctx, staff, &u) })
	return u
}

func testUsers(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, p, a, _ := seed(t, db)
	c2 := newCustomer("Bo Chen", "")
	a2 := newAccount("7000000002", c2, p)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.CreateCustomer(ctx, staff, &c2); err != nil {
			return err
		}
		a2.CustomerID = c2.ID
		return tx.CreateAccount(ctx, staff, &a2)
	})

	admin := createUser(t, db, newUser(t, " Admin@CPA.example ", auth.Admin, "correct horse battery"))
	if admin.ID <= 0 || admin.Email != "admin@cpa.example" {
		t.Fatalf("created admin %d %q", admin.ID, admin.Email)
	}
	got, err := db.UserByEmail(ctx, "ADMIN@cpa.example")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != admin.ID || got.Role != auth.Admin || got.Disabled || !got.Created.Equal(t0) || len(got.AccountIDs) != 0 {
		t.Errorf("UserByEmail = %+v", got)
	}
	if !auth.CheckPassword(got.PasswordHash, "correct horse battery") {
		t.Error("stored hash does not check against the password")
	}

	// Customer users are linked to their accounts (listed in ID order).
	portal := createUser(t, db, newUser(t, "bo@example.org", auth.CustomerRole, "another good password", a2.ID, a.ID))
	got, err = db.User(ctx, portal.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{a.ID, a2.ID}; !slices.Equal(got.AccountIDs, want) {
		t.Errorf("portal user accounts %v, want %v", got.AccountIDs, want)
	}

	bad := []struct {
		name   string
		user   auth.User
		kind   apperr.Kind
		fields string
	}{
		{"duplicate email in another case", newUser(t, "ADMIN@cpa.example", auth.Analyst, "yet another password"), apperr.Conflict, ""},
		{"staff linked to an account", newUser(t, "pm@cpa.example", auth.ProgramManager, "yet another password", a.ID), apperr.Invalid, "accounts"},
		{"customer linked to a missing account", newUser(t, "cy@example.org", auth.CustomerRole, "yet another password", a2.ID+1000), apperr.Invalid, "accounts"},
		{"bad email and role", newUser(t, "nobody", "root", "yet another password"), apperr.Invalid, "email,role"},
		{"no password hash", auth.User{Email: "nohash@cpa.example", Name: "No Hash", Role: auth.Analyst}, apperr.Internal, ""},
	}
	before := counts(t, db)
	for _, b := range bad {
		u := b.user
		err := txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateUser(ctx, staff, &u) })
		wantErr(t, b.name, err, b.kind, b.fields)
	}
	if after := counts(t, db); after["users"] != before["users"] || after["user_accounts"] != before["user_accounts"] {
		t.Errorf("rejected users left rows: users %d→%d, links %d→%d", before["users"], after["users"], before["user_accounts"], after["user_accounts"])
	}

	_, err = db.User(ctx, portal.ID+1000)
	wantErr(t, "User(missing)", err, apperr.NotFound, "")
	_, err = db.UserByEmail(ctx, "ghost@cpa.example")
	wantErr(t, "UserByEmail(missing)", err, apperr.NotFound, "")
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		return tx.SetUserDisabled(ctx, staff, portal.ID+1000, true)
	})
	wantErr(t, "SetUserDisabled(missing)", err, apperr.NotFound, "")

	users, err := db.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, u := range users {
		emails = append(emails, u.Email)
	}
	if want := []string{"admin@cpa.example", "bo@example.org"}; !slices.Equal(emails, want) {
		t.Errorf("Users = %v, want %v", emails, want)
	}
}

func testSessions(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	u := createUser(t, db, newUser(t, "ana@cpa.example", auth.ProgramManager, "correct horse battery"))
	other := createUser(t, db, newUser(t, "bo@cpa.example", auth.Analyst, "correct horse battery"))
	session := func(id int64) string {
		var tok string
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			var err error
			var s auth.Session
			tok, s, err = tx.CreateSession(ctx, id)
			if err == nil && (!s.Expires.Equal(db.Now().Add(auth.SessionTTL)) || s.TokenHash != auth.HashToken(tok)) {
				t.Errorf("session %+v: want expiry now+%v and the token's hash", s, auth.SessionTTL)
			}
			return err
		})
		return tok
	}
	tok := session(u.ID)
	otherTok := session(other.ID)
	if n := countRows(t, db, "sessions"); n != 2 {
		t.Fatalf("sessions = %d, want 2", n)
	}
	// The database keeps the hash, never the token.
	var stored int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE token_hash = $1`, tok).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("raw token found in sessions (%d rows, %v)", stored, err)
	}

	check := func(name, token string, wantID int64) {
		t.Helper()
		got, err := db.SessionUser(ctx, token)
		if wantID == 0 {
			wantErr(t, name, err, apperr.Unauthorized, "")
			return
		}
		if err != nil || got.ID != wantID {
			t.Fatalf("%s: SessionUser = %d, %v; want user %d", name, got.ID, err, wantID)
		}
	}
	check("valid token", tok, u.ID)
	check("unknown token", "gbs_not-a-session", 0)
	check("empty token", "", 0)

	// SessionTTL after creation the session has expired.
	setClock(db, t0.Add(auth.SessionTTL-time.Second))
	check("one second before expiry", tok, u.ID)
	setClock(db, t0.Add(auth.SessionTTL))
	check("at expiry", tok, 0)
	setClock(db, t0.Add(auth.SessionTTL+time.Hour))
	check("after expiry", tok, 0)

	// A disabled user's sessions stop working; another user's do not.
	setClock(db, t0.Add(time.Hour))
	fresh := session(u.ID)
	check("fresh session", fresh, u.ID)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.SetUserDisabled(ctx, staff, u.ID, true) })
	check("disabled user", fresh, 0)
	check("other user's session", otherTok, other.ID)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.SetUserDisabled(ctx, staff, u.ID, false) })
	check("old session after re-enabling", fresh, 0)
	again := session(u.ID)
	check("new session after re-enabling", again, u.ID)

	// A session created while the user is disabled does not authenticate.
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.SetUserDisabled(ctx, staff, other.ID, true) })
	sneaky := session(other.ID)
	check("session of a disabled user", sneaky, 0)

	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.DeleteSession(ctx, again) })
	check("deleted session", again, 0)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.DeleteSession(ctx, "gbs_never-existed") })
}

func testClients(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	c := auth.Client{Name: " reporting ", Scopes: []string{auth.ScopeRegistryRead, auth.ScopeJobsRead}}
	var tok string
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		tok, err = tx.CreateClient(ctx, staff, &c)
		return err
	})
	if c.ID <= 0 || c.Name != "reporting" || c.TokenHash != auth.HashToken(tok) {
		t.Fatalf("created client %+v for token %q", c, tok)
	}
	got, err := db.ClientByToken(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != c.ID || got.Name != "reporting" || !slices.Equal(got.Scopes, []string{"registry:read", "jobs:read"}) || !got.Created.Equal(t0) {
		t.Errorf("ClientByToken = %+v", got)
	}
	if !got.Has(auth.ScopeRegistryRead) || got.Has(auth.ScopeRegistryWrite) {
		t.Errorf("scopes %v: want registry:read and not registry:write", got.Scopes)
	}
	_, err = db.ClientByToken(ctx, "gbk_unknown")
	wantErr(t, "unknown token", err, apperr.Unauthorized, "")
	_, err = db.ClientByToken(ctx, c.TokenHash)
	wantErr(t, "the stored hash is not a token", err, apperr.Unauthorized, "")

	bad := []struct {
		name   string
		client auth.Client
		kind   apperr.Kind
		fields string
	}{
		{"unknown scope", auth.Client{Name: "x", Scopes: []string{"registry:read", "billing:write"}}, apperr.Invalid, "scopes"},
		{"no scopes", auth.Client{Name: "x"}, apperr.Invalid, "scopes"},
		{"no name", auth.Client{Name: "  ", Scopes: []string{auth.ScopeJobsRead}}, apperr.Invalid, "name"},
		{"duplicate name", auth.Client{Name: "reporting", Scopes: []string{auth.ScopeJobsRead}}, apperr.Conflict, ""},
	}
	for _, b := range bad {
		cl := b.client
		err := txErr(db, func(ctx context.Context, tx *store.Tx) error { _, err := tx.CreateClient(ctx, staff, &cl); return err })
		wantErr(t, b.name, err, b.kind, b.fields)
	}
	if n := countRows(t, db, "api_clients"); n != 1 {
		t.Errorf("api_clients = %d, want 1", n)
	}
}

// testLoginRateLimit checks the sliding window: a counter's maximum (here
// auth.MaxLoginFailures, 5) failures within auth.LoginWindow (15 minutes)
// block its key until the oldest of them leaves the window.
func testLoginRateLimit(t *testing.T, db *store.DB) {
	ctx := context.Background()
	allowed := func(at time.Time, key string) bool {
		t.Helper()
		setClock(db, at)
		ok, err := db.LoginAllowed(ctx, auth.LoginLimit{Key: key, Max: auth.MaxLoginFailures})
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	fail := func(at time.Time, keys ...string) {
		t.Helper()
		setClock(db, at)
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.RecordLoginFailure(ctx, keys...) })
	}
	const user, ip, other = "ana@cpa.example", "ip:192.0.2.7", "bo@cpa.example"
	// Failures at minutes 0, 1, 2, 3 and 4, each counted for the login name
	// and the client address.
	for i := range 4 {
		fail(t0.Add(time.Duration(i)*time.Minute), user, ip)
		if !allowed(t0.Add(time.Duration(i)*time.Minute), user) {
			t.Fatalf("blocked after %d failures, want allowed until 5", i+1)
		}
	}
	fail(t0.Add(4*time.Minute), user, ip)
	tests := []struct {
		name string
		at   time.Duration // after t0
		key  string
		want bool
	}{
		{"5 failures block the login name", 4 * time.Minute, user, false},
		{"and the client address", 4 * time.Minute, ip, false},
		{"another login name is unaffected", 4 * time.Minute, other, true},
		{"still blocked just before the first failure leaves the window", 15*time.Minute - time.Second, user, false},
		{"allowed once the first failure is LoginWindow old", 15 * time.Minute, user, true},
		{"allowed long after", 2 * time.Hour, user, true},
	}
	for _, tt := range tests {
		if got := allowed(t0.Add(tt.at), tt.key); got != tt.want {
			t.Errorf("%s: LoginAllowed(%s) at +%v = %v, want %v", tt.name, tt.key, tt.at, got, tt.want)
		}
	}
	// A success clears the name's failures but not the address's.
	fail(t0.Add(20*time.Minute), user, ip)
	fail(t0.Add(20*time.Minute), user, ip)
	fail(t0.Add(20*time.Minute), user, ip)
	fail(t0.Add(20*time.Minute), user, ip)
	fail(t0.Add(20*time.Minute), user, ip)
	if allowed(t0.Add(20*time.Minute), user) {
		t.Fatal("5 more failures did not block")
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.ClearLoginFailures(ctx, user) })
	if !allowed(t0.Add(20*time.Minute), user) {
		t.Error("blocked after ClearLoginFailures")
	}
	if allowed(t0.Add(20*time.Minute), ip) {
		t.Error("ClearLoginFailures(user) also cleared the address")
	}
	// The limit is the caller's: the address's 5 failures in the window
	// are under a ceiling of 6.
	setClock(db, t0.Add(20*time.Minute))
	if ok, err := db.LoginAllowed(ctx, auth.LoginLimit{Key: ip, Max: 6}); err != nil || !ok {
		t.Errorf("LoginAllowed(%s, max 6) after 5 failures = %v, %v; want allowed", ip, ok, err)
	}
}
