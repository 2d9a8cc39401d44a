package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
)

// userAudit is what the audit log keeps of a user: never the password hash.
type userAudit struct {
	ID         int64     `json:"id"`
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	Role       auth.Role `json:"role"`
	Disabled   bool      `json:"disabled"`
	AccountIDs []int64   `json:"account_ids"`
}

func auditUser(u auth.User) userAudit {
	return userAudit{u.ID, u.Email, u.Name, u.Role, u.Disabled, u.AccountIDs}
}

// CreateUser validates u and inserts it with its linked accounts. The
// password hash must already be set.
func (tx *Tx) CreateUser(ctx context.Context, actor auth.Actor, u *auth.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.PasswordHash == "" {
		return apperr.E(apperr.Internal, "store.CreateUser", "no password hash", nil)
	}
	if u.Role != auth.CustomerRole && len(u.AccountIDs) > 0 {
		var f apperr.Fields
		f.Add("accounts", "only customer users are linked to accounts")
		return f.Err("store.CreateUser")
	}
	u.Created = tx.now()
	err := tx.q.QueryRowContext(ctx, `INSERT INTO users (email, name, role, password_hash, disabled, created_unix)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, u.Email, u.Name, u.Role, u.PasswordHash, b2i(u.Disabled), u.Created.Unix()).Scan(&u.ID)
	if err != nil {
		if apperr.KindOf(mapErr(err)) == apperr.Conflict {
			return apperr.E(apperr.Conflict, "store.CreateUser", fmt.Sprintf("a user with email %s already exists", u.Email), err)
		}
		return fmt.Errorf("store: create user: %w", mapErr(err))
	}
	for _, id := range u.AccountIDs {
		if _, err := tx.Account(ctx, id); err != nil {
			if apperr.Is(err, apperr.NotFound) {
				var f apperr.Fields
				f.Add("accounts", "account %d does not exist", id)
				return f.Err("store.CreateUser")
			}
			return err
		}
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO user_accounts (user_id, account_id) VALUES ($1, $2)`, u.ID, id); err != nil {
			return fmt.Errorf("store: link account: %w", mapErr(err))
		}
	}
	return tx.audit(ctx, actor, "create", "user", u.ID, nil, auditUser(*u))
}

// SetUserDisabled disables or re-enables a user; disabling ends the user's
// sessions.
func (tx *Tx) SetUserDisabled(ctx context.Context, actor auth.Actor, id int64, disabled bool) error {
	before, err := tx.User(ctx, id)
	if err != nil {
		return err
	}
	if _, err := tx.q.ExecContext(ctx, `UPDATE users SET disabled = $2 WHERE id = $1`, id, b2i(disabled)); err != nil {
		return fmt.Errorf("store: disable user: %w", err)
	}
	if disabled {
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
			return fmt.Errorf("store: disable user: %w", err)
		}
	}
	after := before
	after.Disabled = disabled
	return tx.audit(ctx, actor, "update", "user", id, auditUser(before), auditUser(after))
}

const userCols = `id, email, name, role, password_hash, disabled, created_unix`

func (q queries) scanUser(ctx context.Context, row *sql.Row) (auth.User, error) {
	var u auth.User
	var dis, cr int64
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &dis, &cr); err != nil {
		return u, err
	}
	u.Disabled, u.Created = dis == 1, time.Unix(cr, 0).UTC()
	ids, err := q.userAccountIDs(ctx, u.ID)
	u.AccountIDs = ids
	return u, err
}

func (q queries) userAccountIDs(ctx context.Context, userID int64) ([]int64, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT account_id FROM user_accounts WHERE user_id = $1 ORDER BY account_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: user accounts: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// User returns the user with the given ID.
func (q queries) User(ctx context.Context, id int64) (auth.User, error) {
	u, err := q.scanUser(ctx, q.q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.NotFoundf("store.User", "user %d not found", id)
	}
	return u, err
}

// UserByEmail returns the user with the given login email.
func (q queries) UserByEmail(ctx context.Context, email string) (auth.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	u, err := q.scanUser(ctx, q.q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE email = $1`, email))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.NotFoundf("store.UserByEmail", "user %s not found", email)
	}
	return u, err
}

// Users lists all users by ID.
func (q queries) Users(ctx context.Context) ([]auth.User, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id FROM users ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := make([]auth.User, 0, len(ids))
	for _, id := range ids {
		u, err := q.User(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// CreateSession stores a new session for a user and returns its token.
func (tx *Tx) CreateSession(ctx context.Context, userID int64) (token string, s auth.Session, err error) {
	token, hash := auth.NewToken("gbs_")
	now := tx.now()
	s = auth.Session{TokenHash: hash, UserID: userID, Created: now, Expires: now.Add(auth.SessionTTL)}
	_, err = tx.q.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_unix, expires_unix) VALUES ($1, $2, $3, $4)`,
		hash, userID, now.Unix(), s.Expires.Unix())
	if err != nil {
		return "", s, fmt.Errorf("store: create session: %w", err)
	}
	return token, s, nil
}

// SessionUser returns the enabled user of an unexpired session, or
// Unauthorized.
func (q queries) SessionUser(ctx context.Context, token string) (auth.User, error) {
	var userID int64
	err := q.q.QueryRowContext(ctx, `SELECT s.user_id FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_unix > $2 AND u.disabled = 0`, auth.HashToken(token), q.now().Unix()).Scan(&userID)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, apperr.E(apperr.Unauthorized, "store.SessionUser", "session expired or unknown", nil)
	}
	if err != nil {
		return auth.User{}, fmt.Errorf("store: session: %w", err)
	}
	return q.User(ctx, userID)
}

