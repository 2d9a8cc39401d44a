package api

import (
	"net/http"
)

// The demand-response part of the OpenAPI document (openapi.go calls
// drOperations and merges drSchemas).

func drOperations(add func(path, method string, o operation)) {
	const bad, forbidden, notFound, conflict = http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict
	id := pathParam("id", "event id")
	add("/dr/programs", "get", operation{id: "listDRPrograms", summary: "List the demand-response programs with their tracks, event rules, baseline, " +
		"settlement and participation incentives (data with sources)", tag: "demand-response", security: readSecurity,
		ok: 200, okSchema: "DRProgramList", errs: []int{bad, forbidden}})
	add("/dr/events", "get", operation{id: "listDREvents", summary: "List demand-response events in start order", tag: "demand-response",
		security: readSecurity, params: []any{
			query("program", typ("string", ""), "program code, e.g. pmp or power_response"),
			query("status", enum("", "scheduled", "notified", "active", "completed", "cancelled"), ""),
			query("from", date(""), "first event day (Pacific)"), query("to", date(""), "day after the last event day"),
		}, ok: 200, okSchema: "DREventList", errs: []int{bad, forbidden}})
	add("/dr/events", "post", operation{id: "scheduleDREvent", summary: "Schedule an event. Every rule of its program is checked " +
		"(window, length, weekdays, holidays, season, annual and weekly caps, overlap, notice); a broken rule is 400 with one field " +
		"error per rule, \"<rule>: <explanation>\", and nothing is stored", tag: "demand-response", security: writeSecurity,
		body: "DREventInput", ok: 201, okSchema: "DREvent", errs: []int{forbidden, conflict}})
	add("/dr/events/{id}", "get", operation{id: "getDREvent", summary: "Get an event with its dated history", tag: "demand-response",
		security: readSecurity, params: []any{id}, ok: 200, okSchema: "DREventDetail", errs: []int{bad, forbidden, notFound}})
	add("/dr/events/{id}/cancel", "post", operation{id: "cancelDREvent", summary: "Cancel an event (409 once it has completed)",
		tag: "demand-response", security: writeSecurity, params: []any{id}, body: "DRNote", ok: 200, okSchema: "DREvent",
		errs: []int{forbidden, notFound, conflict}})
	add("/dr/events/{id}/settlements", "get", operation{id: "listDRSettlements", summary: "An event's settlements, one per participant, " +
		"with the baseline and actual Wh of every event interval (customers see their own)", tag: "demand-response", security: readSecurity,
		params: []any{id}, ok: 200, okSchema: "DRSettlementList", errs: []int{bad, forbidden, notFound}})
	add("/dr/events/{id}/overrides", "post", operation{id: "overrideDREvent", summary: "Record that a participant overrode an event " +
		"(customers for their own accounts; OpenADR 3 has no opt-out message, so overrides are data). Smart Home participants are " +
		"never penalised for one", tag: "demand-response", security: readSecurity, params: []any{id}, body: "DROverrideInput",
		ok: 201, okSchema: "DROverride", errs: []int{forbidden, notFound, conflict}})
	add("/dr/events/{id}/fleet", "get", operation{id: "getDRFleet", summary: "A storage event's battery fleet plan (each battery's kW " +
		"share above its site's reserve) with, once the VENs report DELTA_USAGE on their dispatch events, delivered against dispatched " +
		"kWh per battery and for the fleet (404 until the event is dispatched)", tag: "demand-response", security: readSecurity,
		params: []any{id}, ok: 200, okSchema: "DRFleet", errs: []int{bad, forbidden, notFound}})
	add("/dr/events/{id}/fleet", "post", operation{id: "dispatchDRFleet", summary: "Dispatch a storage event (battery_vpp) to its " +
		"enrolled batteries: each gives at most its power rating and, over the event, no more than its energy above the site's reserve " +
		"(the program's 20% default when the site sets none); above the target every share is scaled alike. The plan is stored once " +
		"(201; the same target again is 200 with the stored plan, another target 409) and each share becomes an OpenADR event for the " +
		"VEN holding the battery's serial. 400 for a program that is not storage or a bad field, 409 for an event completed or " +
		"cancelled or a program without batteries", tag: "demand-response", security: writeSecurity, params: []any{id}, body: "DRFleetInput",
		ok: 201, alsoOK: []int{http.StatusOK}, okSchema: "DRFleet", errs: []int{bad, forbidden, notFound, conflict}})
	add("/dr/devices/{serial}/charge", "post", operation{id: "recordDRCharge", summary: "Record a battery's state of charge from site " +
		"telemetry (as a VEN's OpenADR STORAGE_CHARGE_LEVEL report does): a fleet dispatch uses each battery's latest reading when it is at " +
		"most the program's charge_max_age_minutes old (60 for battery_vpp), else the dispatch's soc_pct. 404 for a serial that is no " +
		"battery's", tag: "demand-response", security: writeSecurity, params: []any{pathParam("serial", "the battery's serial")},
		body: "DRChargeInput", ok: 201, okSchema: "DRCharge", errs: []int{bad, forbidden, notFound}})
	add("/dr/days", "get", operation{id: "getDRDays", summary: "A program's event-day calendar over [from, to): the days of its events " +
		"that were not cancelled (Peak Management Pricing's days for the billing rider)", tag: "demand-response", security: readSecurity,
		params: []any{query("program", typ("string", ""), "program code (default pmp)"), requiredQuery("from", date(""), "first day"),
			requiredQuery("to", date(""), "day after the last")}, ok: 200, okSchema: "DRDays", errs: []int{bad, forbidden}})
	add("/dr/payables", "get", operation{id: "listDRPayables", summary: "Amounts demand response owes (participation incentives and " +
		"event settlements), oldest due first, each with its budget payment or the refusal naming the rule (customers list their own " +
		"account's with account=)", tag: "demand-response", security: readSecurity, params: []any{
		query("program", typ("string", ""), "program code"), query("status", enum("", "payable", "paid", "refused"), ""),
		query("event", typ("integer", ""), "event id"), query("account", typ("integer", ""), "account id"),
	}, ok: 200, okSchema: "DRPayableList", errs: []int{bad, forbidden}})
	add("/dr/payables/pay", "post", operation{id: "payDRPayables", summary: "Pay the open payables (owed, or refused before) of a program " +
		"or event from the incentive budgets that fund them: each whole, in one transaction with its reserve, commit and pay ledger " +
		"entries, or refused naming the rule (no_funding, no_budget_in_force, budget_closed, budget_exhausted); a payable is never paid " +
		"twice. Money-moving: the Idempotency-Key header is required (400 naming it when absent)", tag: "demand-response", security: writeSecurity,
		body: "DRPayInput", ok: 200, okSchema: "DRPaySummary", errs: []int{bad, forbidden}})
	add("/accounts/{id}/dr-events", "get", operation{id: "listAccountDREvents", summary: "The events of an account's demand-response " +
		"enrollments, newest first, with its settlement and whether it overrode", tag: "demand-response", security: readSecurity,
		params: []any{pathParam("id", "account id")}, ok: 200, okSchema: "AccountDREventList", errs: []int{bad, forbidden, notFound}})
	add("/signals/tou", "get", operation{id: "getTOUSignal", summary: "The TOU signal of a tariff for devices (Smart Light Switch): the " +
		"period in force with its price and level (0 cheapest, 2 peak), the next change, the next peak and the day's schedule",
		tag: "signals", security: tariffReadSecurity, params: []any{
			requiredQuery("tariff", typ("string", ""), "rate schedule code, e.g. TOU-D-PRIME"),
			query("utility", typ("string", ""), "when the code is used by more than one utility"),
			query("at", instantSchema(""), "the instant (default now)"),
			query("device", typ("string", ""), "a registered light switch's serial: the poll marks it seen (404 when unknown)"),
		}, ok: 200, okSchema: "TOUSignal", errs: []int{bad, forbidden, notFound}})
	add("/ev/sessions", "post", operation{id: "importEVSessions", summary: "Store EV SmartCharge session telemetry: a CSV with the header " +
		"vehicle,plug_in,unplug,max_kw,start,end,energy_wh, one row per charging interval (up to 32 MiB). Each session is stored once by " +
		"vehicle and plug-in (201 when any was added, 200 when all were stored already); a session of a vehicle not enrolled refuses the file",
		tag: "ev", security: writeSecurity, bodyContent: obj{"text/csv": obj{"schema": obj{"type": "string"}}},
		ok: 201, alsoOK: []int{http.StatusOK}, okSchema: "EVSessionImport", errs: []int{forbidden, conflict}})
	add("/ev/report", "get", operation{id: "getEVReport", summary: "A month of EV SmartCharge by vehicle and for the fleet: kWh, off-peak " +
		"share (outside 4–9 pm), CO2 against unmanaged charging on a stored signal, pounds avoided and EPA tree seedlings",
		tag: "ev", security: wideSecurity, params: []any{requiredQuery("month", typ("string", "YYYY-MM"), ""),
			query("signal", typ("string", ""), "a stored emission signal (gridbook emissions import)")},
		ok: 200, okSchema: "EVReport", errs: []int{bad, forbidden, notFound}})
	evVehicleOperations(add)
}

