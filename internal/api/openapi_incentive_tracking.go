package api

import (
	"net/http"

	"github.com/gridbook/gridbook/internal/incentive"
)

// The tracked programs, innovation-fund rounds and program policies in the
// OpenAPI document (openapi.go calls incentiveTrackingOperations and
// merges incentiveTrackingSchemas).

func incentiveTrackingOperations(add func(path, method string, o operation)) {
	const bad, forbidden, notFound, conflict = http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict
	id := pathParam("id", "resource id")
	pid := obj{"name": "pid", "in": "path", "required": true, "schema": obj{"type": "string", "pattern": `^[a-z0-9-]+$`}, "description": "program id"}
	tag := "incentives"
	add("/incentive/programs/{pid}/policies/{policy}", "put", operation{id: "setProgramPolicy", summary: "Choose the reading of one of a " +
		"program's policies (open questions answered explicitly, e.g. Power Share's income_basis: enrolled or enrolled_or_eligible); " +
		"audited; an unknown policy or reading is a 400 naming policy or choice", tag: tag, security: tariffAdminSecurity,
		params: []any{pid, pathParam("policy", "policy id")}, body: "PolicyChoice", ok: 200, okSchema: "Program", errs: []int{forbidden, notFound}})
	add("/incentive/projects", "get", operation{id: "listProjects", summary: "List tracked projects (Power Ready, CALeVIP, Building " +
		"Electrification) with their milestones and stage", tag: tag, security: wideSecurity,
		params: []any{query("program", enum("", incentive.ProjectPrograms...), "only this program's")}, ok: 200, okSchema: "ProjectList",
		errs: []int{bad, forbidden}})
	add("/incentive/projects", "post", operation{id: "createProject", summary: "Track a project; a Power Ready project without milestones " +
		"gets the seed's seven (site lease, design, permits, interconnection, procurement, construction, operation)", tag: tag,
		security: writeSecurity, body: "ProjectRequest", ok: 201, okSchema: "Project", errs: []int{forbidden}})
	add("/incentive/projects/{id}", "get", operation{id: "getProject", summary: "Get a tracked project", tag: tag, security: wideSecurity,
		params: []any{id}, ok: 200, okSchema: "Project", errs: []int{forbidden, notFound}})
	add("/incentive/projects/{id}/milestones", "post", operation{id: "completeMilestone", summary: "Mark a milestone done: in order " +
		"(409 naming the one before when it is not done), never dated before the previous one", tag: tag, security: writeSecurity,
		params: []any{id}, body: "MilestoneRequest", ok: 200, okSchema: "Project", errs: []int{forbidden, notFound, conflict}})
	add("/incentive/calevip/equity", "get", operation{id: "calevipEquity", summary: "CALeVIP investment by county with the share in " +
		"disadvantaged or low-income communities against its target (at least 60% Los Angeles, 50% Ventura; seed 000)", tag: tag,
		security: wideSecurity, ok: 200, okSchema: "CountyEquityList", errs: []int{forbidden}})
	add("/incentive/engagements", "get", operation{id: "listEngagements", summary: "List Reach Code engagements and Energy Team cases, " +
		"newest first", tag: tag, security: wideSecurity, params: []any{query("program", enum("", incentive.TrackReachCode, incentive.TrackEnergyTeam), "")},
		ok: 200, okSchema: "EngagementList", errs: []int{bad, forbidden}})
	add("/incentive/engagements", "post", operation{id: "createEngagement", summary: "Open an engagement: channel, topic, referrals to " +
		"programs, follow-up", tag: tag, security: writeSecurity, body: "EngagementRequest", ok: 201, okSchema: "Engagement",
		errs: []int{forbidden}})
	add("/incentive/engagements/{id}", "get", operation{id: "getEngagement", summary: "Get an engagement", tag: tag, security: wideSecurity,
		params: []any{id}, ok: 200, okSchema: "Engagement", errs: []int{forbidden, notFound}})
	add("/incentive/engagements/{id}", "put", operation{id: "putEngagement", summary: "Replace an engagement's status, referrals, " +
		"follow-up, closing date and note; a request that changes its program, agency, account, channel, topic or opening date is a " +
		"400 naming each", tag: tag, security: writeSecurity, params: []any{id}, body: "EngagementRequest", ok: 200, okSchema: "Engagement",
		errs: []int{forbidden, notFound}})
	add("/incentive/rounds/score", "post", operation{id: "scoreRound", summary: "Score an innovation-fund round without storing anything: " +
		"weighted scores (criteria weights in basis points adding to 10,000), ranks (ties: the smaller request, then the agency), awards " +
		"in rank order while the fund lasts, passing over what the remainder cannot cover and scores below the minimum", tag: tag,
		security: wideSecurity, body: "Round", ok: 200, okSchema: "RoundResults", errs: []int{forbidden}})
	add("/incentive/rounds/award", "post", operation{id: "awardRound", summary: "Score a round and turn each funded proposal into an " +
		"Energized Communities innovation-fund application, submitted and reserved from the budget in force on the award day; all or " +
		"nothing (a budget that cannot cover an award is a 409 and nothing is stored). Money-moving: the Idempotency-Key header is required.",
		tag: tag, security: writeSecurity, body: "RoundAwardRequest", ok: 201, okSchema: "RoundAwards", errs: []int{forbidden, conflict}})
	seq := pathParam("seq", "tranche number, 1 for the first milestone")
	const money = " Money-moving: the Idempotency-Key header is required."
	add("/incentive/applications/{id}/disbursement", "get", operation{id: "getDisbursement", summary: "A grant's staged disbursement: " +
		"its tranches by milestone with their evidence, the award, what is committed and left, what the budget still holds", tag: tag,
		security: wideSecurity, params: []any{id}, ok: 200, okSchema: "Disbursement", errs: []int{forbidden, notFound}})
	add("/incentive/applications/{id}/disbursement", "post", operation{id: "planDisbursement", summary: "Plan a reserved grant's " +
		"tranches by milestone (together no more than the award, rule grant.plan_within_award), optionally following a tracked project's " +
		"milestones (project_id); the reservation then no longer lapses", tag: tag, security: writeSecurity, params: []any{id},
		body: "DisbursementPlan", ok: 201, okSchema: "Disbursement", errs: []int{forbidden, notFound, conflict}})
	add("/incentive/applications/{id}/tranches/{seq}/documents", "post", operation{id: "addTrancheDocument", summary: "Attach the " +
		"evidence that a tranche's milestone is done (base64; a stated sha256 must match)", tag: tag, security: writeSecurity,
		params: []any{id, seq}, body: "DocumentRequest", ok: 201, okSchema: "Document", errs: []int{forbidden, notFound, conflict}})
	add("/incentive/applications/{id}/tranches/{seq}/approve", "post", operation{id: "approveTranche", summary: "Approve a milestone " +
		"and commit its tranche from the award's reservation: in order (grant.milestone_order), on evidence (grant.milestone_document), a " +
		"linked project's milestone done (grant.project_milestone), never more than what is left of the award (grant.remaining_award) " +
		"nor than the budget holds (grant.budget_reservation)." + money, tag: tag, security: writeSecurity, params: []any{id, seq},
		body: "TrancheStep", ok: 200, okSchema: "Disbursement", errs: []int{forbidden, notFound, conflict}})
	add("/incentive/applications/{id}/tranches/{seq}/pay", "post", operation{id: "payTranche", summary: "Record an approved tranche's " +
		"disbursement with its payment reference (ledger pay); after the last one the unplanned remainder is released and the grant " +
		"is paid." + money, tag: tag, security: writeSecurity, params: []any{id, seq}, body: "TrancheStep", ok: 200,
		okSchema: "Disbursement", errs: []int{forbidden, notFound, conflict}})
}

