package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/rec"
)

// RecMember links a registry participant's user, or an API client, to the
// organization whose registry accounts it alone may see and act on.
type RecMember struct {
	ID       int64  `json:"id"`
	Org      string `json:"org"`
	UserID   int64  `json:"user_id,omitempty"`
	ClientID int64  `json:"client_id,omitempty"`
	// Who is the user's login email or the client's name (read back by
	// RecMembers).
	Who     string    `json:"who,omitempty"`
	Created time.Time `json:"created"`
}

// LinkRecUser makes a participant user act for an organization that holds
// registry accounts. Only users with the participant role are linked:
// staff act for the operating retail seller and see every account.
func (tx *Tx) LinkRecUser(ctx context.Context, actor auth.Actor, org string, userID int64) (RecMember, error) {
	const op = "store.LinkRecUser"
	u, err := tx.User(ctx, userID)
	if err != nil {
		return RecMember{}, err
	}
	if u.Role != auth.Participant {
		var f apperr.Fields
		f.Add("user", "%s has the %s role; only participant users act for a registry organization", u.Email, u.Role)
		return RecMember{}, f.Err(op)
	}
	return tx.linkRecMember(ctx, actor, op, RecMember{Org: org, UserID: userID})
}

// LinkRecClient makes an API client holding the rec:write scope act for
// an organization: from then on it reaches only that organization's
// registry accounts.
func (tx *Tx) LinkRecClient(ctx context.Context, actor auth.Actor, org string, clientID int64) (RecMember, error) {
	const op = "store.LinkRecClient"
	var scopes string
	err := tx.q.QueryRowContext(ctx, `SELECT scopes FROM api_clients WHERE id = $1`, clientID).Scan(&scopes)
	if errors.Is(err, sql.ErrNoRows) {
		return RecMember{}, apperr.NotFoundf(op, "API client %d not found", clientID)
	} else if err != nil {
		return RecMember{}, fmt.Errorf("store: API client: %w", err)
	}
	if !slices.Contains(strings.Fields(scopes), auth.ScopeRECWrite) {
		var f apperr.Fields
		f.Add("client", "API client %d lacks the %s scope", clientID, auth.ScopeRECWrite)
		return RecMember{}, f.Err(op)
	}
	return tx.linkRecMember(ctx, actor, op, RecMember{Org: org, ClientID: clientID})
}

func (tx *Tx) linkRecMember(ctx context.Context, actor auth.Actor, op string, m RecMember) (RecMember, error) {
	m.Org = strings.TrimSpace(m.Org)
	accts, err := tx.RecAccountsOf(ctx, m.Org)
	if err != nil {
		return m, err
	}
	if m.Org == "" || len(accts) == 0 {
		var f apperr.Fields
		f.Add("org", "%q holds no registry account: open one first", m.Org)
		return m, f.Err(op)
	}
	m.Org = accts[0].Org
	m.Created = tx.now()
	var user, client any
	if m.UserID != 0 {
		user = m.UserID
	} else {
		client = m.ClientID
	}
	err = tx.q.QueryRowContext(ctx, `INSERT INTO rec_members (org, user_id, client_id, created_unix) VALUES ($1, $2, $3, $4) RETURNING id`,
		m.Org, user, client, m.Created.Unix()).Scan(&m.ID)
	if err = mapErr(err); apperr.Is(err, apperr.Conflict) {
		var f apperr.Fields
		f.Add("org", "already linked to a registry organization")
		return m, f.Err(op)
	} else if err != nil {
		return m, wrap("registry member", err)
	}
	return m, tx.audit(ctx, actor, "link", "rec_member", m.ID, nil, m)
}

// RecOrgOfUser returns the organization a participant user acts for, or
// NotFound when it is linked to none.
func (q queries) RecOrgOfUser(ctx context.Context, userID int64) (string, error) {
	return q.recOrgOf(ctx, "user_id", userID)
}

// RecOrgOfClient returns the organization an API client acts for, or
// NotFound when it acts for the operator.
func (q queries) RecOrgOfClient(ctx context.Context, clientID int64) (string, error) {
	return q.recOrgOf(ctx, "client_id", clientID)
}

func (q queries) recOrgOf(ctx context.Context, col string, id int64) (string, error) {
	var org string
	err := q.q.QueryRowContext(ctx, `SELECT org FROM rec_members WHERE `+col+` = $1`, id).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFoundf("store.RecOrgOf", "not linked to a registry organization")
	}
	if err != nil {
		return "", fmt.Errorf("store: registry member: %w", err)
	}
	return org, nil
}

// RecMembers returns every link of a user or client to an organization,
// by organization, each with the user's email or the client's name.
func (q queries) RecMembers(ctx context.Context) ([]RecMember, error) {
	return collect(ctx, q, func(row interface{ Scan(...any) error }) (RecMember, error) {
		var m RecMember
		var user, client sql.NullInt64
		var at int64
		err := row.Scan(&m.ID, &m.Org, &user, &client, &at, &m.Who)
		m.UserID, m.ClientID, m.Created = user.Int64, client.Int64, time.Unix(at, 0).UTC()
		return m, err
	}, `SELECT m.id, m.org, m.user_id, m.client_id, m.created_unix, COALESCE(u.email, c.name, '')
		FROM rec_members m LEFT JOIN users u ON u.id = m.user_id LEFT JOIN api_clients c ON c.id = m.client_id
		ORDER BY m.org, m.id`)
}

// RecAccountOf returns a registry account the organization may see: any
// account when org is empty, else only its own (NotFound otherwise, as if
// the account did not exist).
func (q queries) RecAccountOf(ctx context.Context, org string, id int64) (rec.Account, error) {
	a, err := q.RecAccount(ctx, id)
	if err == nil && org != "" && a.Org != org {
		return rec.Account{}, apperr.NotFoundf("store", "no registry account %d", id)
	}
	return a, err
}
