package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
)

// OADRClient is an OpenADR client: business logic ("bl") or a VEN
// ("ven"), with the OAuth2 scopes of OpenADR 3.1.
type OADRClient struct {
	ClientID string
	Role     string // bl or ven
	Name     string
	Scopes   []string
	Created  time.Time
	// Disabled is when an administrator disabled the client (zero:
	// enabled): it gets no token and its tokens are refused.
	Disabled time.Time
}

// Has reports whether the client holds scope.
func (c OADRClient) Has(scope string) bool {
	for _, s := range c.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateOADRClient provisions an OpenADR client and returns its secret,
// shown once; only its SHA-256 is kept.
func (tx *Tx) CreateOADRClient(ctx context.Context, actor auth.Actor, c *OADRClient) (secret string, err error) {
	var f apperr.Fields
	if c.Role != "bl" && c.Role != "ven" {
		f.Add("role", "must be bl or ven")
	}
	if strings.TrimSpace(c.Name) == "" {
		f.Add("name", "is required")
	}
	if err := f.Err("store.CreateOADRClient"); err != nil {
		return "", err
	}
	if c.ClientID == "" {
		c.ClientID = c.Role + "-" + randomToken(9)
	}
	secret = randomToken(24)
	c.Created = tx.now()
	_, err = tx.q.ExecContext(ctx, `INSERT INTO oadr_clients (client_id, secret_sha256, role, name, scopes, created_unix) VALUES ($1, $2, $3, $4, $5, $6)`,
		c.ClientID, sha(secret), c.Role, c.Name, strings.Join(c.Scopes, " "), c.Created.Unix())
	if err != nil {
		return "", fmt.Errorf("store: openadr client: %w", mapErr(err))
	}
	return secret, tx.audit(ctx, actor, "create", "oadr_client", 0, nil, map[string]any{"client_id": c.ClientID, "role": c.Role, "name": c.Name, "scopes": c.Scopes})
}

const oadrClientCols = `c.client_id, c.secret_sha256, c.role, c.name, c.scopes, c.created_unix, c.disabled_unix`

func scanOADRClient(s interface{ Scan(...any) error }) (OADRClient, string, error) {
	var c OADRClient
	var scopes, secret string
	var cr, dis int64
	err := s.Scan(&c.ClientID, &secret, &c.Role, &c.Name, &scopes, &cr, &dis)
	c.Scopes, c.Created = strings.Fields(scopes), time.Unix(cr, 0).UTC()
	if dis != 0 {
		c.Disabled = time.Unix(dis, 0).UTC()
	}
	return c, secret, err
}

// IssueOADRToken checks a client's credentials and issues a bearer token
// lasting ttl. Wrong credentials, and a disabled client, are
// Unauthorized.
func (tx *Tx) IssueOADRToken(ctx context.Context, clientID, secret string, ttl time.Duration) (string, OADRClient, error) {
	c, want, err := scanOADRClient(tx.q.QueryRowContext(ctx, `SELECT `+oadrClientCols+` FROM oadr_clients c WHERE c.client_id = $1`, clientID))
	if err != nil || subtle.ConstantTimeCompare([]byte(want), []byte(sha(secret))) != 1 || !c.Disabled.IsZero() {
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", c, fmt.Errorf("store: openadr token: %w", err)
		}
		return "", OADRClient{}, apperr.E(apperr.Unauthorized, "store.IssueOADRToken", "unknown client or wrong secret", nil)
	}
	tok := randomToken(32)
	if _, err := tx.q.ExecContext(ctx, `INSERT INTO oadr_tokens (token_sha256, client_id, expires_unix) VALUES ($1, $2, $3)`,
		sha(tok), c.ClientID, tx.now().Add(ttl).Unix()); err != nil {
		return "", c, fmt.Errorf("store: openadr token: %w", err)
	}
	return tok, c, nil
}

