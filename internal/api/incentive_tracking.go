package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// incentiveTrackingRoutes registers the tracked programs (Power Ready,
// CALeVIP and Building Electrification projects; Reach Code and Energy
// Team engagements), the innovation fund's competitive rounds and
// program policies. Staff and registry clients read; writers change;
// policies are for administrators (and tariffs:write clients, who
// maintain the published rules).
func (h *handler) incentiveTrackingRoutes(mux *http.ServeMux) {
	h.handle(mux, "PUT /incentive/programs/{pid}/policies/{policy}", tariffAdmin, h.setProgramPolicy)
	h.handle(mux, "GET /incentive/projects", registryWide, h.listProjects)
	h.handle(mux, "POST /incentive/projects", write, h.createProject)
	h.handle(mux, "GET /incentive/projects/{id}", registryWide, h.getProject)
	h.handle(mux, "POST /incentive/projects/{id}/milestones", write, h.completeMilestone)
	h.handle(mux, "GET /incentive/calevip/equity", registryWide, h.calevipEquity)
	h.handle(mux, "GET /incentive/engagements", registryWide, h.listEngagements)
	h.handle(mux, "POST /incentive/engagements", write, h.createEngagement)
	h.handle(mux, "GET /incentive/engagements/{id}", registryWide, h.getEngagement)
	h.handle(mux, "PUT /incentive/engagements/{id}", write, h.putEngagement)
	h.handle(mux, "POST /incentive/rounds/score", registryWide, h.scoreRound)
	h.handle(mux, "POST /incentive/rounds/award", write, h.awardRound)
	h.incentiveGrantRoutes(mux)
}

// serveOne answers the record of path parameter id, read by get and
// shaped by out.
func serveOne[T, J any](h *handler, w http.ResponseWriter, r *http.Request, what string, get func(context.Context, int64) (T, error), out func(T) J) {
	id, err := pathID(r, "id", what)
	var v T
	if err == nil {
		v, err = get(r.Context(), id)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out(v))
}

// serveAll answers rows (or err) as one unpaged list shaped by out.
func serveAll[T, J any](h *handler, w http.ResponseWriter, r *http.Request, rows []T, err error, out func(T) J) {
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	l := list[J]{Data: make([]J, 0, len(rows))}
	for _, v := range rows {
		l.Data = append(l.Data, out(v))
	}
	writeJSON(w, http.StatusOK, l)
}

// --- policies ---

type policyRequest struct {
	Choice string `json:"choice"`
}

// setProgramPolicy chooses the reading of a program's policy (audited)
// and answers the program.
func (h *handler) setProgramPolicy(w http.ResponseWriter, r *http.Request, p *principal) {
	var req policyRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		pr, err := tx.SetProgramPolicy(ctx, p.actor, r.PathValue("pid"), r.PathValue("policy"), strings.TrimSpace(req.Choice))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, programOut(pr), nil
	})
}

// --- projects ---

type milestoneJSON struct {
	Name    string  `json:"name"`
	Planned *string `json:"planned"`
	Done    *string `json:"done"`
}

type projectJSON struct {
	ID              int64           `json:"id"`
	Program         string          `json:"program"`
	Name            string          `json:"name"`
	Agency          string          `json:"agency"`
	County          string          `json:"county"`
	Partner         string          `json:"partner"`
	Facility        string          `json:"facility"`
	BackupReserveBP int64           `json:"backup_reserve_bp"`
	BatteryKWh      int64           `json:"battery_kwh"`
	SolarKW         int64           `json:"solar_kw"`
	ExpectedKWh     int64           `json:"expected_kwh_per_year"`
	AmountCents     money.Cents     `json:"amount_cents"`
	Equity          bool            `json:"equity"`
	Chargers        int             `json:"chargers"`
	Milestones      []milestoneJSON `json:"milestones"`
	Stage           string          `json:"stage"`
	Source          string          `json:"source"`
	CreatedAt       string          `json:"created_at"`
}

func projectOut(pr incentive.Project) projectJSON {
	out := projectJSON{ID: pr.ID, Program: pr.Program, Name: pr.Name, Agency: pr.Agency, County: pr.County, Partner: pr.Partner,
		Facility: pr.Facility, BackupReserveBP: pr.BackupReserveBP, BatteryKWh: pr.BatteryKWh, SolarKW: pr.SolarKW, ExpectedKWh: pr.ExpectedKWh,
		AmountCents: pr.AmountCents, Equity: pr.Equity, Chargers: pr.Chargers, Milestones: []milestoneJSON{}, Stage: pr.Stage(),
		Source: pr.Source, CreatedAt: instant(pr.Created)}
	for _, m := range pr.Milestones {
		out.Milestones = append(out.Milestones, milestoneJSON{m.Name, optDate(m.Planned), optDate(m.Done)})
	}
	return out
}

