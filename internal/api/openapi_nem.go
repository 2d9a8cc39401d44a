package api

import (
	"net/http"
	"strings"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/store"
)

// The customer-generation part of the OpenAPI document (openapi.go calls
// nemOperations and merges nemSchemas).

var (
	nemReadSecurity = []any{obj{"bearer": []string{auth.ScopeRegistryRead}}, obj{"bearer": []string{auth.ScopeNEMApply}},
		obj{"session": []string{}}}
	nemApplySecurity = []any{obj{"bearer": []string{auth.ScopeRegistryWrite}}, obj{"bearer": []string{auth.ScopeNEMApply}},
		obj{"session": []string{string(auth.Admin), string(auth.ProgramManager), string(auth.Installer)}}}
)

func nemOperations(add func(path, method string, o operation)) {
	const bad, forbidden, notFound, conflict = http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict
	id := pathParam("id", "resource id")
	statuses := make([]string, 0, len(nem.Statuses))
	for _, s := range nem.Statuses {
		statuses = append(statuses, string(s))
	}
	add("/nem/applications", "get", operation{id: "listNEMApplications",
		summary: "List NEM interconnection applications with their meter service level and age in business days " +
			"(installers see their own, customers their accounts')",
		tag: "nem", security: nemReadSecurity, params: append([]any{
			query("status", typ("string", ""), "comma-separated statuses: "+strings.Join(statuses, ", ")),
			query("installer_id", obj{"type": "integer", "minimum": 0}, "filed by this installer"),
			query("account_id", obj{"type": "integer", "minimum": 0}, "for this generating account"),
		}, pageParams...), ok: 200, okSchema: "NEMApplicationList", errs: []int{bad, forbidden}})
	add("/nem/applications", "post", operation{id: "createNEMApplication",
		summary: "File an application as a draft or submitted; the system is checked against its variant's rules and an " +
			"ineligible one is refused naming each failed rule (400), with nothing stored",
		tag: "nem", security: nemApplySecurity, body: "NEMApplicationInput", ok: 201, okSchema: "NEMApplication", errs: []int{forbidden, conflict}})
	add("/nem/applications/{id}", "get", operation{id: "getNEMApplication",
		summary: "Get an application with its history, eligibility decisions, documents and late-meter credits",
		tag:     "nem", security: nemReadSecurity, params: []any{id}, ok: 200, okSchema: "NEMApplicationDetail", errs: []int{forbidden, notFound}})
	add("/nem/applications/{id}/system", "put", operation{id: "reviseNEMApplication", summary: "Replace the system of a draft application",
		tag: "nem", security: nemApplySecurity, params: []any{id}, body: "NEMSystem", ok: 200, okSchema: "NEMApplication",
		errs: []int{forbidden, notFound, conflict}})
	add("/nem/applications/{id}/steps", "post", operation{id: "stepNEMApplication",
		summary: "Move an application one step (installers may submit or withdraw; the utility takes the others). " +
			"Approval checks eligibility again; the meter step records late-meter credit days; PTO enrolls the account " +
			"in nem with the vintage's track; a PTO before approval is refused (rule pto_after_approval)",
		tag: "nem", security: nemApplySecurity, params: []any{id}, body: "NEMStep", ok: 200, okSchema: "NEMApplicationDetail",
		errs: []int{forbidden, notFound, conflict}})
	add("/nem/applications/{id}/decisions", "post", operation{id: "decideNEMApplication",
		summary: "Check an application's eligibility again and store the decision, eligible or not",
		tag:     "nem", security: writeSecurity, params: []any{id, query("on", date(""), "decision date (default today)")},
		ok: 201, okSchema: "NEMDecision", errs: []int{bad, forbidden, notFound}})
	add("/nem/applications/{id}/documents", "post", operation{id: "uploadNEMDocument",
		summary: "Attach a document (the request body, up to 10 MiB) with its SHA-256",
		tag:     "nem", security: nemApplySecurity, params: []any{id,
			requiredQuery("kind", enum("", store.NEMDocumentKinds...), "what the document is"),
			requiredQuery("file_name", typ("string", ""), "the file's name")},
		bodyContent: obj{"application/octet-stream": obj{"schema": obj{"type": "string", "contentMediaType": "application/octet-stream"}},
			"application/pdf": obj{"schema": obj{"type": "string", "contentMediaType": "application/pdf"}}},
		ok: 201, okSchema: "NEMDocument", errs: []int{forbidden, notFound, conflict}})
	add("/nem/applications/{id}/documents/{did}", "get", operation{id: "getNEMDocument",
		summary: "Get a document with its content (base64) and SHA-256",
		tag:     "nem", security: nemReadSecurity, params: []any{id, pathParam("did", "document id")},
		ok: 200, okSchema: "NEMDocumentContent", errs: []int{forbidden, notFound}})
	add("/nem/cap-report", "get", operation{id: "getNEMCapReport",
		summary: "The AB 327 program-cap report (PU Code §2827(c)(4)(C)) at a month's end, from the application records, against SCE's cap",
		tag:     "nem", security: wideSecurity, params: []any{query("month", obj{"type": "string", "pattern": `^[0-9]{4}-[0-9]{2}$`}, "YYYY-MM (default this month)")},
		ok: 200, okSchema: "NEMCapReport", errs: []int{bad, forbidden}})
	add("/nem/cap-report/calc", "post", operation{id: "calcNEMCapReport",
		summary: "The cap report from posted application records (CSV id,status,kw,submitted,approved,pto,terminated); stores nothing",
		tag:     "nem", security: tariffReadSecurity, params: []any{
			requiredQuery("month", obj{"type": "string", "pattern": `^[0-9]{4}-[0-9]{2}$`}, "YYYY-MM"),
			requiredQuery("aggregate_peak_mw", obj{"type": "integer", "minimum": 1}, "aggregate customer peak demand, MW"),
			query("floor_mw", obj{"type": "integer", "minimum": 0}, "the cap is never below this (SCE: 2240)")},
		bodyContent: obj{"text/csv": obj{"schema": obj{"type": "string"}}},
		ok:          200, okSchema: "NEMCapReport", errs: []int{forbidden}})
	add("/nem/special-rates", "get", operation{id: "listSpecialRates",
		summary: "TOU-8 Option R and Option A: approved and available MW, and the accounts approved or enrolled",
		tag:     "nem", security: wideSecurity, params: []any{query("rate", enum("", string(nem.OptionR), string(nem.OptionA)), ""),
			query("on", date(""), "report date (default today)")}, ok: 200, okSchema: "SpecialRates", errs: []int{bad, forbidden}})
	add("/nem/special-rates", "post", operation{id: "requestSpecialRate",
		summary: "Decide a special-rate request; an eligible one is approved, an ineligible one refused naming each rule",
		tag:     "nem", security: writeSecurity, body: "RateRequest", ok: 201, okSchema: "SpecialRateRecord", errs: []int{forbidden, conflict}})
	add("/nem/special-rates/{id}/enroll", "post", operation{id: "enrollSpecialRate",
		summary: "Record the Rate Change Request (Option A: within 15 calendar days of approval) and enroll the account",
		tag:     "nem", security: writeSecurity, params: []any{id}, body: "RateDate", ok: 200, okSchema: "SpecialRateRecord",
		errs: []int{forbidden, notFound, conflict}})
	add("/nem/special-rates/{id}/generator", "post", operation{id: "reportSpecialRateGenerator",
		summary: "Report the account's generator size: growth after the rate closed removes the account",
		tag:     "nem", security: writeSecurity, params: []any{id}, body: "RateGenerator", ok: 200, okSchema: "SpecialRateChange",
		errs: []int{forbidden, notFound, conflict}})
	add("/nem/fit/requests", "get", operation{id: "listFITRequests",
		summary: "The feed-in tariff queue (first come, first served) with posting deadlines and inspections due",
		tag:     "nem", security: wideSecurity, params: []any{query("utility", typ("string", ""), "PG&E, SCE or SDG&E")},
		ok: 200, okSchema: "FITRequestList", errs: []int{bad, forbidden}})
	add("/nem/fit/requests", "post", operation{id: "createFITRequest",
		summary: "Queue a ReMAT or BioMAT request, received now; an ineligible one is refused naming each rule",
		tag:     "nem", security: writeSecurity, body: "FITRequestInput", ok: 201, okSchema: "FITRequest", errs: []int{forbidden}})
	add("/nem/fit/requests/{id}/steps", "post", operation{id: "stepFITRequest",
		summary: "Post, accept (first come, first served within the utility's share), deny (a statutory reason), appeal or end a request",
		tag:     "nem", security: writeSecurity, params: []any{id}, body: "FITStep", ok: 200, okSchema: "FITRequest",
		errs: []int{forbidden, notFound}})
	add("/nem/fit/requests/{id}/inspections", "post", operation{id: "inspectFITFacility",
		summary: "Record a biennial inspection-and-maintenance report by a licensed contractor who is not the owner",
		tag:     "nem", security: writeSecurity, params: []any{id}, body: "FITInspectionInput", ok: 201, okSchema: "FITInspection",
		errs: []int{forbidden, notFound, conflict}})
	add("/nem/fit/postings", "get", operation{id: "listFITPostings",
		summary: "The public posting of feed-in tariff requests: city, program, capacity and date, never the facility's name or address",
		tag:     "nem", params: []any{query("utility", typ("string", ""), "")}, ok: 200, okSchema: "FITPostingList", errs: []int{bad}})
	add("/nem/fit/allocation", "post", operation{id: "allocateFIT",
		summary: "Each utility's share of the 750 MW by peak demand, and the IOUs' shares of each BioMAT category; stores nothing",
		tag:     "nem", security: tariffReadSecurity, body: "FITAllocationInput", ok: 200, okSchema: "FITShareList", errs: []int{forbidden}})
	add("/nem/installers", "get", operation{id: "listInstallers", summary: "List installers", tag: "nem", security: wideSecurity,
		ok: 200, okSchema: "InstallerList", errs: []int{bad, forbidden}})
	add("/nem/installers", "post", operation{id: "createInstaller", summary: "Add an installer", tag: "nem", security: writeSecurity,
		body: "InstallerInput", ok: 201, okSchema: "Installer", errs: []int{forbidden, conflict}})
}

