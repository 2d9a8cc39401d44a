package api

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// access is what an endpoint asks of its caller.
type access uint8

const (
	public         access = iota // no credentials needed
	read                         // registry:read, or any signed-in user (customers see their own accounts only)
	write                        // registry:write, or an admin or program manager
	staffRead                    // staff users only (the audit log)
	registryWide                 // registry:read or a staff user: figures over every account
	tariffRead                   // registry:read or tariffs:write, or any signed-in user: published prices
	tariffAdmin                  // tariffs:write, or an admin: importing tariff versions
	intervalsWrite               // intervals:write, or an admin or program manager: uploading interval data
	nemRead                      // registry:read or nem:apply, or any signed-in user: NEM applications (installers and customers see their own)
	nemApply                     // registry:write or nem:apply, or an admin, program manager or installer: filing NEM applications
	rpsRead                      // registry:read, rec:write or rps:write, or a staff user: the RPS ledger and the registry's event log
	recWrite                     // rec:write, or an admin, program manager or participant: certificate registry commands
	rpsWrite                     // rps:write, or an admin or program manager: the RPS compliance ledger
	recRead                      // registry:read, rec:write or rps:write, or a staff or participant user: registry accounts, facilities, blocks, transfers, retirements
	recOperator                  // rec:write, or an admin or program manager, never a participant: the registry operator's commands (certification, withdrawal, import)
)

// principal is an authenticated caller.
type principal struct {
	actor  auth.Actor
	user   *auth.User   // set for session callers
	client *auth.Client // set for bearer-token callers
	// org is the organization a registry participant acts for (a
	// participant user, or a client linked to an organization): it reaches
	// only that organization's registry accounts. Empty for the operating
	// retail seller's staff and clients, who see every account.
	org string
}

// portal reports whether the caller is a customer user, who sees only the
// accounts linked to their login.
func (p *principal) portal() bool { return p.user != nil && p.user.Role == auth.CustomerRole }

// accountIDs returns the accounts a portal user may see: nil for callers
// who see every account, a non-nil (perhaps empty) list for portal users.
func (p *principal) accountIDs() []int64 {
	if !p.portal() {
		return nil
	}
	if p.user.AccountIDs == nil {
		return []int64{}
	}
	return p.user.AccountIDs
}

// seesAccount reports whether the caller may see account id.
func (p *principal) seesAccount(id int64) bool {
	return !p.portal() || slices.Contains(p.user.AccountIDs, id)
}

// allow checks the caller against an endpoint's access level.
func (p *principal) allow(acc access) error {
	const op = "api.authorize"
	if p.org != "" && acc != recRead && acc != recWrite {
		return apperr.Forbiddenf(op, "a registry participant (%s) reaches only its own registry accounts under %s/rec", p.org, Prefix)
	}
	if c := p.client; c != nil {
		scope := auth.ScopeRegistryRead
		switch acc {
		case write:
			scope = auth.ScopeRegistryWrite
		case staffRead:
			return apperr.Forbiddenf(op, "the audit log is open to staff users only")
		case tariffRead:
			if c.Has(auth.ScopeTariffsWrite) {
				return nil
			}
		case tariffAdmin:
			scope = auth.ScopeTariffsWrite
		case intervalsWrite:
			scope = auth.ScopeIntervalsWrite
		case rpsRead, recRead:
			if c.Has(auth.ScopeRECWrite) || c.Has(auth.ScopeRPSWrite) {
				return nil
			}
		case recWrite, recOperator:
			scope = auth.ScopeRECWrite
		case rpsWrite:
			scope = auth.ScopeRPSWrite
		case nemRead, nemApply:
			if c.Has(auth.ScopeNEMApply) || (acc == nemRead && c.Has(auth.ScopeRegistryRead)) {
				return nil
			}
			if acc == nemApply {
				scope = auth.ScopeRegistryWrite
			}
		}
		if !c.Has(scope) {
			return apperr.Forbiddenf(op, "this API client lacks the %s scope", scope)
		}
		return nil
	}
	role := p.user.Role
	if role == auth.Participant {
		if acc != recRead && acc != recWrite {
			return apperr.Forbiddenf(op, "participant users reach only their organization's registry accounts (%s/rec)", Prefix)
		}
		return nil
	}
	switch acc {
	case write, intervalsWrite, recWrite, recOperator, rpsWrite:
		if !role.CanWrite() {
			return apperr.Forbiddenf(op, "the %s role may not change data", role)
		}
	case staffRead, registryWide, rpsRead, recRead:
		if !role.Staff() {
			return apperr.Forbiddenf(op, "this is open to staff users only")
		}
	case tariffAdmin:
		if role != auth.Admin {
			return apperr.Forbiddenf(op, "only administrators import tariffs")
		}
	case nemApply:
		if !role.CanWrite() && role != auth.Installer {
			return apperr.Forbiddenf(op, "the %s role may not file or change NEM applications", role)
		}
	case read:
		if role == auth.Installer {
			return apperr.Forbiddenf(op, "installer users see only their own NEM applications (/nem/applications)")
		}
	}
	return nil
}

