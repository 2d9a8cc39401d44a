package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/incentive"
)

// SetProgramPolicy chooses the reading of one of a stored program's
// policies (incentive.Program.SetPolicy), saves the program's document and
// audits the change with the reading before and after. An unknown program
// is NotFound; an unknown policy or reading is Invalid naming policy or
// choice. A later import of a programs document sets the choice that
// document states.
func (tx *Tx) SetProgramPolicy(ctx context.Context, actor auth.Actor, programID, policy, choice string) (incentive.Program, error) {
	p, err := tx.IncentiveProgram(ctx, programID)
	if err != nil {
		return p, err
	}
	before, _ := p.Policy(policy)
	p.Policies = append([]incentive.Policy(nil), p.Policies...)
	if err := p.SetPolicy(policy, choice); err != nil {
		return p, err
	}
	if err := p.Validate(); err != nil {
		return p, err
	}
	doc, err := json.Marshal(p)
	if err != nil {
		return p, err
	}
	sum := sha256.Sum256(doc)
	if _, err := tx.q.ExecContext(ctx, `UPDATE incentive_programs SET doc_json = $2, sha256 = $3, updated_unix = $4 WHERE id = $1`,
		p.ID, string(doc), hex.EncodeToString(sum[:]), tx.now().Unix()); err != nil {
		return p, fmt.Errorf("store: program %s: %w", p.ID, mapErr(err))
	}
	after, _ := p.Policy(policy)
	return p, tx.auditText(ctx, actor, "set_policy", "incentive_program", p.ID,
		map[string]string{"policy": policy, "reading": before.InForce().ID}, map[string]string{"policy": policy, "reading": after.InForce().ID})
}