// DeleteSession ends a session.
func (tx *Tx) DeleteSession(ctx context.Context, token string) error {
	_, err := tx.q.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, auth.HashToken(token))
	return err
}

// CreateClient stores an API client and returns its bearer token, which is
// shown once and never stored.
func (tx *Tx) CreateClient(ctx context.Context, actor auth.Actor, c *auth.Client) (string, error) {
	c.Name = strings.TrimSpace(c.Name)
	var f apperr.Fields
	if c.Name == "" {
		f.Add("name", "is required")
	}
	if len(c.Scopes) == 0 {
		f.Add("scopes", "at least one scope is required")
	}
	if err := f.Err("store.CreateClient"); err != nil {
		return "", err
	}
	if err := auth.ValidateScopes(c.Scopes); err != nil {
		return "", err
	}
	token, hash := auth.NewToken("gbk_")
	c.TokenHash, c.Created = hash, tx.now()
	err := tx.q.QueryRowContext(ctx, `INSERT INTO api_clients (name, token_hash, scopes, disabled, created_unix) VALUES ($1, $2, $3, 0, $4) RETURNING id`,
		c.Name, hash, strings.Join(c.Scopes, " "), c.Created.Unix()).Scan(&c.ID)
	if err != nil {
		return "", fmt.Errorf("store: create client: %w", mapErr(err))
	}
	return token, tx.audit(ctx, actor, "create", "api_client", c.ID, nil, map[string]any{"name": c.Name, "scopes": c.Scopes})
}

// ClientByToken returns the enabled API client holding token, or
// Unauthorized.
func (q queries) ClientByToken(ctx context.Context, token string) (auth.Client, error) {
	var c auth.Client
	var scopes string
	var cr int64
	err := q.q.QueryRowContext(ctx, `SELECT id, name, token_hash, scopes, created_unix FROM api_clients WHERE token_hash = $1 AND disabled = 0`,
		auth.HashToken(token)).Scan(&c.ID, &c.Name, &c.TokenHash, &scopes, &cr)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.E(apperr.Unauthorized, "store.ClientByToken", "unknown or disabled API token", nil)
	}
	if err != nil {
		return c, fmt.Errorf("store: client: %w", err)
	}
	c.Scopes, c.Created = strings.Fields(scopes), time.Unix(cr, 0).UTC()
	return c, nil
}

// LoginAllowed reports whether another login attempt is allowed under the
// rate-limit counter l (auth.LoginLimits): fewer than l.Max failures of
// l.Key within auth.LoginWindow.
func (q queries) LoginAllowed(ctx context.Context, l auth.LoginLimit) (bool, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT count(*) FROM login_failures WHERE key = $1 AND at_unix > $2`,
		l.Key, q.now().Add(-auth.LoginWindow).Unix()).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: login limit: %w", err)
	}
	return n < l.Max, nil
}

// RecordLoginFailure counts a failed login for each key and forgets
// failures older than the window.
func (tx *Tx) RecordLoginFailure(ctx context.Context, keys ...string) error {
	now := tx.now()
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM login_failures WHERE at_unix <= $1`, now.Add(-auth.LoginWindow).Unix()); err != nil {
		return fmt.Errorf("store: login failure: %w", err)
	}
	for _, k := range keys {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO login_failures (key, at_unix) VALUES ($1, $2)`, k, now.Unix()); err != nil {
			return fmt.Errorf("store: login failure: %w", err)
		}
	}
	return nil
}

// ClearLoginFailures forgets the failures of key after a successful login.
func (tx *Tx) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := tx.q.ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1`, key)
	return err
}
