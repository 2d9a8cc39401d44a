package incentive

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

// Tracked programs: projects that are not paid by application but
// followed through milestones (Power Ready, CALeVIP investments, Building
// Electrification), and engagements (Reach Code, Energy Team).
const (
	TrackPowerReady   = "power-ready"
	TrackCALeVIP      = "calevip"
	TrackBuildingElec = "building-electrification"
	TrackReachCode    = "reach-code"
	TrackEnergyTeam   = "energy-team"
)

// PowerReadyMilestones are the steps of a Power Ready project in order
// (seed 000: site leases approved, engineering design, permits,
// interconnection applications, equipment procurement, construction
// expected Q1 2026, operation Q4 2026).
var PowerReadyMilestones = []string{"site_lease", "design", "permits", "interconnection", "procurement", "construction", "operation"}

// ProjectPrograms lists the project-tracked programs.
var ProjectPrograms = []string{TrackPowerReady, TrackCALeVIP, TrackBuildingElec}

// Milestone is one dated step of a project.
type Milestone struct {
	Name    string        `json:"name"`
	Planned calendar.Date `json:"planned,omitzero"`
	Done    calendar.Date `json:"done,omitzero"`
}

// Project is a tracked project: a Power Ready solar + storage site at a
// member agency's facility with the battery share reserved for critical
// loads, a CALeVIP charger investment with its county, equity flag and
// charger count, or a Building Electrification project.
type Project struct {
	ID       int64  `json:"id"`
	Program  string `json:"program"`
	Name     string `json:"name"`
	Agency   string `json:"agency"`   // member agency
	County   string `json:"county"`   // FIPS
	Partner  string `json:"partner"`  // developer or grantee, e.g. "Coast Energy"
	Facility string `json:"facility"` // site
	// BackupReserveBP is the share of the battery guaranteed for critical
	// loads during outages (Power Ready), in basis points.
	BackupReserveBP int64       `json:"backup_reserve_bp"`
	BatteryKWh      int64       `json:"battery_kwh"`
	SolarKW         int64       `json:"solar_kw"`
	ExpectedKWh     int64       `json:"expected_kwh_per_year"`
	AmountCents     money.Cents `json:"amount_cents"` // CALeVIP investment, grant amount
	Equity          bool        `json:"equity"`       // CALeVIP: in a disadvantaged or low-income community
	Chargers        int         `json:"chargers"`     // CALeVIP: Level 2 chargers funded
	Milestones      []Milestone `json:"milestones"`
	Source          string      `json:"source"`
	Created         time.Time   `json:"created_at"`
}

// Validate checks a project; Power Ready projects get the standard
// milestones when none are given.
func (p *Project) Validate() error {
	var f apperr.Fields
	if !slices.Contains(ProjectPrograms, p.Program) {
		f.Add("program", "must be one of %s", strings.Join(ProjectPrograms, ", "))
	}
	p.Name, p.Agency = strings.TrimSpace(p.Name), strings.TrimSpace(p.Agency)
	if p.Name == "" {
		f.Add("name", "is required")
	}
	if p.County != "" && !fipsRE.MatchString(p.County) {
		f.Add("county", "must be a California county FIPS code such as 06037")
	}
	if p.BackupReserveBP < 0 || p.BackupReserveBP > 10_000 {
		f.Add("backup_reserve_bp", "must be 0 to 10000")
	}
	if p.BatteryKWh < 0 || p.SolarKW < 0 || p.ExpectedKWh < 0 || p.AmountCents < 0 || p.Chargers < 0 {
		f.Add("figures", "must not be negative")
	}
	if p.Program == TrackCALeVIP && p.County == "" {
		f.Add("county", "is required for a CALeVIP investment (equity shares are per county)")
	}
	if p.Program == TrackPowerReady && len(p.Milestones) == 0 {
		for _, m := range PowerReadyMilestones {
			p.Milestones = append(p.Milestones, Milestone{Name: m})
		}
	}
	seen := map[string]bool{}
	for i, m := range p.Milestones {
		if seen[m.Name] || m.Name == "" {
			f.Add(fmt.Sprintf("milestones[%d].name", i), "must be named and unique")
		}
		seen[m.Name] = true
		if !m.Done.IsZero() && i > 0 && p.Milestones[i-1].Done.IsZero() {
			f.Add(fmt.Sprintf("milestones[%d].done", i), "%s cannot be done before %s", m.Name, p.Milestones[i-1].Name)
		}
	}
	return f.Err("incentive.Project")
}