func drSchemas() obj {
	event := obj{
		"id": typ("integer", ""), "program": typ("string", ""), "track": typ("string", "empty: every track"),
		"start": instantSchema(""), "end": instantSchema(""), "day": date("local (Pacific) event day"),
		"status":   enum("", "scheduled", "notified", "active", "completed", "cancelled"),
		"level":    obj{"type": "integer", "minimum": 1, "maximum": 3, "description": "OpenADR SIMPLE level"},
		"offset_f": typ("integer", "thermostat setpoint offset, °F"), "reason": typ("string", ""),
		"notified_at": nullable("string", "when participants were told"), "cancelled_at": nullable("string", ""),
		"created_at": instantSchema(""),
	}
	interval := output("one event interval", obj{"start": instantSchema(""), "baseline_wh": typ("integer", "adjusted baseline"),
		"actual_wh": nullable("integer", "the reading; null when missing")})
	settlement := obj{
		"event_id": typ("integer", ""), "account_id": typ("integer", ""), "track": typ("string", ""),
		"status": enum("", "settled", "no_baseline", "missing_data"), "method": typ("string", "baseline method"),
		"days_used": typ("integer", ""), "adjustment_factor": typ("number", "day-of adjustment as applied"),
		"baseline_wh": typ("integer", ""), "actual_wh": typ("integer", ""), "delta_wh": typ("integer", "unfloored Σ (baseline − actual)"),
		"reduction_wh": typ("integer", "floored as the program says"), "rate_micro_usd_per_kwh": typ("integer", ""),
		"amount_cents": typ("integer", "reduction × rate, rounded once"), "overridden": typ("boolean", ""),
		"reason": typ("string", "why a participant was not settled"), "settled_at": instantSchema(""),
		"intervals": arrayOf(interval),
	}
	segment := output("a stretch of one TOU period", obj{
		"start": instantSchema(""), "end": instantSchema(""), "period": typ("string", "period name"),
		"price_micro_usd_per_kwh": typ("integer", "total energy price, first tier"),
		"level":                   obj{"type": "integer", "minimum": 0, "maximum": 2, "description": "0 the day's cheapest, 2 its dearest"},
	})
	return obj{
		"DRProgramList": output("demand-response programs", obj{
			"data": arrayOf(obj{"type": "object", "description": "a program as data: code, name, kind, tracks, event_rules, " +
				"baseline, rate, floor, incentives, signal and sources (internal/dr/programs.json)", "required": []string{"code", "name", "kind", "sources"}}),
			"next_cursor": nullable("string", "always null"),
		}),
		"DREvent":     output("a demand-response event", event),
		"DREventList": listOf("DREvent", "events"),
		"DREventInput": input("an event to schedule", obj{
			"program": typ("string", "program code"), "track": typ("string", "one track only (default: every track)"),
			"start": instantSchema(""), "end": instantSchema(""), "notice": instantSchema("when participants will be told (default now)"),
			"level":    obj{"type": "integer", "minimum": 0, "maximum": 3, "description": "OpenADR SIMPLE level (default 1)"},
			"offset_f": typ("integer", "thermostat offset, °F"), "reason": typ("string", "the trigger"),
			"target_kw": obj{"type": "number", "exclusiveMinimum": 0, "description": "storage programs: dispatch the battery fleet at this " +
				"target in the same transaction (see POST /dr/events/{id}/fleet)"},
			"soc_pct": obj{"type": "integer", "minimum": 0, "maximum": 100, "description": "with target_kw: state of charge assumed for a battery without a recent reported charge (default 100)"},
		}, "program", "start", "end"),
		"DREventDetail": output("an event with its history", obj{
			"event": schemaRef("DREvent"),
			"history": arrayOf(output("a status change", obj{"at": instantSchema(""), "from": nullable("string", "null for the first"),
				"to": typ("string", ""), "actor": typ("string", ""), "note": typ("string", "")})),
		}),
		"DRFleetInput": input("a fleet dispatch", obj{
			"target_kw": obj{"type": "number", "exclusiveMinimum": 0, "description": "the fleet's discharge target, kW"},
			"soc_pct":   obj{"type": "integer", "minimum": 0, "maximum": 100, "description": "state of charge assumed at the event's start for a battery without a recent reported charge (default 100)"},
		}, "target_kw"),
		"DRChargeInput": input("a battery's state of charge", obj{
			"charge_pct": obj{"type": "number", "minimum": 0, "maximum": 100, "description": "percent of full (kept to 0.1%)"},
			"at":         instantSchema("when it was read (default now)"),
		}, "charge_pct"),
		"DRCharge": output("a recorded state of charge", obj{
			"serial": typ("string", ""), "charge_permille": typ("integer", "thousandths of full"), "at": instantSchema(""),
		}),
		"DRFleet": output("a storage event's fleet plan and delivery", obj{
			"event_id": typ("integer", ""), "target_w": typ("integer", "the target, W"),
			"fleet_w": typ("integer", "Σ dispatched W; below the target when the fleet cannot meet it"),
			"soc_pct": typ("integer", "state of charge assumed for batteries without a recent reported charge"), "actor": typ("string", "who dispatched"), "created_at": instantSchema(""),
			"batteries": arrayOf(output("one battery's share", obj{
				"device_id": typ("integer", ""), "account_id": typ("integer", ""), "serial": typ("string", "the target its VEN holds"),
				"w": typ("integer", "dispatched W"), "wh": typ("integer", "dispatched Wh over the event"),
				"limit":    enum("what held it below its rating", "reserve", "power", "target"),
				"reported": typ("boolean", "its VEN reported on the dispatch"), "delivered_wh": nullable("integer", "−Σ DELTA_USAGE reported; null without a report"),
				"charge": nullableObject("the state of charge the share was planned with (null for a plan stored before it was kept)", obj{
					"charge_permille": typ("integer", "thousandths of full"),
					"source":          enum("reported: the battery's latest reading, used as reported (not projected to the event's start) when no older than the program's charge_max_age_minutes; setting: the dispatch's soc_pct", "reported", "setting"),
					"reading_at":      nullable("string", "the reading's time (RFC 3339); null for the setting"),
				}),
			})),
			"summary": output("the fleet's delivery", obj{
				"batteries": typ("integer", ""), "reported": typ("integer", ""), "unreported": typ("integer", ""),
				"dispatched_wh": typ("integer", "to every battery"), "delivered_wh": typ("integer", "by the batteries that reported"),
				"dispatched_reported_wh": typ("integer", "to the batteries that reported"),
				"share_permille":         typ("integer", "delivered ÷ dispatched to the reporting batteries, thousandths, rounded down"),
			}),
			"reports": typ("integer", "VEN reports read (the latest per battery)"),
			"skipped": arrayOf(typ("string", "a report that could not be read and why")),
		}),
		"DRNote":           input("an optional note", obj{"note": typ("string", "")}),
		"DRSettlement":     output("one participant's settlement of an event", settlement),
		"DRSettlementList": listOf("DRSettlement", "settlements"),
		"DROverrideInput": input("an override", obj{"account_id": typ("integer", "the participant"), "note": typ("string", "")},
			"account_id"),
		"DROverride": output("a recorded override", obj{"event_id": typ("integer", ""), "account_id": typ("integer", "")}),
		"DRDays":     output("an event-day calendar", obj{"program": typ("string", ""), "days": arrayOf(date(""))}),
		"DRPayable": output("an amount demand response owes and its payment", obj{
			"key":     typ("string", "dr:<program>:device:<id>:enrollment|annual:<n>, dr:<program>:event:<id>:account:<id>"),
			"program": typ("string", ""), "account_id": typ("integer", ""), "device_id": nullable("integer", ""), "event_id": nullable("integer", ""),
			"kind": enum("", "enrollment", "annual", "event"), "due": date("the day it was earned"), "amount_cents": typ("integer", ""),
			"paid_as": enum("", "budget", "bill_credit"), "source": typ("string", "the rule it was earned under"),
			"status":    enum("", "payable", "paid", "refused"),
			"reference": typ("string", "the budget and ledger entry that paid it: <budget slug>#<ledger id>"),
			"budget_id": nullable("integer", "the budget that paid it"), "paid_at": nullable("string", ""),
			"refusal": typ("string", "the rule and why, when refused"), "created_at": instantSchema(""),
		}),
		"DRPayableList": listOf("DRPayable", "payables"),
		"DRPayInput": input("which open payables to pay (both optional)", obj{"program": typ("string", "program code"),
			"event_id": typ("integer", "one event's settlement payables")}),
		"DRPaySummary": output("what a pay run did", obj{"paid": typ("integer", "payables paid (now or before)"),
			"paid_cents": typ("integer", ""), "refused": typ("integer", ""), "refused_cents": typ("integer", ""),
			"refused_by_rule": obj{"type": "object", "additionalProperties": obj{"type": "integer"}, "description": "refusals by rule"},
			"last_refusal":    typ("string", "the last refusal, rule first")}),
		"AccountDREvent": output("an event an account took part in", obj{
			"event": schemaRef("DREvent"), "track": typ("string", ""), "overridden": typ("boolean", ""),
			"settlement": obj{"anyOf": []any{schemaRef("DRSettlement"), obj{"type": "null"}}},
		}),
		"AccountDREventList": listOf("AccountDREvent", "an account's events"),
		"EVSessionImport":    output("what an import stored", obj{"added": typ("integer", ""), "unchanged": typ("integer", "already stored")}),
		"EVReport": obj{"type": "object", "description": "a month of EV SmartCharge", "required": []string{"month", "signal", "vehicles", "fleet",
			"avoided_co2_lbs", "tree_seedlings_10yr", "factor"}, "properties": obj{
			"month": typ("string", ""), "signal": typ("string", "empty without CO2"),
			"vehicles":            arrayOf(obj{"type": "object", "description": "a vehicle's month: vehicle, month, sessions, energy_wh, off_peak_wh, off_peak_bp, cost_cents, co2_g, reference_co2_g, avoided_co2_g"}),
			"fleet":               obj{"type": "object", "description": "the fleet's totals"},
			"avoided_co2_lbs":     typ("number", ""),
			"tree_seedlings_10yr": typ("integer", ""),
			"factor":              obj{"type": "object", "description": "the equivalency factor with its version"},
		}},
		"TOUSignal": obj{"type": "object", "description": "the TOU signal of a tariff at an instant", "additionalProperties": false,
			"required": []string{"tariff", "utility", "at", "current", "next_change", "next", "schedule"},
			"properties": obj{
				"tariff": typ("string", ""), "utility": typ("string", ""), "at": instantSchema(""), "current": segment,
				"next_change": instantSchema("when the period next changes"), "next": obj{"anyOf": []any{segment, obj{"type": "null"}}},
				"next_peak": instantSchema("the next start of a level-2 period, today or tomorrow (absent when none)"),
				"schedule":  arrayOf(segment),
			}},
	}
}