type projectRequest struct {
	Program         string        `json:"program"`
	Name            string        `json:"name"`
	Agency          string        `json:"agency"`
	County          string        `json:"county"`
	Partner         string        `json:"partner"`
	Facility        string        `json:"facility"`
	BackupReserveBP int64         `json:"backup_reserve_bp"`
	BatteryKWh      int64         `json:"battery_kwh"`
	SolarKW         int64         `json:"solar_kw"`
	ExpectedKWh     int64         `json:"expected_kwh_per_year"`
	AmountCents     money.Cents   `json:"amount_cents"`
	Equity          bool          `json:"equity"`
	Chargers        int           `json:"chargers"`
	Milestones      []milestoneIn `json:"milestones"`
	Source          string        `json:"source"`
}

type milestoneIn struct {
	Name    string `json:"name"`
	Planned string `json:"planned"`
}

// programParam reads the optional ?program= filter, one of allowed.
func programParam(r *http.Request, allowed ...string) (string, error) {
	q := newParams(r, "program")
	program := q.str("program")
	if program != "" && !slices.Contains(allowed, program) {
		q.f.Add("program", "must be one of %s", strings.Join(allowed, ", "))
	}
	return program, q.err()
}

func (h *handler) listProjects(w http.ResponseWriter, r *http.Request, p *principal) {
	program, err := programParam(r, incentive.ProjectPrograms...)
	var ps []incentive.Project
	if err == nil {
		ps, err = h.db.Projects(r.Context(), program)
	}
	serveAll(h, w, r, ps, err, projectOut)
}

func (h *handler) getProject(w http.ResponseWriter, r *http.Request, p *principal) {
	serveOne(h, w, r, "project", h.db.Project, projectOut)
}

// createProject stores a tracked project (201); a Power Ready project
// without milestones gets the seed's seven in order.
func (h *handler) createProject(w http.ResponseWriter, r *http.Request, p *principal) {
	var req projectRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	pr := incentive.Project{Program: req.Program, Name: req.Name, Agency: req.Agency, County: req.County, Partner: req.Partner,
		Facility: req.Facility, BackupReserveBP: req.BackupReserveBP, BatteryKWh: req.BatteryKWh, SolarKW: req.SolarKW,
		ExpectedKWh: req.ExpectedKWh, AmountCents: req.AmountCents, Equity: req.Equity, Chargers: req.Chargers, Source: req.Source}
	var f apperr.Fields
	for i, m := range req.Milestones {
		pr.Milestones = append(pr.Milestones, incentive.Milestone{Name: m.Name, Planned: parseDate(&f, fmt.Sprintf("milestones[%d].planned", i), m.Planned)})
	}
	if err := f.Err("api.createProject"); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		if err := tx.CreateProject(ctx, p.actor, &pr); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, projectOut(pr), nil
	})
}

type milestoneRequest struct {
	Milestone string `json:"milestone"`
	Date      string `json:"date"`
}

// completeMilestone marks a project's milestone done; milestones complete
// in order (409 naming the one before), never before the previous one.
func (h *handler) completeMilestone(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "project")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req milestoneRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	var f apperr.Fields
	d := parseDate(&f, "date", req.Date)
	if d.IsZero() && req.Date == "" {
		f.Add("date", "is required")
	}
	if err := f.Err("api.completeMilestone"); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		pr, err := tx.CompleteMilestone(ctx, p.actor, id, strings.TrimSpace(req.Milestone), d)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, projectOut(pr), nil
	})
}

type countyEquityJSON struct {
	incentive.CountyEquity
	Name string `json:"name"`
}

// calevipEquity is each county's CALeVIP investment and the share in
// disadvantaged or low-income communities against its target (seed 000:
// at least 60% in Los Angeles, 50% in Ventura).
func (h *handler) calevipEquity(w http.ResponseWriter, r *http.Request, p *principal) {
	ps, err := h.db.Projects(r.Context(), incentive.TrackCALeVIP)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var inv []incentive.Investment
	for _, pr := range ps {
		inv = append(inv, pr.Investment())
	}
	out := list[countyEquityJSON]{Data: []countyEquityJSON{}}
	for _, e := range incentive.Equity(inv) {
		name, _ := h.db.Reference().County(e.County)
		out.Data = append(out.Data, countyEquityJSON{e, name})
	}
	writeJSON(w, http.StatusOK, out)
}

// --- engagements ---

type engagementJSON struct {
	ID         int64    `json:"id"`
	Program    string   `json:"program"`
	Agency     string   `json:"agency"`
	AccountID  *int64   `json:"account_id"`
	Channel    string   `json:"channel"`
	Topic      string   `json:"topic"`
	Status     string   `json:"status"`
	ReferredTo []string `json:"referred_to"`
	FollowUp   *string  `json:"follow_up"`
	Opened     string   `json:"opened"`
	Closed     *string  `json:"closed"`
	Note       string   `json:"note"`
}

func engagementOut(e incentive.Engagement) engagementJSON {
	return engagementJSON{ID: e.ID, Program: e.Program, Agency: e.Agency, AccountID: incOptID(e.AccountID), Channel: e.Channel, Topic: e.Topic,
		Status: e.Status, ReferredTo: append([]string{}, e.ReferredTo...), FollowUp: optDate(e.FollowUp), Opened: e.Opened.String(),
		Closed: optDate(e.Closed), Note: e.Note}
}

