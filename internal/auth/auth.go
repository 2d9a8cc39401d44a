// Package auth says who may do what in gridbook: staff users with roles,
// customer portal users scoped to their own service accounts, API clients
// with bearer tokens and scopes, the sessions that carry a login, the login
// rate limit, and the shape of the audit record every mutation writes.
// Persistence lives in package store.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gridbook/gridbook/internal/apperr"
	"golang.org/x/crypto/bcrypt"
)

// Role is what a user is allowed to do.
type Role string

// Roles. Staff roles see the console; customers see only the portal and only
// their own accounts.
const (
	Admin          Role = "admin"           // everything, including users
	ProgramManager Role = "program_manager" // read and write program and customer data
	Analyst        Role = "analyst"         // read-only staff
	CustomerRole   Role = "customer"        // portal user, limited to linked accounts
	// Installer is a solar installer's user: it files net-metering
	// interconnection applications on customers' behalf and sees only its
	// own company's applications (the link to the company lives with the
	// applications, in package store).
	Installer Role = "installer"
	// Participant is a renewable-certificate registry participant's user (a
	// generator or another retail seller holding accounts in gridbook's
	// registry): it sees and acts on only its own organization's certificate
	// accounts (the link to the organization lives in package store).
	Participant Role = "participant"
)

// Roles lists every role.
var Roles = []Role{Admin, ProgramManager, Analyst, CustomerRole, Installer, Participant}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Staff reports whether r is a staff role.
func (r Role) Staff() bool { return r == Admin || r == ProgramManager || r == Analyst }

// CanWrite reports whether r may change registry and program data.
func (r Role) CanWrite() bool { return r == Admin || r == ProgramManager }

// User is a person who signs in to the console or the portal.
type User struct {
	ID           int64
	Email        string // login name
	Name         string
	Role         Role
	PasswordHash string
	Disabled     bool
	AccountIDs   []int64 // for customers: the service accounts they may see
	Created      time.Time
}

// Validate checks the user's own fields (not the password).
func (u *User) Validate() error {
	var f apperr.Fields
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	u.Name = strings.TrimSpace(u.Name)
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		f.Add("email", "is not a valid email address")
	}
	if u.Name == "" {
		f.Add("name", "is required")
	}
	if !u.Role.Valid() {
		f.Add("role", "must be admin, program_manager, analyst, customer, installer or participant")
	}
	return f.Err("auth.User")
}

// MinPasswordLength is the shortest password accepted (NIST SP 800-63B §5.1.1
// asks for at least 8; we ask for 10).
const MinPasswordLength = 10