// OADRClientByID returns a client; NotFound when there is none.
func (q queries) OADRClientByID(ctx context.Context, clientID string) (OADRClient, error) {
	c, _, err := scanOADRClient(q.q.QueryRowContext(ctx, `SELECT `+oadrClientCols+` FROM oadr_clients c WHERE c.client_id = $1`, clientID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFoundf("store.OADRClientByID", "openadr client %s not found", clientID)
	}
	return c, err
}

// OADRTokenClient returns the client of an unexpired, unrevoked bearer
// token of a client that is not disabled; any other token is
// Unauthorized.
func (q queries) OADRTokenClient(ctx context.Context, token string) (OADRClient, error) {
	c, _, err := scanOADRClient(q.q.QueryRowContext(ctx, `SELECT `+oadrClientCols+`
		FROM oadr_tokens t JOIN oadr_clients c ON c.client_id = t.client_id
		WHERE t.token_sha256 = $1 AND t.expires_unix > $2 AND c.disabled_unix = 0`, sha(token), q.now().Unix()))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.E(apperr.Unauthorized, "store.OADRTokenClient", "unknown, expired or revoked token", nil)
	}
	return c, err
}

// OADRClients returns every OpenADR client in creation order.
func (q queries) OADRClients(ctx context.Context) ([]OADRClient, error) {
	return collect(ctx, q, func(s interface{ Scan(...any) error }) (OADRClient, error) {
		c, _, err := scanOADRClient(s)
		return c, err
	}, `SELECT `+oadrClientCols+` FROM oadr_clients c ORDER BY c.created_unix, c.client_id`)
}

// RevokeOADRTokens ends the bearer tokens of a client before they expire
// (OpenADR 3.1 defines no revocation endpoint; this is gridbook's own):
// one token when token is not "", else all of the client's. It returns
// how many were revoked; an unknown client is NotFound, and a token that
// is not the client's revokes nothing. The VTN refuses a revoked token
// at once; see OADRRevocations for the MQTT broker.
func (tx *Tx) RevokeOADRTokens(ctx context.Context, actor auth.Actor, clientID, token string) (int, error) {
	if _, err := tx.OADRClientByID(ctx, clientID); err != nil {
		return 0, err
	}
	res, err := tx.q.ExecContext(ctx, `DELETE FROM oadr_tokens WHERE client_id = $1 AND ($2 = '' OR token_sha256 = $2)`, clientID, shaOrEmpty(token))
	if err != nil {
		return 0, fmt.Errorf("store: openadr revoke: %w", err)
	}
	n, _ := res.RowsAffected()
	tx.revoked()
	what := "all"
	if token != "" {
		what = "one"
	}
	return int(n), tx.audit(ctx, actor, "revoke", "oadr_client", 0, nil, map[string]any{"client_id": clientID, "tokens": what, "revoked": n})
}

func shaOrEmpty(s string) string {
	if s == "" {
		return ""
	}
	return sha(s)
}

// DisableOADRClient disables a client: its tokens are revoked and it
// gets no new one. Disabling a disabled client changes nothing.
func (tx *Tx) DisableOADRClient(ctx context.Context, actor auth.Actor, clientID string) (OADRClient, error) {
	c, err := tx.OADRClientByID(ctx, clientID)
	if err != nil || !c.Disabled.IsZero() {
		return c, err
	}
	c.Disabled = tx.now()
	if _, err := tx.q.ExecContext(ctx, `UPDATE oadr_clients SET disabled_unix = $2 WHERE client_id = $1`, clientID, c.Disabled.Unix()); err != nil {
		return c, fmt.Errorf("store: openadr disable: %w", err)
	}
	if _, err := tx.q.ExecContext(ctx, `DELETE FROM oadr_tokens WHERE client_id = $1`, clientID); err != nil {
		return c, fmt.Errorf("store: openadr disable: %w", err)
	}
	tx.revoked()
	return c, tx.audit(ctx, actor, "disable", "oadr_client", 0, map[string]any{"client_id": clientID, "disabled": false},
		map[string]any{"client_id": clientID, "disabled": true})
}