func incentiveTrackingSchemas() obj {
	str := func(desc string) obj { return typ("string", desc) }
	intg := func(desc string) obj { return typ("integer", desc) }
	boolean := func(desc string) obj { return typ("boolean", desc) }
	project := obj{
		"id": intg(""), "program": enum("", incentive.ProjectPrograms...), "name": str(""), "agency": str("member agency"),
		"county": str("county FIPS"), "partner": str("developer or grantee"), "facility": str("site"),
		"backup_reserve_bp": intg("Power Ready: battery share reserved for critical loads, basis points"), "battery_kwh": intg(""),
		"solar_kw": intg(""), "expected_kwh_per_year": intg(""), "amount_cents": intg("US cents: investment or grant"),
		"equity": boolean("CALeVIP: in a disadvantaged or low-income community"), "chargers": intg("CALeVIP: Level 2 chargers"),
		"milestones": arrayOf(output("a milestone", obj{"name": str(""), "planned": nullableDate(""), "done": nullableDate("")})),
		"stage":      str("the next milestone, or complete"), "source": str(""), "created_at": instantSchema(""),
	}
	projectIn := obj{
		"program": enum("", incentive.ProjectPrograms...), "name": str(""), "agency": str("a member agency of the reference table"),
		"county": str("FIPS; required for CALeVIP"), "partner": str(""), "facility": str(""), "backup_reserve_bp": intg("0–10000"),
		"battery_kwh": intg(""), "solar_kw": intg(""), "expected_kwh_per_year": intg(""), "amount_cents": intg(""), "equity": boolean(""),
		"chargers": intg(""), "milestones": arrayOf(input("a milestone", obj{"name": str(""), "planned": date("")}, "name")), "source": str(""),
	}
	engagement := obj{
		"id": intg(""), "program": enum("", incentive.TrackReachCode, incentive.TrackEnergyTeam), "agency": str(""),
		"account_id": nullable("integer", "Energy Team: the customer's account"), "channel": enum("", incentive.EngagementChannels...),
		"topic": str("e.g. heat_pump_water_heater"), "status": enum("", incentive.EngagementStatuses...), "referred_to": arrayOf(str("program id")),
		"follow_up": nullableDate(""), "opened": date(""), "closed": nullableDate(""), "note": str(""),
	}
	engagementIn := obj{
		"program": enum("", incentive.TrackReachCode, incentive.TrackEnergyTeam), "agency": str("required for Reach Code"),
		"account_id": intg(""), "channel": enum("", incentive.EngagementChannels...), "topic": str(""),
		"status": enum("", append([]string{""}, incentive.EngagementStatuses...)...), "referred_to": arrayOf(str("")),
		"follow_up": date(""), "opened": date(""), "closed": date(""), "note": str(""),
	}
	round := input("an innovation-fund round", obj{
		"name": str(""), "fund_cents": intg("the fund, US cents"), "min_score_bp": intg("minimum weighted score, basis points of perfect"),
		"criteria": arrayOf(input("a criterion", obj{"name": str(""), "weight_bp": intg("basis points; all add to 10000"), "max": intg("maximum score")},
			"name", "weight_bp", "max")),
		"proposals": arrayOf(input("a proposal", obj{"agency": str(""), "title": str(""), "requested_cents": intg(""),
			"scores": obj{"type": "object", "additionalProperties": intg(""), "description": "score by criterion name"}}, "agency", "requested_cents", "scores")),
	}, "fund_cents", "criteria", "proposals")
	result := obj{"rank": intg(""), "agency": str(""), "title": str(""), "score_micro_bp": intg("millionths of a basis point of a perfect score"),
		"score": str("as a percentage"), "requested_cents": intg(""), "award_cents": intg(""), "funded": boolean(""), "reason": str("")}
	required := []string{"rank", "agency", "title", "score_micro_bp", "score", "requested_cents", "award_cents", "funded", "reason"}
	award := obj{"application_id": intg("the Energized Communities application holding the award"),
		"application_status": str("reserved")}
	for k, v := range result {
		award[k] = v
	}
	tranche := output("a tranche", obj{"id": intg(""), "seq": intg(""), "milestone": str(""), "planned_cents": intg(""),
		"amount_cents": intg("committed at approval; 0 while planned"), "status": enum("", string(incentive.TranchePlanned),
			string(incentive.TrancheApproved), string(incentive.TranchePaid), string(incentive.TrancheCancelled)),
		"approved_on": nullableDate(""), "paid_on": nullableDate(""), "reference": str("the payment's reference"), "note": str(""),
		"document_ids": arrayOf(intg("evidence documents"))})
	return obj{
		"Disbursement": output("a grant's staged disbursement", obj{"application_id": intg(""), "project_id": nullable("integer", "the tracked project"),
			"award_cents": intg(""), "held_cents": intg("still reserved in the budget"), "committed_cents": intg("approved or paid"),
			"remaining_cents": intg("left of the award"), "tranches": arrayOf(tranche), "planned_at": instantSchema(""), "actor": str("")}),
		"DisbursementPlan": input("a disbursement plan", obj{"project_id": intg("a tracked project whose milestones the tranches follow"),
			"tranches": arrayOf(input("a tranche", obj{"milestone": str(""), "amount_cents": intg("")}, "milestone", "amount_cents"))}, "tranches"),
		"TrancheStep": input("a tranche's approval or payment", obj{"amount_cents": intg("approve: the amount to commit (default the planned amount)"),
			"on": date("the day (default today)"), "reference": str("pay: the payment's reference")}),
		"PolicyChoice":     input("a policy's reading", obj{"choice": str("a reading id of the policy")}, "choice"),
		"Project":          output("a tracked project", project),
		"ProjectList":      listOf("Project", "tracked projects"),
		"ProjectRequest":   input("a project", projectIn, "program", "name"),
		"MilestoneRequest": input("a milestone done", obj{"milestone": str(""), "date": date("")}, "milestone", "date"),
		"CountyEquityList": listOf("CountyEquity", "CALeVIP by county"),
		"CountyEquity": output("a county's CALeVIP investment", obj{"county": str("FIPS"), "name": str(""), "total_cents": intg(""),
			"equity_cents": intg(""), "chargers": intg(""), "equity_chargers": intg(""), "target_bp": intg("0 when the seed sets none"),
			"share_bp_floor": intg("equity share, rounded down to the basis point"), "meets_target": boolean("")}),
		"Engagement":        output("an engagement", engagement),
		"EngagementList":    listOf("Engagement", "engagements"),
		"EngagementRequest": input("an engagement", engagementIn, "program", "channel", "topic", "opened"),
		"Round":             round,
		"RoundResult":       object("a scored proposal", result, required...),
		"RoundResults":      listOf("RoundResult", "the proposals in rank order; never paged"),
		"RoundAwardRequest": input("a round to award", obj{"round": schemaRef("Round"), "on": date("the award day")}, "round", "on"),
		"RoundAward":        object("a scored proposal and, when funded, its application", award, required...),
		"RoundAwards":       listOf("RoundAward", "the proposals in rank order; never paged"),
	}
}
