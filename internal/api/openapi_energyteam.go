package api

import (
	"maps"
	"net/http"
	"strings"

	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energyteam"
	"github.com/gridbook/gridbook/internal/savings"
)

// energyTeamSchemas are the schemas of home attributes, the Energy Team
// estimator's plan and its advisor cases.
func energyTeamSchemas() obj {
	home := func(location obj) obj {
		return obj{
			"dwelling_type":   obj{"type": "string", "enum": append([]string{""}, customer.DwellingTypes...), "description": "empty when unknown"},
			"heating_fuel":    obj{"type": "string", "enum": append([]string{""}, customer.HeatingFuels...), "description": "main space-heating fuel; empty when unknown"},
			"floor_area_sqft": obj{"type": "integer", "minimum": 0, "maximum": 30000, "description": "conditioned floor area, 100 to 30,000; 0 when unknown"},
			"year_built":      obj{"type": "integer", "minimum": 0, "description": "from 1700 to next year; 0 when unknown"},
			"location":        location,
		}
	}
	location := func(desc string) obj {
		return obj{"type": []string{"object", "null"}, "description": desc, "additionalProperties": false,
			"required": []string{"lat", "lon", "source"},
			"properties": obj{
				"lat":    obj{"type": "number", "minimum": 32.5, "maximum": 42.01, "description": "degrees north (WGS 84), kept to 6 decimals"},
				"lon":    obj{"type": "number", "minimum": -124.45, "maximum": -114.13, "description": "degrees east (negative: west)"},
				"source": enum("where the coordinates come from", customer.LocationSources...),
			}}
	}
	s := planSchemas()
	maps.Copy(s, obj{
		"Home":      output("the building at a premise; every attribute optional (zero or empty when unknown)", home(location("coordinates; null when unknown"))),
		"HomeInput": input("the building at a premise; omitted attributes are unknown", home(location("coordinates with their source; null or omitted when unknown"))),
	})
	return s
}

// estimateOperation documents the Energy Team: the plan of
// GET /accounts/{id}/estimate and the advisors' cases.
func estimateOperation(add func(path, method string, o operation)) {
	id := pathParam("id", "case id")
	add("/accounts/{id}/estimate", "get", operation{id: "getAccountEstimate",
		summary: "The Energy Team plan: the account's last whole months (up to 12) billed on every stored schedule of its utility and sector " +
			"under its own billing terms (NEM 1.0/2.0 or Net Billing, the CCA's generation ledger beside the utility's, discounts), and the " +
			"electrification options (heat pump water heater, heat pump heating, induction, EV charged on arrival or overnight) added to its " +
			"own intervals with bill, kWh, fuel displaced and CO2, each with its cited load shape, its cited installed cost, the rebates the " +
			"incentive engine quotes for the customer's facts (or why none) and the net cost; the chosen options billed together as the plan.",
		tag: "energy-team", security: readSecurity, params: []any{pathParam("id", "account id"),
			query("grid_co2", obj{"type": "number", "minimum": 0}, "the supplier's CO2, lb/MWh (default: counted as zero)"),
			query("options", typ("string", ""), "the plan's options, comma-separated; default those recommended in the account's case; empty: none")},
		ok: http.StatusOK, okSchema: "EnergyTeamPlan", errs: []int{http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound}})
	add("/energy-team/cases", "get", operation{id: "listEnergyTeamCases", summary: "The advisors' queue: cases not closed, or those with a status",
		tag: "energy-team", security: wideSecurity, params: append([]any{
			query("status", enum("", energyTeamStatuses()...), "default: every case not closed"),
			query("advisor", typ("string", ""), "only this advisor's cases")}, pageParams...),
		ok: http.StatusOK, okSchema: "EnergyTeamCaseList", errs: []int{http.StatusBadRequest, http.StatusForbidden}})
	add("/energy-team/cases", "post", operation{id: "openEnergyTeamCase",
		summary: "Open an Energy Team case for an account (customers for their own, from the portal); an account has at most one case not closed (409)",
		tag:     "energy-team", security: applySecurity, body: "EnergyTeamCaseInput", ok: http.StatusCreated, okSchema: "EnergyTeamCase",
		errs: []int{http.StatusForbidden, http.StatusNotFound, http.StatusConflict}})
	add("/energy-team/cases/{id}", "get", operation{id: "getEnergyTeamCase",
		summary: "A case with its notes and referrals (customers: their own, shared notes only)", tag: "energy-team", security: readSecurity,
		params: []any{id}, ok: http.StatusOK, okSchema: "EnergyTeamCase", errs: []int{http.StatusForbidden, http.StatusNotFound}})
	add("/energy-team/cases/{id}", "put", operation{id: "updateEnergyTeamCase",
		summary: "Change a case's status (a move the workflow does not allow is 409), advisor, follow-up date (today or later; \"\" clears) or recommended options",
		tag:     "energy-team", security: writeSecurity, params: []any{id}, body: "EnergyTeamCaseUpdate", ok: http.StatusOK, okSchema: "EnergyTeamCase",
		errs: []int{http.StatusForbidden, http.StatusNotFound, http.StatusConflict}})
	add("/energy-team/cases/{id}/notes", "post", operation{id: "addEnergyTeamNote",
		summary: "Add a note to a case (a customer's note is shared)", tag: "energy-team", security: applySecurity, params: []any{id},
		body: "EnergyTeamNoteInput", ok: http.StatusCreated, okSchema: "EnergyTeamNote", errs: []int{http.StatusForbidden, http.StatusNotFound}})
	add("/energy-team/cases/{id}/referrals", "post", operation{id: "referEnergyTeamCase",
		summary: "Refer a case's option to a program: a program of the incentive catalog gets a draft application pre-filled with the " +
			"registry's facts and the planned equipment (missing facts are 400 naming facts.*); an enrollment program is recorded",
		tag: "energy-team", security: writeSecurity, params: []any{id}, body: "EnergyTeamReferralInput", ok: http.StatusCreated,
		okSchema: "EnergyTeamReferral", errs: []int{http.StatusForbidden, http.StatusNotFound, http.StatusConflict}})
}