// HashPassword checks the password's length and returns its bcrypt hash.
func HashPassword(password string, cost int) (string, error) {
	if utf8.RuneCountInString(password) < MinPasswordLength {
		var f apperr.Fields
		f.Add("password", "must be at least %d characters", MinPasswordLength)
		return "", f.Err("auth.HashPassword")
	}
	if len(password) > 72 { // bcrypt reads at most 72 bytes
		var f apperr.Fields
		f.Add("password", "must be at most 72 bytes")
		return "", f.Err("auth.HashPassword")
	}
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	return string(h), nil
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// NewToken returns a fresh random token with the given prefix and the
// SHA-256 hash under which it is stored. Only the hash is kept, so a stolen
// database does not yield working sessions or API keys.
func NewToken(prefix string) (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the stored form of a token.
func HashToken(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}

// Session is a server-side login session.
type Session struct {
	TokenHash string
	UserID    int64
	Created   time.Time
	Expires   time.Time
}

// SessionTTL is how long a session lasts without use.
const SessionTTL = 12 * time.Hour

// Scopes an API client may hold.
const (
	ScopeRegistryRead  = "registry:read"
	ScopeRegistryWrite = "registry:write"
	ScopeJobsRead      = "jobs:read"
	// ScopeTariffsWrite imports tariff versions (and reads them back).
	ScopeTariffsWrite = "tariffs:write"
	// ScopeIntervalsWrite uploads meters' interval data (a meter-data
	// feed needs nothing else).
	ScopeIntervalsWrite = "intervals:write"
	// ScopeNEMApply files and follows net-metering interconnection
	// applications for the installer the client is linked to, and nothing
	// else.
	ScopeNEMApply = "nem:apply"
	// ScopeRECWrite runs certificate registry commands: generation
	// reports, issuance, transfers, retirements, exports (a generator's
	// or registry operator's feed).
	ScopeRECWrite = "rec:write"
	// ScopeRPSWrite maintains the RPS compliance ledger: the profile,
	// retail sales, contracts and claims.
	ScopeRPSWrite = "rps:write"
)

// Scopes lists every known scope.
var Scopes = []string{ScopeRegistryRead, ScopeRegistryWrite, ScopeJobsRead, ScopeTariffsWrite, ScopeIntervalsWrite, ScopeNEMApply, ScopeRECWrite, ScopeRPSWrite}

// Client is a machine caller of the JSON API with a bearer token.
type Client struct {
	ID        int64
	Name      string
	TokenHash string
	Scopes    []string
	Disabled  bool
	Created   time.Time
}

// Has reports whether the client holds scope.
func (c *Client) Has(scope string) bool { return slices.Contains(c.Scopes, scope) }

// ValidateScopes checks a scope list.
func ValidateScopes(scopes []string) error {
	var f apperr.Fields
	for _, s := range scopes {
		if !slices.Contains(Scopes, s) {
			f.Add("scopes", "unknown scope %q", s)
		}
	}
	return f.Err("auth.ValidateScopes")
}

// Actor is who performed an action, as written to the audit log.
type Actor struct {
	Kind string // "user", "client", "cli", "system"
	ID   int64
	Name string
}

// String renders the actor for the audit log, e.g. "user:3 ana@cpa.example".
func (a Actor) String() string {
	if a.ID != 0 {
		return fmt.Sprintf("%s:%d %s", a.Kind, a.ID, a.Name)
	}
	return a.Kind + " " + a.Name
}

// System is the actor for work the system does on its own.
var System = Actor{Kind: "system", Name: "gridbook"}

// AuditRecord is one entry of the audit log: who changed what, when, and
// the entity before and after (JSON; nil for a create's before or a
// delete's after).
type AuditRecord struct {
	ID       int64
	At       time.Time
	Actor    string
	Action   string // "create", "update", "delete", "login", ...
	Entity   string // "customer", "premise", "account", "meter", "enrollment", "user", ...
	EntityID string
	Before   json.RawMessage
	After    json.RawMessage
}

// Login rate limit (OWASP Authentication Cheat Sheet, "Account lockout":
// throttle rather than lock permanently), counted within LoginWindow:
//
//   - at most MaxLoginFailures failed attempts for one login name from one
//     client address, so that guessing one account's password is slow
//     while colleagues behind the same address (an office's NAT) can still
//     sign in;
//   - at most MaxAddressLoginFailures failed attempts from one address
//     across all names, which stops one address trying a few passwords on
//     many accounts (password spraying).
//
// The two numbers are gridbook's choices.
const (
	MaxLoginFailures        = 5
	MaxAddressLoginFailures = 50
	LoginWindow             = 15 * time.Minute
)

// LoginLimit is one rate-limit counter of a sign-in attempt: its key in
// the login-failure log and how many failures it allows within
// LoginWindow.
type LoginLimit struct {
	Key string
	Max int
}

// LoginLimits returns the counters a sign-in attempt for login name email
// from client address address is checked against and, when it fails,
// counted in: the (address, name) pair first, then the address alone.
func LoginLimits(address, email string) []LoginLimit {
	return []LoginLimit{
		{Key: "login:" + address + " " + email, Max: MaxLoginFailures},
		{Key: "ip:" + address, Max: MaxAddressLoginFailures},
	}
}

// SessionCookie is the name of the cookie that carries a session token for
// the console, the portal and same-origin API calls.
const SessionCookie = "gridbook_session"
