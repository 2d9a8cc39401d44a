package web

import (
	"context"
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
)

// Area is the part of the site a page belongs to; it picks the layout.
type Area uint8

// The areas. The zero value is the staff console.
const (
	Console Area = iota // staff console at /
	Portal              // customer portal at /my/
)

// User is what the layouts show about the signed-in person. The auth
// middleware puts it in the request context with ContextWithUser; pages
// never need to set it themselves.
type User struct {
	Name string // display name, e.g. "Ana Ruiz"
	Role string // staff role as shown, e.g. "Program manager"; empty for customers

	// Set by the session middleware from the signed-in auth.User.
	ID         int64
	Email      string    // login name
	Access     auth.Role // what the user may do
	AccountIDs []int64   // customers: the only service accounts they may see
	// Org is a registry participant's organization: the only registry
	// accounts it may see and act on ("" for everyone else).
	Org string
}

// newUser builds the layouts' and handlers' view of a signed-in user.
func newUser(u auth.User) *User {
	return &User{Name: u.Name, Role: roleLabel(u.Role), ID: u.ID, Email: u.Email, Access: u.Role,
		AccountIDs: slices.Clone(u.AccountIDs)}
}

// roleLabel is how a role is shown in the user menu; customers show none.
func roleLabel(r auth.Role) string {
	switch r {
	case auth.Admin:
		return "Administrator"
	case auth.ProgramManager:
		return "Program manager"
	case auth.Analyst:
		return "Analyst (read only)"
	case auth.Participant:
		return "Registry participant"
	}
	return ""
}

// IsParticipant reports whether the user signs in for a registry
// participant (another organization holding certificate accounts); the
// console then shows only its registry pages.
func (u *User) IsParticipant() bool { return u != nil && u.Access == auth.Participant }

// RegistryOrg is the organization whose registry accounts the user is
// limited to: "" for staff, who see every account.
func (u *User) RegistryOrg() string {
	if u.IsParticipant() {
		return u.Org
	}
	return ""
}

// CanCommand reports whether the user may run registry commands
// (transfers, retirements, generation reports): writing staff, and
// participants on their own accounts.
func (u *User) CanCommand() bool { return u.CanWrite() || (u.IsParticipant() && u.Org != "") }

// CanWrite reports whether the user may change registry data (admins and
// program managers); templates use it to show or hide write buttons.
func (u *User) CanWrite() bool { return u != nil && u.Access.CanWrite() }

// Sees reports whether a customer user is linked to the service account.
func (u *User) Sees(accountID int64) bool {
	return u != nil && slices.Contains(u.AccountIDs, accountID)
}

// Actor is the user as recorded in the audit log.
func (u *User) Actor() auth.Actor { return auth.Actor{Kind: "user", ID: u.ID, Name: u.Email} }

// Initials returns up to two capital letters from the first and last words
// of the name ("Ana Ruiz" → "AR"), for the avatar in the user menu.
func (u *User) Initials() string {
	words := strings.Fields(u.Name)
	if len(words) == 0 {
		return "?"
	}
	first := []rune(words[0])[:1]
	if len(words) == 1 {
		return strings.ToUpper(string(first))
	}
	last := []rune(words[len(words)-1])[:1]
	return strings.ToUpper(string(first) + string(last))
}

type userKey struct{}

// ContextWithUser returns a copy of ctx carrying the signed-in user's
// display information, for the layouts' user menu.
func ContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserFromContext returns the user stored by ContextWithUser, or nil.
func UserFromContext(ctx context.Context) *User {
	u, _ := ctx.Value(userKey{}).(*User)
	return u
}

// Flash kinds, which are also CSS classes (flash-success and so on).
const (
	FlashSuccess = "success"
	FlashInfo    = "info"
	FlashError   = "error"
)

// Flash is a one-time message shown at the top of the next page, such as
// "Customer saved." after a POST-redirect-GET.
type Flash struct {
	Kind string `json:"k"` // FlashSuccess, FlashInfo or FlashError
	Msg  string `json:"m"`
}

// View is the view model every page template receives as its dot.
//
// Page templates read their own values from .Data; the layouts read the
// rest. Forms call .Err "field" for an inline error and .Invalid "field" for
// aria-invalid.
type View struct {
	Title string // page title for <title> ("Customers · gridbook"); pages repeat it in their <h1>
	Nav   string // key of the active nav item: see the Nav* constants
	Area  Area   // layout for shared pages (login, error); set by Render for console/ and portal/ pages
	User  *User  // signed-in user; filled from the request context when nil
	Flash *Flash // one-time message; filled from the flash cookie when nil
	Data  any    // the page's own values

	// Message is a form-level error shown above a form (such as "wrong
	// username or password"); Fields are per-input errors keyed by input name.
	Message string
	Fields  map[string]string

	// set by Render
	partial bool
}

// Keys of the nav items, for View.Nav.
const (
	NavDashboard = "dashboard"
	NavCustomers = "customers"
	NavJobs      = "jobs"
	NavBillRuns  = "bill-runs"
	NavAudit     = "audit"
	NavAccounts  = "accounts" // portal: My accounts
)

// SetError records err on the view for redisplaying a form: its user-safe
// message (apperr.MessageOf) and any field errors (apperr.FieldsOf).
func (v *View) SetError(err error) {
	if err == nil {
		return
	}
	v.Message = apperr.MessageOf(err)
	fields := apperr.FieldsOf(err)
	if len(fields) > 0 && v.Message == "invalid input" { // apperr.Fields.Err's generic text
		v.Message = "Please correct the fields marked below."
	}
	for _, f := range fields {
		if v.Fields == nil {
			v.Fields = map[string]string{}
		}
		if _, dup := v.Fields[f.Field]; !dup { // show the first problem per field
			v.Fields[f.Field] = f.Msg
		}
	}
}

// Err returns the error recorded for the named input, or "".
func (v *View) Err(field string) string { return v.Fields[field] }

// Invalid reports whether the named input has an error.
func (v *View) Invalid(field string) bool { return v.Fields[field] != "" }

// Partial reports whether only the content block is being rendered (an htmx
// request), so templates can leave out things that belong to full pages.
func (v *View) Partial() bool { return v.partial }

// InPortal reports whether the view is rendered in the customer portal.
func (v *View) InPortal() bool { return v.Area == Portal }

// Home is the start page of the view's area: "/my/" or "/".
func (v *View) Home() string {
	if v.Area == Portal {
		return "/my/"
	}
	return "/"
}

// LoginURL is the sign-in page of the view's area.
func (v *View) LoginURL() string {
	if v.Area == Portal {
		return "/my/login"
	}
	return "/login"
}

// LogoutURL is where the sign-out form of the view's area posts.
func (v *View) LogoutURL() string {
	if v.Area == Portal {
		return "/my/logout"
	}
	return "/logout"
}