// revoked bumps OADRRevocations once the transaction commits.
func (tx *Tx) revoked() {
	tx.committed = append(tx.committed, func() { tx.db.oadrRevoked.Add(1) })
}

// OADRRevocations counts the token revocations (RevokeOADRTokens,
// DisableOADRClient) committed through this DB handle. The MQTT broker
// checks a connection's token again as soon as it changes, so a
// revocation made by the same process (API, console) takes effect at the
// connection's next packet; one made by another process (the CLI) is
// seen at the broker's next periodic check.
func (db *DB) OADRRevocations() int64 { return db.oadrRevoked.Load() }

// OADRObject is one stored VTN object: its JSON body with the columns it
// is looked up by.
type OADRObject struct {
	ID, Kind, ClientID, VenID, ProgramID, EventID, Name string
	Body                                                []byte
	Created, Modified                                   time.Time
}

const oadrCols = `id, kind, client_id, ven_id, program_id, event_id, name, body, created_unix, modified_unix`

func scanOADR(s interface{ Scan(...any) error }) (OADRObject, error) {
	var o OADRObject
	var body string
	var cr, md int64
	err := s.Scan(&o.ID, &o.Kind, &o.ClientID, &o.VenID, &o.ProgramID, &o.EventID, &o.Name, &body, &cr, &md)
	o.Body, o.Created, o.Modified = []byte(body), time.Unix(cr, 0).UTC(), time.Unix(md, 0).UTC()
	return o, err
}

// NewOADRID returns a fresh object id with a kind prefix ("ven-…").
func NewOADRID(kind string) string { return strings.ToLower(kind) + "-" + randomToken(9) }