// listWith is an unpaged list response (next_cursor is always null).
func listWith(desc string, item obj) obj {
	return output(desc, obj{"data": arrayOf(item), "next_cursor": nullable("string", "always null: the list is not paged")})
}

// nullableObject is an output object that may be null.
func nullableObject(desc string, props obj) obj {
	o := output(desc, props)
	o["type"] = []string{"object", "null"}
	return o
}

func nemSchemas() obj {
	intg := func(desc string) obj { return typ("integer", desc) }
	str := func(desc string) obj { return typ("string", desc) }
	boolean := func(desc string) obj { return typ("boolean", desc) }
	dateOrEmpty := func(desc string) obj {
		return obj{"type": "string", "pattern": `^([0-9]{4}-[0-9]{2}-[0-9]{2})?$`, "description": desc}
	}
	statuses := make([]string, 0, len(nem.Statuses))
	for _, s := range nem.Statuses {
		statuses = append(statuses, string(s))
	}
	variants := []string{}
	for _, v := range nem.Variants {
		variants = append(variants, string(v))
	}
	system := object("a generator and the facts its variant's rules read", obj{
		"variant": enum("", variants...), "technology": str("e.g. solar_pv; the eligible list is in nem.Technologies"),
		"capacity_w": intg("rated capacity, W (at most 1,000,000)"), "expected_annual_wh": intg("expected annual production, Wh"),
		"annual_use_wh": intg("past 12 months of use (an estimate for new service), Wh"), "new_service": boolean(""),
		"renewable_fuel": boolean("fuel cell fully powered by renewable fuel"), "hydro_harm": boolean("small hydro harming in-stream uses or flow"),
		"msw_qualified":           boolean("MSW conversion as defined in PRC §25741(b)(3)"),
		"fuel_cell_cpuc_approved": boolean("PU Code §2827.10(b)"), "fuel_cell_emissions_met": boolean("PU Code §379.6(c)"),
		"operating_from": date("NEM Fuel Cell: when the generator began operating"),
		"storage": object("paired storage behind the revenue meter", obj{
			"capacity_wh": intg(""), "power_w": intg(""), "grid_charging": boolean(""),
			"metering": enum("how compliance is shown", "pcs_solar_only", "pcs_no_export", "ngom", "estimated"),
		}),
		"allocations": arrayOf(object("Virtual NEM shares in force from `from` until `to`", obj{
			"from": date(""), "to": date("exclusive"), "shares_bp": obj{"type": "object", "additionalProperties": intg(""),
				"description": "basis points by benefiting account number; must sum to 10000"},
		}, "from", "shares_bp")),
		"aggregated": arrayOf(object("a NEM Aggregation account besides the generator's", obj{
			"account": str("service account number"), "parcel": str("assessor's parcel number"),
			"relation":             enum("", nem.SameParcel, nem.Adjacent, nem.Contiguous, nem.NonContiguous),
			"sole_owner_or_lessee": boolean(""), "annual_use_wh": intg(""),
		}, "account", "relation")),
	}, "variant", "technology", "capacity_w")
	application := obj{
		"id": intg(""), "number": str("e.g. NEM-000042"), "account_id": intg(""), "account_number": str(""),
		"installer_id": nullable("integer", "null when filed by the customer or staff"), "status": enum("", statuses...),
		"system":       schemaRef("NEMSystem"),
		"submitted_on": nullableDate("application date: fixes the vintage"), "complete_on": nullableDate("complete: the meter service level runs from it"),
		"approved_on": nullableDate(""), "agreement_on": nullableDate("interconnection agreement signed"),
		"meter_on": nullableDate("meter reprogrammed or swapped"), "pto_on": nullableDate("permission to operate"),
		"active_on": nullableDate(""), "closed_on": nullableDate("withdrawn, rejected or terminated"),
		"meter_method": enum("", "", nem.MeterReprogram, nem.MeterSwap),
		"vintage": nullableObject("the tariff the application date puts it under; null before submission", obj{
			"program": enum("the enrollment track billing reads", nem.NEM1, nem.NEM2, nem.NBT), "label": str("NEM 1.0, NEM 2.0, Net Billing Tariff, NBT-A …"),
			"applied_on": date(""), "legacy_end": nullableDate("NEM 1.0/2.0: end of the 20-year legacy period from PTO"),
			"export_vintage":  nullable("integer", "NBT: the export-price vintage locked for 9 years"),
			"export_lock_end": nullableDate("NBT: first day prices follow the year billed"),
		}),
		"meter_service": output("the 30-business-day meter service level", obj{
			"due_on": nullableDate("30 business days after complete_on"), "done_on": nullableDate(""), "late": boolean(""),
			"delay_days": intg("calendar days after due_on"), "credit_start": nullableDate("first day of estimated-generation credit"),
			"credit_end": nullableDate("exclusive"),
		}),
		"ageing": output("business days open and in the current stage (0 once closed or interconnected)", obj{
			"business_days_open": intg(""), "business_days_in_stage": intg(""),
		}),
		"enrollment_id": nullable("integer", "the nem enrollment created at PTO"), "created_at": instantSchema(""), "updated_at": instantSchema(""),
	}
	decision := obj{
		"id": intg(""), "variant": str(""), "paired_storage": boolean(""), "eligible": boolean(""), "decided_on": str(""),
		"checks": arrayOf(output("one rule", obj{"rule": str("family.name"), "field": str("the input it reads"), "passed": boolean(""), "detail": str("")})),
		"at":     instantSchema(""), "actor": str(""),
	}
	bareDecision := obj{}
	for k, v := range decision {
		if k != "id" && k != "at" && k != "actor" {
			bareDecision[k] = v
		}
	}
	tariffVintage := obj{"program": enum("", nem.NEM1, nem.NEM2, nem.NBT), "label": str(""), "aggregation": boolean(""), "applied_on": date("")}
	detail := obj{
		"history": arrayOf(output("one step", obj{"from": str("empty for the filing"), "to": enum("", statuses...), "on": date(""),
			"at": instantSchema(""), "actor": str(""), "note": str("")})),
		"decisions": arrayOf(schemaRef("NEMDecision")),
		"documents": arrayOf(schemaRef("NEMDocument")),
		"estimated_credits": arrayOf(output("days credited with estimated generation for a late meter", obj{
			"id": intg(""), "application_id": intg(""), "account_id": intg(""),
			"period": output("[start, end)", obj{"start": date(""), "end": date("")}), "days": intg(""), "reason": str(""),
		})),
		"legacy_transition": nullableObject("the move to the successor tariff (the Net Billing Tariff, NBT-A for aggregation; "+
			"D.22-12-056) when the NEM 1.0/2.0 legacy period of 20 years from PTO ended; null until then", obj{
			"id": intg(""), "application_id": intg(""), "number": str(""), "account_id": intg(""),
			"from": output("the vintage whose legacy period ended", tariffVintage), "to": output("the successor", tariffVintage),
			"pto_on": date(""), "on": date("the first day on the successor: the old nem enrollment ends and the new one starts"),
			"old_enrollment_id": intg("0 when the application had none"), "new_enrollment_id": intg("source legacy_transition"),
			"at": instantSchema(""), "actor": str(""),
		}),
	}
	for k, v := range application {
		detail[k] = v
	}
	numbers := obj{}
	for _, k := range []string{"cap_mw", "aggregate_peak_mw", "received_mw", "pending_mw", "installed_mw", "installed_plus_pending_mw",
		"percent_of_peak", "remaining_mw"} {
		numbers[k] = typ("number", "unrounded")
	}
	for _, k := range []string{"received_count", "pending_count", "installed_count", "installed_plus_pending_count"} {
		numbers[k] = intg("")
	}
	display := obj{}
	for _, k := range []string{"cap_mw", "received_count", "received_mw", "pending_count", "pending_mw", "installed_count", "installed_mw",
		"installed_plus_pending_count", "installed_plus_pending_mw", "percent_of_peak", "remaining_mw", "aggregate_peak_mw"} {
		display[k] = str("")
	}
	rateRequest := obj{
		"rate": enum("", string(nem.OptionR), string(nem.OptionA)), "account_id": intg(""), "requested_on": date(""),
		"max_demand_w": intg("annual maximum demand over the past 12 months"), "demand_months": intg("months of demand data"),
		"tou8_eligible": boolean(""), "technology": str(""), "generator_w": intg("renewable generator nameplate"),
		"non_renewable_on_site": boolean(""), "pto_on": date("permission to operate (default: the account's interconnected application)"),
	}
	fit := obj{
		"id": intg(""), "number": str(""), "program": enum("", string(nem.ReMAT), string(nem.BioMAT)),
		"category": enum("BioMAT", string(nem.BioBiogas), string(nem.BioDairy), string(nem.BioForest)),
		"product":  enum("ReMAT", nem.ProductBaseload, nem.ProductPeaking, nem.ProductNonPeaking),
		"utility":  str(""), "facility": str(""), "address": str(""), "city": str(""), "technology": str(""),
		"effective_w": intg(""), "nameplate_w": intg(""), "max_export_w": intg(""), "rule21": boolean(""), "term_years": intg("10, 15 or 20"),
		"operating_on": date(""), "account_id": intg("0 when none"), "received_at": instantSchema(""),
		"status":    enum("", string(nem.FITReceived), string(nem.FITPosted), string(nem.FITAccepted), string(nem.FITDenied), string(nem.FITAppealed), string(nem.FITEnded)),
		"posted_on": date(""), "decided_on": date(""), "denial_reason": str(""), "appealed_on": date(""), "appeal_outcome": str(""),
		"ended_on": date(""), "note": str(""),
	}
	fitRequired := []string{"id", "number", "program", "utility", "facility", "address", "city", "technology", "effective_w", "nameplate_w",
		"max_export_w", "rule21", "term_years", "account_id", "received_at", "status", "note"}
	queued := obj{"queue_position": intg("1-based among waiting requests of its pool; 0 once decided"), "posting_due": date(""),
		"posting_late": boolean(""), "inspection_due": nullableDate("")}
	for k, v := range fit {
		queued[k] = v
	}
	fitInput := obj{}
	for k, v := range fit {
		switch k {
		case "id", "number", "status", "received_at", "posted_on", "decided_on", "denial_reason", "appealed_on", "appeal_outcome", "ended_on":
		default:
			fitInput[k] = v
		}
	}
	inspection := obj{"id": intg(""), "request_id": intg(""), "inspected_on": date(""), "contractor": str(""), "license": str(""),
		"contractor_is_owner": boolean("")}
	installer := obj{"id": intg(""), "name": str(""), "license": str("California contractor's license number"), "email": str(""), "created_at": instantSchema("")}
	rateReport := object("a rate's position", obj{"rate": str(""), "name": str(""), "cap_w": intg(""), "approved_w": intg(""),
		"available_w": intg(""), "accounts": intg(""), "closed_on": date("")}, "rate", "name", "cap_w", "approved_w", "available_w", "accounts")
	rateRecord := output("an account approved for or on a special rate", obj{
		"id": intg(""), "rate": str(""), "account_id": intg(""), "status": enum("", store.RateApproved, store.RateEnrolled, store.RateExpired, store.RateRemoved),
		"approved_w": intg(""), "requested_on": dateOrEmpty(""), "approved_on": dateOrEmpty(""), "rate_change_on": dateOrEmpty(""),
		"removed_on": dateOrEmpty(""), "request": object("the request", rateRequest, "rate", "account_id", "requested_on"),
		"decision": schemaRef("EligibilityDecision"), "enrollment_id": intg("0 until enrolled"), "note": str(""),
		"created_at": instantSchema(""), "updated_at": instantSchema(""),
	})
	return obj{
		"NEMSystem":            system,
		"NEMApplication":       output("a NEM interconnection application", application),
		"NEMApplicationList":   listOf("NEMApplication", "a page of applications"),
		"NEMApplicationDetail": output("an application with its history, decisions, documents and credits", detail),
		"NEMApplicationInput": input("a new application", obj{
			"account_number": str("the generating account"), "installer_id": intg("staff only: the installer filing (installers file as themselves)"),
			"system": schemaRef("NEMSystem"), "submit": boolean("submit now instead of saving a draft"), "on": date("application date (default today)"),
		}, "account_number", "system"),
		"NEMStep": input("a step", obj{"to": enum("", statuses...), "on": date("default today"), "note": str("required to return, reject, withdraw or terminate"),
			"meter_method": enum("meter_ready: how the meter was made bidirectional", nem.MeterReprogram, nem.MeterSwap)}, "to"),
		"NEMDecision":         output("a stored eligibility decision", decision),
		"EligibilityDecision": output("an eligibility decision", bareDecision),
		"NEMDocument": output("an attached document", obj{"id": intg(""), "application_id": intg(""), "kind": str(""), "file_name": str(""),
			"content_type": str(""), "size_bytes": intg(""), "sha256": str("hex SHA-256 of the content"), "uploaded_at": instantSchema(""),
			"uploaded_by": str("")}),
		"NEMDocumentContent": output("a document with its content", obj{"id": intg(""), "application_id": intg(""), "kind": str(""),
			"file_name": str(""), "content_type": str(""), "size_bytes": intg(""), "sha256": str("hex SHA-256 of the content"),
			"uploaded_at": instantSchema(""), "uploaded_by": str(""),
			"content_base64": obj{"type": "string", "contentEncoding": "base64", "description": "the document (RFC 4648 §4)"}}),
		"NEMCapReport": output("the AB 327 program-cap report at a month's end", obj{
			"month": str("YYYY-MM"), "utility": str(""), "floor_mw": intg(""), "source": str(""),
			"numbers": output("every value unrounded; JSON field names of `gridbook nem cap-report --json`", numbers),
			"display": output("the lines as published: MW to one decimal, percent to two", display),
		}),
		"SpecialRates":      output("special-rate reports and records", obj{"reports": arrayOf(rateReport), "data": arrayOf(schemaRef("SpecialRateRecord"))}),
		"SpecialRateRecord": rateRecord,
		"RateRequest":       input("a special-rate request", rateRequest, "rate", "account_id"),
		"RateDate":          input("the Rate Change Request date", obj{"on": date("default today")}),
		"RateGenerator":     input("the generator's size now", obj{"generator_w": intg(""), "on": date("default today")}, "generator_w"),
		"SpecialRateChange": output("the record after a generator report and what the growth rule decided", obj{
			"record": schemaRef("SpecialRateRecord"),
			"growth": output("", obj{"removed": boolean(""), "rule": str(""), "detail": str("")}),
		}),
		"FITRequest":      object("a feed-in tariff request", fit, fitRequired...),
		"FITRequestInput": input("a feed-in tariff request", fitInput, "program", "facility", "city", "effective_w", "term_years"),
		"FITRequestList":  listWith("the queue", object("a request with its place in the queue", queued, append(fitRequired, "queue_position", "posting_due", "posting_late", "inspection_due")...)),
		"FITStep": input("a step", obj{"to": str("posted, accepted, denied, appealed or ended"), "on": date("default today"),
			"reason": enum("denial", "not_eligible", "grid_inadequate", "noncompliant", "line_harm"), "note": str("")}, "to"),
		"FITInspectionInput": input("an inspection report", obj{"inspected_on": date(""), "contractor": str(""), "license": str(""),
			"contractor_is_owner": boolean("")}, "inspected_on", "contractor", "license"),
		"FITInspection": output("an inspection report", inspection),
		"FITPostingList": listWith("the public postings", object("a posting: the city only", obj{
			"number": str(""), "program": str(""), "category": str(""), "product": str(""), "city": str(""), "effective_w": intg(""),
			"received_on": date(""), "status": str(""),
		}, "number", "program", "city", "effective_w", "received_on", "status")),
		"FITAllocationInput": input("peak demands", obj{"peaks": arrayOf(input("a utility's peak demand", obj{
			"utility": str(""), "peak_w": intg(""), "iou": boolean("an electrical corporation (BioMAT too)")}, "utility", "peak_w"))}, "peaks"),
		"FITShareList": listWith("each utility's shares", output("a utility's shares", obj{
			"utility": str(""), "iou": boolean(""), "remat_w": intg("share of the 750 MW"),
			"biomat_w": obj{"type": "object", "additionalProperties": intg(""), "description": "IOUs: W by BioMAT category"},
		})),
		"Installer":      output("a solar installer", installer),
		"InstallerList":  listWith("installers", schemaRef("Installer")),
		"InstallerInput": input("a new installer", obj{"name": str(""), "license": str(""), "email": str("")}, "name", "license"),
	}
}
