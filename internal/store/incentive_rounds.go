package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
)

// Innovation-fund awards are Energized Communities applications of this
// program and measure (internal/incentive/data/programs.json).
const (
	EnergizedCommunities = "energized-communities"
	InnovationFund       = "innovation_fund"
)

// RoundAward is a scored proposal and, when funded, the application that
// holds its award.
type RoundAward struct {
	incentive.RoundResult
	ApplicationID int64            `json:"application_id,omitempty"`
	Status        incentive.Status `json:"application_status,omitempty"`
}

// AwardRound scores an innovation-fund round (incentive.Round.Score) and
// turns each funded proposal into an Energized Communities application of
// the innovation-fund measure for its award, decided on day on and
// submitted at once, so its award is reserved from the program's budget
// in force that day (first come, first served in rank order). All in the
// caller's transaction: a proposal whose agency is not a member agency,
// whose application is not eligible, or that the budget cannot cover
// (Conflict) fails the whole award and nothing is stored.
func (tx *Tx) AwardRound(ctx context.Context, actor auth.Actor, r incentive.Round, on calendar.Date) ([]RoundAward, error) {
	const op = "store.AwardRound"
	results, err := r.Score()
	if err != nil {
		return nil, err
	}
	if on.IsZero() {
		var f apperr.Fields
		f.Add("on", "is required: the day the awards are decided (their budget is the one in force that day)")
		return nil, f.Err(op)
	}
	out := make([]RoundAward, 0, len(results))
	for i, res := range results {
		a := RoundAward{RoundResult: res}
		if res.Funded {
			req := res.Award
			facts := incentive.Facts{Date: on, RequestedCents: &req, Measure: map[string]json.RawMessage{"type": json.RawMessage(`"` + InnovationFund + `"`)}}
			app, err := tx.CreateApplication(ctx, actor, NewApplication{ProgramID: EnergizedCommunities, MemberAgency: res.Agency, Facts: facts})
			if err != nil {
				return nil, prefixRoundErr(err, i)
			}
			if !app.Decision.Eligible || app.AmountCents != res.Award {
				return nil, apperr.Conflictf(op, "%s's award of %s is not eligible as an innovation-fund grant: %v", res.Agency, res.Award,
					app.Decision.Reasons)
			}
			if app, err = tx.SubmitApplication(ctx, actor, app.ID); err != nil {
				return nil, err
			}
			if app.Status != incentive.Reserved {
				return nil, apperr.Conflictf(op, "%s's award of %s was not reserved (%s): the innovation fund's budget in force on %s cannot cover it",
					res.Agency, res.Award, app.Status, on)
			}
			a.ApplicationID, a.Status = app.ID, app.Status
		}
		out = append(out, a)
	}
	var total money.Cents
	for _, a := range out {
		total += a.Award
	}
	return out, tx.auditText(ctx, actor, "award", "innovation_fund_round", r.Name, nil, map[string]any{"on": on, "awards": out, "total_cents": total})
}

// prefixRoundErr names a proposal's field errors by its index in the
// ranked results.
func prefixRoundErr(err error, i int) error {
	fs := apperr.FieldsOf(err)
	if len(fs) == 0 {
		return err
	}
	var f apperr.Fields
	for _, fe := range fs {
		f.Add(fmt.Sprintf("proposals[rank %d].%s", i+1, fe.Field), "%s", fe.Msg)
	}
	return f.Err("store.AwardRound")
}