// Complete marks a milestone done on d: milestones complete in order,
// never before the previous one.
func (p *Project) Complete(name string, d calendar.Date) error {
	const op = "incentive.Project.Complete"
	i := slices.IndexFunc(p.Milestones, func(m Milestone) bool { return m.Name == name })
	var f apperr.Fields
	switch {
	case i < 0:
		f.Add("milestone", "%q is not a milestone of %s", name, p.Name)
		return f.Err(op)
	case !p.Milestones[i].Done.IsZero():
		return apperr.Conflictf(op, "%s was already done on %s", name, p.Milestones[i].Done)
	case i > 0 && p.Milestones[i-1].Done.IsZero():
		return apperr.Conflictf(op, "%s comes after %s, which is not done", name, p.Milestones[i-1].Name)
	case i > 0 && d.Before(p.Milestones[i-1].Done):
		f.Add("date", "%s cannot be done before %s (%s)", name, p.Milestones[i-1].Name, p.Milestones[i-1].Done)
		return f.Err(op)
	}
	p.Milestones[i].Done = d
	return nil
}

// Stage is the project's next milestone, or "complete".
func (p Project) Stage() string {
	for _, m := range p.Milestones {
		if m.Done.IsZero() {
			return m.Name
		}
	}
	if len(p.Milestones) == 0 {
		return ""
	}
	return "complete"
}

// Investment is the project as a CALeVIP investment for Equity.
func (p Project) Investment() Investment {
	return Investment{County: p.County, AmountCents: p.AmountCents, Equity: p.Equity, Chargers: p.Chargers}
}

// Engagement statuses.
var EngagementStatuses = []string{"open", "referred", "closed", "adopted"}

// Engagement channels.
var EngagementChannels = []string{"phone", "email", "chat", "web", "meeting"}

// Engagement is a Reach Code technical-assistance engagement with a member
// agency or an Energy Team case with a customer: the request's channel and
// topic, referrals to programs, a follow-up date and the outcome.
type Engagement struct {
	ID         int64         `json:"id"`
	Program    string        `json:"program"` // reach-code or energy-team
	Agency     string        `json:"agency"`
	AccountID  int64         `json:"account_id"`
	Channel    string        `json:"channel"`
	Topic      string        `json:"topic"` // e.g. existing_building_reach_code, heat_pump_water_heater, ev_charger, home_hardening
	Status     string        `json:"status"`
	ReferredTo []string      `json:"referred_to"` // program ids
	FollowUp   calendar.Date `json:"follow_up,omitzero"`
	Opened     calendar.Date `json:"opened"`
	Closed     calendar.Date `json:"closed,omitzero"`
	Note       string        `json:"note"`
}

// Validate checks an engagement.
func (e *Engagement) Validate() error {
	var f apperr.Fields
	if e.Program != TrackReachCode && e.Program != TrackEnergyTeam {
		f.Add("program", "must be reach-code or energy-team")
	}
	if e.Program == TrackReachCode && strings.TrimSpace(e.Agency) == "" {
		f.Add("agency", "is required for Reach Code technical assistance")
	}
	if !slices.Contains(EngagementChannels, e.Channel) {
		f.Add("channel", "must be one of %s", strings.Join(EngagementChannels, ", "))
	}
	if !codeRE.MatchString(e.Topic) {
		f.Add("topic", "must be a lower-case code such as heat_pump_water_heater")
	}
	if e.Status == "" {
		e.Status = "open"
	}
	if !slices.Contains(EngagementStatuses, e.Status) {
		f.Add("status", "must be one of %s", strings.Join(EngagementStatuses, ", "))
	}
	if e.Opened.IsZero() {
		f.Add("opened", "is required")
	}
	if !e.Closed.IsZero() && e.Closed.Before(e.Opened) {
		f.Add("closed", "must not be before opened")
	}
	for _, r := range e.ReferredTo {
		if !slugRE.MatchString(r) {
			f.Add("referred_to", "%q is not a program id", r)
		}
	}
	return f.Err("incentive.Engagement")
}