type engagementRequest struct {
	Program    string   `json:"program"`
	Agency     string   `json:"agency"`
	AccountID  int64    `json:"account_id"`
	Channel    string   `json:"channel"`
	Topic      string   `json:"topic"`
	Status     string   `json:"status"`
	ReferredTo []string `json:"referred_to"`
	FollowUp   string   `json:"follow_up"`
	Opened     string   `json:"opened"`
	Closed     string   `json:"closed"`
	Note       string   `json:"note"`
}

func (req engagementRequest) engagement(f *apperr.Fields) incentive.Engagement {
	return incentive.Engagement{Program: req.Program, Agency: strings.TrimSpace(req.Agency), AccountID: req.AccountID, Channel: req.Channel,
		Topic: req.Topic, Status: req.Status, ReferredTo: req.ReferredTo, FollowUp: parseDate(f, "follow_up", req.FollowUp),
		Opened: parseDate(f, "opened", req.Opened), Closed: parseDate(f, "closed", req.Closed), Note: req.Note}
}

func (h *handler) listEngagements(w http.ResponseWriter, r *http.Request, p *principal) {
	program, err := programParam(r, incentive.TrackReachCode, incentive.TrackEnergyTeam)
	var es []incentive.Engagement
	if err == nil {
		es, err = h.db.Engagements(r.Context(), program)
	}
	serveAll(h, w, r, es, err, engagementOut)
}

func (h *handler) getEngagement(w http.ResponseWriter, r *http.Request, p *principal) {
	serveOne(h, w, r, "engagement", h.db.Engagement, engagementOut)
}

// createEngagement opens a Reach Code engagement or an Energy Team case.
func (h *handler) createEngagement(w http.ResponseWriter, r *http.Request, p *principal) {
	var req engagementRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	var f apperr.Fields
	e := req.engagement(&f)
	if err := f.Err("api.createEngagement"); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		if e.AccountID != 0 {
			if _, err := tx.Account(ctx, e.AccountID); apperr.Is(err, apperr.NotFound) {
				var f apperr.Fields
				f.Add("account_id", "account %d does not exist", e.AccountID)
				return 0, nil, f.Err("api.createEngagement")
			} else if err != nil {
				return 0, nil, err
			}
		}
		if err := tx.SaveEngagement(ctx, p.actor, &e); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, engagementOut(e), nil
	})
}

// putEngagement replaces what may change of an engagement: its status,
// referrals, follow-up, closing date and note. The program, agency,
// account, channel, topic and opening date are what was asked, when and
// by whom: a request that changes them is refused naming each.
func (h *handler) putEngagement(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "engagement")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req engagementRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	var f apperr.Fields
	next := req.engagement(&f)
	if err := f.Err("api.putEngagement"); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		e, err := tx.Engagement(ctx, id)
		if err != nil {
			return 0, nil, err
		}
		var f apperr.Fields
		for _, c := range []struct {
			field      string
			same       bool
			was, asked any
		}{{"program", next.Program == e.Program, e.Program, next.Program}, {"agency", next.Agency == e.Agency, e.Agency, next.Agency},
			{"account_id", next.AccountID == e.AccountID, e.AccountID, next.AccountID}, {"channel", next.Channel == e.Channel, e.Channel, next.Channel},
			{"topic", next.Topic == e.Topic, e.Topic, next.Topic}, {"opened", next.Opened == e.Opened, e.Opened, next.Opened}} {
			if !c.same {
				f.Add(c.field, "cannot change (was %v, asked %v): it records the request as it came", c.was, c.asked)
			}
		}
		if err := f.Err("api.putEngagement"); err != nil {
			return 0, nil, err
		}
		next.ID = id
		if err := tx.SaveEngagement(ctx, p.actor, &next); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, engagementOut(next), nil
	})
}

// --- innovation-fund rounds ---

// scoreRound scores a round without storing anything: weighted scores,
// ranks, awards in rank order while the fund lasts.
func (h *handler) scoreRound(w http.ResponseWriter, r *http.Request, p *principal) {
	var round incentive.Round
	if _, ok := h.decodeBody(w, r, &round); !ok {
		return
	}
	res, err := round.Score()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list[incentive.RoundResult]{Data: res})
}

type awardRequest struct {
	Round incentive.Round `json:"round"`
	On    string          `json:"on"`
}

// awardRound scores a round and creates, submits and reserves an
// Energized Communities innovation-fund application for each funded
// proposal, all or nothing (money-moving: Idempotency-Key).
func (h *handler) awardRound(w http.ResponseWriter, r *http.Request, p *principal) {
	if err := requireKey(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	var req awardRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	var f apperr.Fields
	on := parseDate(&f, "on", req.On)
	if req.On == "" {
		f.Add("on", "is required: the day the awards are decided")
	}
	if err := f.Err("api.awardRound"); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		res, err := tx.AwardRound(ctx, p.actor, req.Round, on)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, list[store.RoundAward]{Data: res}, nil
	})
}
