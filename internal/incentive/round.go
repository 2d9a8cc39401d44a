package incentive

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/money"
)

// Competitive rounds of the Energized Communities innovation fund (seed
// 000: "competitive funding"; $2M to 10 communities in 2025; round 2
// proposals picked in December 2025): proposals are scored against
// weighted criteria, ranked, and funded in rank order while the round's
// fund lasts.

// Criterion is one scoring criterion with its weight in basis points of
// the total (the weights add up to 10,000) and its maximum score.
type Criterion struct {
	Name     string `json:"name"`
	WeightBP int64  `json:"weight_bp"`
	Max      int    `json:"max"`
}

// Proposal is a member agency's proposal with its reviewers' scores by
// criterion.
type Proposal struct {
	Agency         string         `json:"agency"`
	Title          string         `json:"title"`
	RequestedCents money.Cents    `json:"requested_cents"`
	Scores         map[string]int `json:"scores"`
}

// Round is a competitive round: criteria, proposals, the fund and the
// minimum weighted score (basis points of a perfect score) to be funded.
type Round struct {
	Name       string      `json:"name"`
	FundCents  money.Cents `json:"fund_cents"`
	MinScoreBP int64       `json:"min_score_bp"`
	Criteria   []Criterion `json:"criteria"`
	Proposals  []Proposal  `json:"proposals"`
}

// RoundResult is a proposal's outcome.
type RoundResult struct {
	Rank       int         `json:"rank"`
	Agency     string      `json:"agency"`
	Title      string      `json:"title"`
	ScoreMicro int64       `json:"score_micro_bp"` // weighted score in millionths of a basis point of a perfect score
	Score      string      `json:"score"`          // the same as a percentage, e.g. "87.5%"
	Requested  money.Cents `json:"requested_cents"`
	Award      money.Cents `json:"award_cents"`
	Funded     bool        `json:"funded"`
	Reason     string      `json:"reason"`
}

// Validate checks a round: weights adding to 10,000 bp, every proposal
// scored on every criterion within 0..max, positive requests, a fund.
func (r *Round) Validate() error {
	var f apperr.Fields
	var total int64
	names := map[string]bool{}
	for i, c := range r.Criteria {
		if c.Name == "" || names[c.Name] {
			f.Add(fmt.Sprintf("criteria[%d].name", i), "must be named and unique")
		}
		names[c.Name] = true
		if c.WeightBP <= 0 || c.Max <= 0 {
			f.Add(fmt.Sprintf("criteria[%d]", i), "weight_bp and max must be positive")
		}
		total += c.WeightBP
	}
	if total != 10_000 {
		f.Add("criteria", "weights add up to %d bp, not 10000", total)
	}
	if r.FundCents <= 0 {
		f.Add("fund_cents", "must be positive")
	}
	if r.MinScoreBP < 0 || r.MinScoreBP > 10_000 {
		f.Add("min_score_bp", "must be 0 to 10000")
	}
	for i, p := range r.Proposals {
		at := fmt.Sprintf("proposals[%d]", i)
		if strings.TrimSpace(p.Agency) == "" {
			f.Add(at+".agency", "is required")
		}
		if p.RequestedCents <= 0 {
			f.Add(at+".requested_cents", "must be positive")
		}
		for _, c := range r.Criteria {
			s, ok := p.Scores[c.Name]
			if !ok || s < 0 || s > c.Max {
				f.Add(at+".scores."+c.Name, "must be scored 0 to %d", c.Max)
			}
		}
		for k := range p.Scores {
			if !names[k] {
				f.Add(at+".scores."+k, "is not a criterion of the round")
			}
		}
	}
	return f.Err("incentive.Round")
}

// Score ranks the proposals by weighted score (ties: the smaller request,
// then the agency's name) and funds them in rank order, each in full,
// while the fund lasts and the score reaches the minimum; a proposal the
// remaining fund cannot cover is passed over for the next one that fits.
func (r *Round) Score() ([]RoundResult, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	out := make([]RoundResult, 0, len(r.Proposals))
	for _, p := range r.Proposals {
		var micro int64
		for _, c := range r.Criteria {
			// weight × score / max, in millionths of a basis point; one
			// rounding (down) per criterion.
			micro += c.WeightBP * int64(p.Scores[c.Name]) * 1_000_000 / int64(c.Max)
		}
		out = append(out, RoundResult{Agency: p.Agency, Title: p.Title, ScoreMicro: micro, Requested: p.RequestedCents,
			Score: formatMicro(micro/100) + "%"})
	}
	slices.SortStableFunc(out, func(a, b RoundResult) int {
		switch {
		case a.ScoreMicro != b.ScoreMicro:
			return int(b.ScoreMicro - a.ScoreMicro)
		case a.Requested != b.Requested:
			return int(a.Requested - b.Requested)
		}
		return strings.Compare(a.Agency, b.Agency)
	})
	left := r.FundCents
	for i := range out {
		o := &out[i]
		o.Rank = i + 1
		switch {
		case o.ScoreMicro < r.MinScoreBP*1_000_000:
			o.Reason = fmt.Sprintf("score %s below the minimum %s", o.Score, bpPercent(r.MinScoreBP))
		case o.Requested > left:
			o.Reason = fmt.Sprintf("the fund has %s left of %s", left, r.FundCents)
		default:
			o.Funded, o.Award = true, o.Requested
			left -= o.Requested
			o.Reason = fmt.Sprintf("funded in rank order; %s left", left)
		}
	}
	return out, nil
}