// PutOADRObject inserts an object or replaces the body and lookup columns
// of an existing one (keeping its creation time). A second VEN with the
// same name is a Conflict.
func (tx *Tx) PutOADRObject(ctx context.Context, actor auth.Actor, o OADRObject) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO oadr_objects (`+oadrCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (id) DO UPDATE SET ven_id = excluded.ven_id, program_id = excluded.program_id, event_id = excluded.event_id,
		name = excluded.name, body = excluded.body, modified_unix = excluded.modified_unix`,
		o.ID, o.Kind, o.ClientID, o.VenID, o.ProgramID, o.EventID, o.Name, string(o.Body), o.Created.Unix(), o.Modified.Unix())
	if err != nil {
		return fmt.Errorf("store: openadr object: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "put", "oadr_"+strings.ToLower(o.Kind), 0, nil, map[string]string{"id": o.ID, "body": string(o.Body)})
}

// DeleteOADRObject removes an object.
func (tx *Tx) DeleteOADRObject(ctx context.Context, actor auth.Actor, kind, id string) error {
	res, err := tx.q.ExecContext(ctx, `DELETE FROM oadr_objects WHERE kind = $1 AND id = $2`, kind, id)
	if err != nil {
		return fmt.Errorf("store: openadr object: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("store.DeleteOADRObject", "%s %s not found", strings.ToLower(kind), id)
	}
	return tx.audit(ctx, actor, "delete", "oadr_"+strings.ToLower(kind), 0, map[string]string{"id": id}, nil)
}

// OADRObjectByID returns one object of a kind.
func (q queries) OADRObjectByID(ctx context.Context, kind, id string) (OADRObject, error) {
	o, err := scanOADR(q.q.QueryRowContext(ctx, `SELECT `+oadrCols+` FROM oadr_objects WHERE kind = $1 AND id = $2`, kind, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, apperr.NotFoundf("store.OADRObject", "%s %s not found", strings.ToLower(kind), id)
	}
	return o, err
}

// OADRFilter selects objects of one kind; empty fields match everything.
type OADRFilter struct {
	Kind, ClientID, VenID, ProgramID, EventID, Name string
}

// OADRObjects returns the objects matching f in creation order.
func (q queries) OADRObjects(ctx context.Context, f OADRFilter) ([]OADRObject, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+oadrCols+` FROM oadr_objects WHERE kind = $1 AND ($2 = '' OR client_id = $2)
		AND ($3 = '' OR ven_id = $3) AND ($4 = '' OR program_id = $4) AND ($5 = '' OR event_id = $5) AND ($6 = '' OR name = $6)
		ORDER BY created_unix, id`, f.Kind, f.ClientID, f.VenID, f.ProgramID, f.EventID, f.Name)
	if err != nil {
		return nil, fmt.Errorf("store: openadr objects: %w", err)
	}
	defer rows.Close()
	var out []OADRObject
	for rows.Next() {
		o, err := scanOADR(rows)
		if err != nil {
			return nil, fmt.Errorf("store: openadr objects: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// OADRWatchKey names one watched aspect of an event: "status" (the
// status last notified) or "fleet" (its battery dispatch events,
// "announced" or "withdrawn"); event 0's "start" marks that the first
// look over the database has recorded what was there.
type OADRWatchKey struct {
	EventID int64
	Aspect  string
}

// OADRWatchStates returns what the VTN's watch has recorded of the events
// with ids from..to, and event 0's "start" marker when present.
func (q queries) OADRWatchStates(ctx context.Context, from, to int64) (map[OADRWatchKey]string, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT event_id, aspect, state FROM oadr_watch WHERE event_id = 0 OR event_id BETWEEN $1 AND $2`, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: openadr watch: %w", err)
	}
	defer rows.Close()
	out := map[OADRWatchKey]string{}
	for rows.Next() {
		var k OADRWatchKey
		var s string
		if err := rows.Scan(&k.EventID, &k.Aspect, &s); err != nil {
			return nil, fmt.Errorf("store: openadr watch: %w", err)
		}
		out[k] = s
	}
	return out, rows.Err()
}

// ClaimOADRWatch moves an event's watched aspect from state from ("" when
// nothing is recorded yet) to state to, and reports whether this call
// made the move. It is one statement (an insert that does nothing on
// conflict, or an update conditioned on the old state), so of several
// processes claiming the same change exactly one gets true: the one that
// is to notify it.
func (q queries) ClaimOADRWatch(ctx context.Context, k OADRWatchKey, from, to string) (bool, error) {
	var res sql.Result
	var err error
	if from == "" {
		res, err = q.q.ExecContext(ctx, `INSERT INTO oadr_watch (event_id, aspect, state, changed_unix) VALUES ($1, $2, $3, $4)
			ON CONFLICT (event_id, aspect) DO NOTHING`, k.EventID, k.Aspect, to, q.now().Unix())
	} else {
		res, err = q.q.ExecContext(ctx, `UPDATE oadr_watch SET state = $4, changed_unix = $5 WHERE event_id = $1 AND aspect = $2 AND state = $3`,
			k.EventID, k.Aspect, from, to, q.now().Unix())
	}
	if err != nil {
		return false, fmt.Errorf("store: openadr watch: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetOADRWatch records an aspect's state whatever it was: the VTN calls
// it in the transaction that creates or cancels an event it notifies
// itself, so the watch does not notify it again.
func (tx *Tx) SetOADRWatch(ctx context.Context, k OADRWatchKey, state string) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO oadr_watch (event_id, aspect, state, changed_unix) VALUES ($1, $2, $3, $4)
		ON CONFLICT (event_id, aspect) DO UPDATE SET state = excluded.state, changed_unix = excluded.changed_unix`, k.EventID, k.Aspect, state, tx.now().Unix())
	if err != nil {
		return fmt.Errorf("store: openadr watch: %w", mapErr(err))
	}
	return nil
}