func energyTeamStatuses() []string {
	var out []string
	for _, s := range energyteam.Statuses {
		out = append(out, string(s))
	}
	return out
}

// planSchemas are the schemas of the Energy Team plan and cases.
func planSchemas() obj {
	num := func(desc string) obj { return typ("number", desc) }
	cents := func(desc string) obj { return typ("integer", desc) }
	str := func(desc string) obj { return typ("string", desc) }
	strs := arrayOf(typ("string", ""))
	optionProps := func() obj {
		return obj{
			"code": str(""), "name": str(""), "not_applicable": str("why the option does not fit the home; figures are then zero"),
			"added_kwh": num("over the months billed"), "current_schedule_cost_cents": cents(""), "bill_change_cents": cents("on the current schedule"),
			"best_schedule": str(""), "best_cost_cents": cents(""), "co2_change_lbs": num("negative: less CO2"),
			"gas_displaced_therms": num(""), "gasoline_displaced_gallons": num(""), "assumption": str("the load shape and fuel displaced"),
			"sources": strs, "cost": output("the installed cost and its source", obj{"cents": cents(""), "source": str("")}),
			"rebates":      arrayOf(schemaRef("EnergyTeamRebate")),
			"rebate_cents": cents("the rebates the customer qualifies for"), "net_cost_cents": cents("cost less rebates"),
		}
	}
	optionRequired := []string{"code", "name", "added_kwh", "current_schedule_cost_cents", "bill_change_cents", "best_schedule", "best_cost_cents",
		"co2_change_lbs", "gas_displaced_therms", "gasoline_displaced_gallons", "assumption", "sources", "cost", "rebates", "rebate_cents", "net_cost_cents"}
	option := object("one electrification option (or the plan) with its cost and rebates", optionProps(), optionRequired...)
	planOption := object("the chosen options billed together; null when none", optionProps(), optionRequired...)
	planOption["type"] = []string{"object", "null"}
	statuses := energyTeamStatuses()
	return obj{
		"EnergyTeamPlan": output("an account's Energy Team plan", obj{
			"account_id": typ("integer", ""),
			"period":     output("the months billed [start, end)", obj{"start": date(""), "end": date("")}),
			"tariffs": arrayOf(object("the shadow bills on one schedule under the account's own terms", obj{
				"code": str(""), "name": str(""), "current": typ("boolean", ""), "program": str("none, nem1, nem2 or nbt"),
				"lse": enum("empty when the account cannot take the schedule", "", "bundled", "cca"), "total_cents": cents("the bills"), "month_cents": nullable("array", "each month's bill"),
				"utility_total_cents": cents("the utility's ledger"), "generation_total_cents": cents("the CCA's generation ledger"),
				"deferred_cents": cents("net-metering charges carried to a true-up after the months"), "cost_cents": cents("bills plus deferred"),
				"error": str("why the account cannot be billed on it"),
			}, "code", "name", "current", "program", "lse", "total_cents", "month_cents", "utility_total_cents", "generation_total_cents",
				"deferred_cents", "cost_cents")),
			"best_schedule": str("the lowest cost"),
			"options":       arrayOf(option),
			"chosen":        strs,
			"plan":          planOption,
			"home":          schemaRef("Home"),
			"notes":         strs,
			"cca_products": arrayOf(object("the current schedule with the CCA's generation on one of its rate products (relative prices are an assumption until the CCA's rate sheets are loaded)", obj{
				"code": str("lean, clean or green100"), "name": str(""), "renewable_pct": typ("integer", ""),
				"low_bp": typ("integer", "generation rates relative to the utility's, low end, basis points"), "high_bp": typ("integer", "high end"),
				"source":               str("where the relative prices come from"),
				"generation_low_cents": cents(""), "generation_high_cents": cents(""), "total_low_cents": cents(""), "total_high_cents": cents(""),
			}, "code", "name", "renewable_pct", "low_bp", "high_bp", "source", "generation_low_cents", "generation_high_cents", "total_low_cents", "total_high_cents")),
			"cca_products_note": str("why the CCA's products do not apply; empty when they do"),
		}),
		"EnergyTeamRebate": object("an offer's answer for the customer", obj{
			"program": str("incentive program id, or the enrollment program; empty when none applies"), "program_name": str(""),
			"measure": str(""), "enrollment": str("an enrollment program (no application)"), "eligible": typ("boolean", ""),
			"amount_cents": cents(""), "payment_method": str(""), "reasons": strs,
			"referable": typ("boolean", "a referral can create a draft application"),
		}, "program", "program_name", "measure", "eligible", "amount_cents", "reasons", "referable"),
		"EnergyTeamCase": object("an account's Energy Team case", obj{
			"id": typ("integer", ""), "account_id": typ("integer", ""), "status": enum("", statuses...),
			"source": enum("who opened it", energyteam.FromAdvisor, energyteam.FromPortal), "subject": str(""), "advisor": str("empty: unassigned"),
			"recommended": strs, "follow_up": date("the next follow-up"), "opened_by": str(""), "opened_at": instantSchema(""),
			"updated_at": instantSchema(""), "closed_at": instantSchema(""),
			"notes":     arrayOf(schemaRef("EnergyTeamNote")),
			"referrals": arrayOf(schemaRef("EnergyTeamReferral")),
		}, "id", "account_id", "status", "source", "subject", "advisor", "recommended", "opened_by", "opened_at", "updated_at", "notes", "referrals"),
		"EnergyTeamCaseList": output("a page of cases", obj{
			"data": arrayOf(object("a case in the queue", obj{
				"id": typ("integer", ""), "account_id": typ("integer", ""), "status": enum("", statuses...),
				"source": str(""), "subject": str(""), "advisor": str(""), "recommended": strs, "follow_up": date(""),
				"opened_by": str(""), "opened_at": instantSchema(""), "updated_at": instantSchema(""), "closed_at": instantSchema(""),
				"notes": arrayOf(schemaRef("EnergyTeamNote")), "referrals": arrayOf(schemaRef("EnergyTeamReferral")),
				"account_number": str(""), "customer_name": str(""),
			}, "id", "account_id", "status", "subject", "account_number", "customer_name")),
			"next_cursor": nullable("string", "pass as ?after= for the next page; null on the last page"),
		}),
		"EnergyTeamCaseInput": input("a case to open", obj{
			"account_id": typ("integer", ""), "subject": str("what the customer would like help with, at most 200 characters"),
			"advisor": str("the advisor taking it (staff only)"),
		}, "account_id", "subject"),
		"EnergyTeamCaseUpdate": input("changes to a case; omitted fields stay", obj{
			"status": enum("", statuses...), "advisor": str(""), "follow_up": str("YYYY-MM-DD, today or later; empty clears"),
			"recommended": arrayOf(str("an option code: " + strings.Join(savings.OptionCodes(), ", "))),
		}),
		"EnergyTeamNote": output("a note of a case", obj{
			"id": typ("integer", ""), "at": instantSchema(""), "author": str(""), "text": str(""), "shared": typ("boolean", "shown to the customer"),
		}),
		"EnergyTeamNoteInput": input("a note", obj{"text": str("at most 4,000 characters"), "shared": typ("boolean", "staff: show it to the customer")}, "text"),
		"EnergyTeamReferral": object("an option referred to a program", obj{
			"id": typ("integer", ""), "at": instantSchema(""), "by": str(""), "option": str(""), "program": str(""), "measure": str(""),
			"application_id": typ("integer", "the draft application created"), "outcome": str("what happened"),
		}, "id", "at", "by", "option", "program", "measure", "outcome"),
		"EnergyTeamReferralInput": input("a referral", obj{
			"option": str(strings.Join(savings.OptionCodes(), ", ")), "program": str("one of the option's programs (heer-hpwh, residential-hvac-qi, ev-smartcharge)"),
			"facts": obj{"type": "object", "description": "measure facts of the planned equipment, e.g. calculated_incentive_usd"},
		}, "option", "program"),
	}
}