// authorize authenticates the request (unless the endpoint is public) and
// checks the caller's access.
func (h *handler) authorize(r *http.Request, acc access) (*principal, error) {
	if acc == public {
		return nil, nil
	}
	p, err := h.authenticate(r)
	if err != nil {
		return nil, err
	}
	if err := h.registryOrg(r.Context(), p); err != nil {
		return nil, err
	}
	return p, p.allow(acc)
}

// registryOrg finds the organization a registry participant acts for: a
// participant user must be linked to one; a client linked to one is
// scoped to it (others act for the operator and see every account).
func (h *handler) registryOrg(ctx context.Context, p *principal) error {
	var err error
	switch {
	case p.user != nil && p.user.Role == auth.Participant:
		p.org, err = h.db.RecOrgOfUser(ctx, p.user.ID)
		if apperr.Is(err, apperr.NotFound) {
			return apperr.Forbiddenf("api.authorize", "this participant sign-in is not linked to a registry organization yet; ask the registry operator")
		}
	case p.client != nil && (p.client.Has(auth.ScopeRECWrite)):
		p.org, err = h.db.RecOrgOfClient(ctx, p.client.ID)
		if apperr.Is(err, apperr.NotFound) {
			err = nil
		}
	}
	return err
}

// authenticate identifies the caller: a bearer token names an API client
// (RFC 6750 §2.1), otherwise the session cookie names a user.
func (h *handler) authenticate(r *http.Request) (*principal, error) {
	const op = "api.authenticate"
	ctx := r.Context()
	if hdr := r.Header.Get("Authorization"); hdr != "" {
		scheme, token, _ := strings.Cut(hdr, " ")
		token = strings.TrimSpace(token)
		// The scheme name is case-insensitive (RFC 9110 §11.1).
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			return nil, apperr.E(apperr.Unauthorized, op, "the Authorization header must be \"Bearer <token>\"", nil)
		}
		c, err := h.db.ClientByToken(ctx, token)
		if err != nil {
			return nil, err
		}
		return &principal{actor: auth.Actor{Kind: "client", ID: c.ID, Name: c.Name}, client: &c}, nil
	}
	if ck, err := r.Cookie(auth.SessionCookie); err == nil && ck.Value != "" {
		u, err := h.db.SessionUser(ctx, ck.Value)
		if err != nil {
			return nil, err
		}
		return &principal{actor: auth.Actor{Kind: "user", ID: u.ID, Name: u.Email}, user: &u}, nil
	}
	return nil, apperr.E(apperr.Unauthorized, op, "authentication required: send a bearer token or sign in", nil)
}

// portalAccounts returns the accounts a portal user may see.
func (h *handler) portalAccounts(ctx context.Context, p *principal) ([]customer.Account, error) {
	ids := p.accountIDs()
	if len(ids) == 0 {
		return nil, nil
	}
	return h.db.Accounts(ctx, store.AccountFilter{IDs: ids, Limit: len(ids)})
}

// portalSees reports whether a portal user has an account whose field
// (customer or premise) equals id.
func (h *handler) portalSees(ctx context.Context, p *principal, id int64, field func(customer.Account) int64) (bool, error) {
	accts, err := h.portalAccounts(ctx, p)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(accts, func(a customer.Account) bool { return field(a) == id }), nil
}
