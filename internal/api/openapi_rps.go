package api

import (
	"net/http"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/rec"
	"github.com/gridbook/gridbook/internal/rps"
)

// The certificate registry and RPS part of the OpenAPI document
// (openapi.go calls rpsOperations and merges rpsSchemas).

var (
	rpsReadSecurity = []any{obj{"bearer": []string{auth.ScopeRegistryRead}}, obj{"bearer": []string{auth.ScopeRECWrite}},
		obj{"bearer": []string{auth.ScopeRPSWrite}}, obj{"session": []string{string(auth.Admin), string(auth.ProgramManager), string(auth.Analyst)}}}
	// Registry participants (participant users; rec:write clients linked
	// to an organization) read and command only their own accounts.
	recReadSecurity = []any{obj{"bearer": []string{auth.ScopeRegistryRead}}, obj{"bearer": []string{auth.ScopeRECWrite}},
		obj{"bearer": []string{auth.ScopeRPSWrite}}, obj{"session": []string{string(auth.Admin), string(auth.ProgramManager), string(auth.Analyst),
			string(auth.Participant)}}}
	recWriteSecurity = []any{obj{"bearer": []string{auth.ScopeRECWrite}}, obj{"session": []string{string(auth.Admin), string(auth.ProgramManager),
		string(auth.Participant)}}}
	recOperatorSecurity = []any{obj{"bearer": []string{auth.ScopeRECWrite}}, obj{"session": []string{string(auth.Admin), string(auth.ProgramManager)}}}
	rpsWriteSecurity    = []any{obj{"bearer": []string{auth.ScopeRPSWrite}}, obj{"session": []string{string(auth.Admin), string(auth.ProgramManager)}}}
)

func rpsOperations(add func(path, method string, o operation)) {
	const bad, forbidden, notFound, conflict = http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict
	id := pathParam("id", "resource id")
	read := func(path, opID, summary, schema string, params ...any) {
		add(path, "get", operation{id: opID, summary: summary, tag: "registry", security: recReadSecurity, params: params, ok: 200, okSchema: schema,
			errs: []int{bad, forbidden, notFound}})
	}
	cmd := func(path, opID, summary, body string, status int, schema string, params ...any) {
		add(path, "post", operation{id: opID, summary: summary, tag: "registry", security: recWriteSecurity, params: params, body: body,
			ok: status, okSchema: schema, errs: []int{forbidden, notFound, conflict}})
	}
	opCmd := func(path, opID, summary, body string, status int, schema string, params ...any) {
		add(path, "post", operation{id: opID, summary: summary + " (the registry operator's: never a participant)", tag: "registry",
			security: recOperatorSecurity, params: params, body: body, ok: status, okSchema: schema, errs: []int{forbidden, notFound, conflict}})
	}
	read("/rec/accounts", "listRecAccounts", "List registry accounts with the certificates each holds by status (one page; a participant's own)", "RecAccountList")
	cmd("/rec/accounts", "openRecAccount", "Open an active, retirement or export account for an organization (a participant: for itself)", "RecAccountInput", 201, "RecAccount")
	read("/rec/accounts/{id}", "getRecAccount", "Get a registry account with its holdings (another organization's answers 404 to a participant)", "RecAccount", id)
	read("/rec/facilities", "listFacilities", "List registered facilities (one page)", "FacilityList")
	opCmd("/rec/facilities", "registerFacility", "Register a facility, its CEC certification history and the active account its certificates go to",
		"Facility", 201, "Facility")
	read("/rec/facilities/{id}", "getFacility", "Get a facility with today's eligibility findings (§399.12) and its recent issuances",
		"FacilityDetail", id)
	opCmd("/rec/facilities/{id}/certifications", "certifyFacility",
		"Append a CEC certification record (the open one ends the day it starts; history is never rewritten)", "Certification", 200, "Facility", id)
	read("/rec/facilities/{id}/reports", "listGenerationReports", "List a facility's generation reports, newest first (one page)", "GenerationReportList", id)
	cmd("/rec/facilities/{id}/reports", "submitGenerationReport", "Report a month's generation (a month already reported needs the next revision number)",
		"GenerationReportInput", 201, "GenerationReport", id)
	cmd("/rec/facilities/{id}/issuances", "issueCertificates", "Issue the whole-MWh certificates of a vintage from its latest report, carrying the Wh "+
		"remainder; generation outside the certification dates or the eligible share issues nothing", "IssuanceInput", 201, "Issuance", id)
	read("/rec/blocks", "listBlocks", "List blocks of certificates (split parents only when asked for by status)", "BlockList",
		append([]any{query("account_id", obj{"type": "integer", "minimum": 0}, "held in this account"),
			query("facility_id", obj{"type": "integer", "minimum": 0}, "from this facility"),
			query("status", enum("", string(rec.StatusActive), string(rec.StatusPending), string(rec.StatusSplit), string(rec.StatusRetired),
				string(rec.StatusExported), string(rec.StatusWithdrawn)), ""),
			query("vintage", obj{"type": "string", "pattern": `^[0-9]{4}-[0-9]{2}$`}, "YYYY-MM")}, pageParams...)...)
	read("/rec/blocks/{id}", "getBlock", "Get a block", "Block", id)
	read("/rec/transfers", "listTransfers", "List transfers (the inbox: status=pending)", "TransferList",
		append([]any{query("status", enum("", string(rec.TransferPending), string(rec.TransferAccepted), string(rec.TransferRejected),
			string(rec.TransferCancelled)), ""), query("account_id", obj{"type": "integer", "minimum": 0}, "sent from or to this account")}, pageParams...)...)
	cmd("/rec/transfers", "initiateTransfer", "Start a two-phase transfer: the certificates (split off when fewer than the block) wait, pending, "+
		"for the receiver", "TransferInput", 201, "Transfer")
	read("/rec/transfers/{id}", "getTransfer", "Get a transfer (a participant sees those sent from or to its accounts)", "Transfer", id)
	cmd("/rec/transfers/{id}/{action}", "resolveTransfer", "Accept (receiver), reject (receiver) or cancel (sender) a pending transfer; a "+
		"participant resolves only its own side (403) and does not see others' transfers (404)",
		"TransferActionInput", 200, "Transfer", id, obj{"name": "action", "in": "path", "required": true, "schema": enum("", "accept", "reject", "cancel")})
	read("/rec/retirements", "listRetirements", "List retirements", "RetirementList",
		append([]any{query("account_id", obj{"type": "integer", "minimum": 0}, "into this retirement account"),
			query("compliance_year", obj{"type": "integer", "minimum": 0}, ""),
			query("reason", enum("", string(rec.ReasonRPS), string(rec.ReasonVoluntary), string(rec.ReasonGreenProduct), string(rec.ReasonOther)), "")}, pageParams...)...)
	cmd("/rec/retirements", "retireCertificates", "Retire certificates; an RPS retirement after the 36-month deadline (§399.21(a)(7)) is refused "+
		"with the deadline shown", "RetireInput", 201, "Retirement")
	cmd("/rec/exports", "exportCertificates", "Export certificates to another registry", "ExportInput", 201, "Export")
	opCmd("/rec/withdrawals", "withdrawCertificates", "Withdraw certificates (a downward revision or an issuance error)", "WithdrawInput", 201, "Block")
	add("/rec/imports", "post", operation{id: "importRegistryFile", summary: "Import a WREGIS-style CSV: a generation upload (issue=true issues " +
		"each month), a holdings report (active certificates) or a retirements report; serial ranges and batches are kept, a range overlapping " +
		"certificates already here is refused (409) naming both, and a file read again changes nothing (200); the registry operator's, never a participant's",
		tag: "registry", security: recOperatorSecurity, params: []any{query("layout", enum("", string(rec.LayoutGeneration), string(rec.LayoutHoldings), string(rec.LayoutRetirements)),
			"default: told from the header"), query("issue", typ("boolean", ""), "generation: issue each month"),
			query("source", typ("string", ""), "where the file came from, for the log")},
		bodyContent: obj{"text/csv": obj{"schema": obj{"type": "string"}}}, ok: 201, alsoOK: []int{http.StatusOK}, okSchema: "RegistryImport",
		errs: []int{forbidden, conflict}})
	add("/rec/members", "get", operation{id: "listRecMembers", summary: "List which participant users and API clients act for which " +
		"organization (the registry operator's, never a participant's)", tag: "registry", security: recOperatorSecurity, ok: 200,
		okSchema: "RecMemberList", errs: []int{bad, forbidden}})
	opCmd("/rec/members", "linkRecMember", "Make a participant user or a rec:write API client act for an organization holding registry "+
		"accounts: from then on it reaches only that organization's accounts (audited)", "RecMemberInput", 201, "RecMember")
	staffRead := func(path, opID, summary, schema string, params ...any) {
		add(path, "get", operation{id: opID, summary: summary + " (not for participants: it spans every organization)", tag: "registry",
			security: rpsReadSecurity, params: params, ok: 200, okSchema: schema, errs: []int{bad, forbidden, notFound}})
	}
	staffRead("/rec/events", "listRecEvents", "Read the hash-chained event log, oldest first", "RecEventList", pageParams...)
	staffRead("/rec/verify", "verifyRegistry", "Rehash the event log and check the serial invariants of every issuance", "RegistryVerify")

	rpsRead := func(path, opID, summary, schema string, params ...any) {
		add(path, "get", operation{id: opID, summary: summary, tag: "rps", security: rpsReadSecurity, params: params, ok: 200, okSchema: schema,
			errs: []int{bad, forbidden, notFound}})
	}
	add("/rps/calc", "post", operation{id: "calcRPS", summary: "Compute a period's position from the posted document alone (the stateless " +
		"calculator of `gridbook rps calc`; docs/rps.md); stores nothing", tag: "rps", security: rpsReadSecurity, body: "RPSCalcInput", ok: 200,
		okSchema: "RPSCalc", errs: []int{forbidden}})
	rpsRead("/rps/rules", "listRPSRules", "List the rule sets (percentages as published, limits, eras) with citations", "RPSRuleSetList",
		query("jurisdiction", enum("", string(rps.CPUCRetailSeller), string(rps.CPUCESP), string(rps.CPUCSMJU), string(rps.CECPOU)), ""))
	rpsRead("/rps/profile", "getRPSProfile", "Get the seller's RPS profile", "RPSProfile")
	add("/rps/profile", "put", operation{id: "putRPSProfile", summary: "Replace the seller's RPS profile (audited)", tag: "rps",
		security: rpsWriteSecurity, body: "RPSProfile", ok: 200, okSchema: "RPSProfile", errs: []int{forbidden}})
	rpsRead("/rps/retail-sales", "listRetailSales", "List retail sales by year", "RetailSalesList")
	add("/rps/retail-sales/{year}", "put", operation{id: "putRetailSales", summary: "Record or correct a year's retail sales (audited)",
		tag: "rps", security: rpsWriteSecurity, params: []any{pathParam("year", "the year")}, body: "RetailSalesInput", ok: 200,
		okSchema: "RetailSales", errs: []int{forbidden, notFound}})
	rpsRead("/rps/contracts", "listContracts", "List procurement contracts", "ContractList")
	add("/rps/contracts", "post", operation{id: "createContract", summary: "Record a procurement contract or ownership agreement", tag: "rps",
		security: rpsWriteSecurity, body: "ContractInput", ok: 201, okSchema: "Contract", errs: []int{forbidden, conflict}})
	add("/rps/contracts/{id}/amendments", "post", operation{id: "amendContract", summary: "Append an amendment (one dated before the contract's " +
		"execution is refused)", tag: "rps", security: rpsWriteSecurity, params: []any{id}, body: "Amendment", ok: 200, okSchema: "Contract",
		errs: []int{forbidden, notFound}})
	rpsRead("/rps/claims", "listClaims", "List claims of retired certificates on compliance periods", "ClaimList",
		append([]any{query("period", typ("string", ""), "CP1 … CP8"), query("retirement_id", obj{"type": "integer", "minimum": 0}, "")}, pageParams...)...)
	add("/rps/claims", "post", operation{id: "createClaim", summary: "Apply an RPS retirement to its vintage's period under a contract; the category " +
		"comes from the contract and delivery evidence; claiming certificates claimed elsewhere is refused (409, §399.21(a)(2))", tag: "rps",
		security: rpsWriteSecurity, body: "ClaimInput", ok: 201, okSchema: "ClaimList", errs: []int{forbidden, notFound, conflict}})
	rpsRead("/rps/position", "getRPSPosition", "The seller's position in every period on record, the bank carried forward", "RPSPosition")
	rpsRead("/rps/report", "getRPSReport", "The annual compliance report of §399.13(a)(3)", "RPSReport",
		requiredQuery("year", obj{"type": "integer", "minimum": 2011}, "the report year"))
	rpsRead("/rps/report/procurement", "getProcurementDetail", "The annual report's procurement detail: one row per contract, category, "+
		"long-term status, vintage and retirement month of the claims of the year's vintages (the CPUC template's per-contract tab; docs/rps.md)",
		"ProcurementDetailList", requiredQuery("year", obj{"type": "integer", "minimum": 2011}, "the report year"))
}

func rpsSchemas() obj {
	intT := func(desc string) obj { return typ("integer", desc) }
	str := func(desc string) obj { return typ("string", desc) }
	month := obj{"type": "string", "pattern": `^([0-9]{4}-[0-9]{2})?$`, "description": "YYYY-MM"}
	techs := []string{}
	for _, t := range rps.Technologies {
		techs = append(techs, string(t))
	}
	certification := object("a CEC certification record", obj{
		"status": enum("", string(rps.Precertified), string(rps.Certified), string(rps.Suspended), string(rps.Revoked)),
		"from":   date(""), "to": date("exclusive; absent while in force"), "cec_rps_id": str(""), "guidebook_edition": str(""), "source": str(""),
	}, "status", "from")
	facilityProps := obj{
		"id": intT(""), "name": str(""), "wregis_id": str("WREGIS generating unit ID"), "technology": enum("", techs...),
		"nameplate_kw": intT(""), "balancing_authority": str("e.g. CISO"), "in_cba": typ("boolean", "first point of interconnection in a California BA"),
		"cod": date("commercial operation"), "county": str(""), "state": str(""), "owner": str(""),
		"certifications":     arrayOf(schemaRef("Certification")),
		"hydro":              obj{"type": "object", "description": "small, conduit and water-supply hydro facts (§399.12(e)(1), §399.12.5)"},
		"biomethane":         obj{"type": "object", "description": "biomethane procurement facts (§399.12.6)"},
		"fuel":               obj{"type": "object", "description": "non-renewable fuel share and a CEC-raised de minimis limit (§399.12(h)(3)(A))"},
		"pou_board_approved": date(""), "account_id": intT("active account certificates are issued into"),
	}
	pccObj := output("MWh per portfolio content category", obj{"pcc0": intT(""), "pcc1": intT(""), "pcc2": intT(""), "pcc3": intT("")})
	source := output("a rule's source with its confidence tag (V, S, D, R: research/rps.md)", obj{"rule": str(""), "citation": str(""), "confidence": str("")})
	calc := output("a period's position", obj{
		"jurisdiction": str(""), "period": str(""),
		"years": arrayOf(output("a year's part of the requirement", obj{"year": intT(""), "retail_sales_mwh": intT(""), "percent": str("as published"),
			"requirement_mwh": str("exact decimal")})),
		"pqr_mwh": intT("procurement quantity requirement, rounded up to whole certificates"), "pqr_exact": str(""),
		"available_mwh": pccObj,
		"applied_mwh": output("applied procurement", obj{"total": intT(""), "pcc0": intT(""), "pcc1": intT(""), "pcc2": intT(""), "pcc3": intT(""),
			"banked": intT("banked excess applied")}),
		"pcc1_share": typ("number", "of the balance denominator"), "pcc3_share": typ("number", ""), "pcc1_min": str(""), "pcc3_max": str(""),
		"excess_mwh": intT(""), "excess_era": enum("", string(rps.EraSB2), string(rps.EraSB350)),
		"banked_excess_in_mwh": intT(""), "banked_excess_out_mwh": intT(""), "shortfall_mwh": intT(""),
		"long_term_required_mwh": intT(""), "long_term_required_exact": str(""), "long_term_applied_mwh": intT(""), "long_term_shortfall_mwh": intT(""),
		"complies":   typ("boolean", ""),
		"violations": arrayOf(output("an obligation failed", obj{"rule": str(""), "citation": str(""), "message": str(""), "mwh": intT("")})),
		"excluded": arrayOf(object("procurement not applied, with the rule", obj{"claim_id": str(""), "pcc": intT(""), "mwh": intT(""),
			"rule": str(""), "citation": str("")}, "pcc", "mwh", "rule", "citation")),
		"sources": arrayOf(source),
	})
	contractProps := obj{
		"id": intT(""), "name": str(""), "counterparty": str(""), "facility_id": intT(""), "executed": date(""),
		"delivery_start": date(""), "delivery_end": date("exclusive"), "ownership": typ("boolean", ""),
		"delivery": enum("", string(rps.DeliverInCBA), string(rps.DeliverHourlySchedule), string(rps.DeliverDynamicTransfer),
			string(rps.DeliverFirmedShaped), string(rps.DeliverUnbundled)),
		"cpuc_approved": typ("boolean", "§399.16(d)(2)"), "eligible_when_signed": typ("boolean", "§399.16(d)(1)"),
		"amendments": arrayOf(schemaRef("Amendment")),
	}
	contractIn := obj{}
	for k, v := range contractProps {
		contractIn[k] = v
	}
	claim := output("retired certificates applied to a period", obj{
		"id": intT(""), "retirement_id": intT(""), "contract_id": intT(""), "period": str(""), "pcc": intT("0 count in full, 1–3"),
		"mwh": intT(""), "long_term": typ("boolean", ""), "vintage": month, "retired_on": date(""), "note": str(""), "created": instantSchema(""),
	})
	settings := object("the choices the sources leave open", obj{
		"window_anchor":           enum("default VINTAGE_MONTH_START (§399.21(a)(7))", string(rps.AnchorMonthStart), string(rps.AnchorMonthEnd)),
		"long_term_denominator":   enum("", string(rps.LTOfPQR), string(rps.LTOfApplied)),
		"banked_without_category": typ("boolean", ""), "bank_count_in_full": typ("boolean", ""), "early_opt_in": typ("boolean", ""),
		"pcc1_min": str("a CPUC-reduced PCC1 minimum, at least 65"), "require_cpuc_approval": typ("boolean", ""),
	})
	return obj{
		"RecAccount": output("a registry account", obj{"id": intT(""), "org": str(""), "name": str(""),
			"kind": enum("", string(rec.ActiveAccount), string(rec.RetirementAccount), string(rec.ExportAccount)), "created_at": instantSchema(""),
			"holdings": obj{"type": "object", "additionalProperties": obj{"type": "integer"}, "description": "certificates held by status"}}),
		"RecAccountList": listOf("RecAccount", "registry accounts"),
		"RecMember": object("a participant user or API client acting for an organization", obj{"id": intT(""), "org": str(""),
			"user_id": intT("the participant user (or client_id)"), "client_id": intT("the API client (or user_id)"),
			"who": str("the user's login email or the client's name"), "created": instantSchema("")}, "id", "org", "created"),
		"RecMemberList": listOf("RecMember", "participants by organization"),
		"ProcurementRow": output("claims of one contract, category, long-term status, vintage and retirement month", obj{
			"contract": str(""), "counterparty": str(""), "facility": str(""), "cec_rps_id": str("in force on the vintage's last day"),
			"wregis_id": str(""), "technology": str(""), "state": str(""), "executed": date(""), "delivery_start": date(""),
			"delivery_end": date("exclusive"), "term_months": intT("whole months from delivery start to end"), "long_term": typ("boolean", ""),
			"pcc": obj{"type": "integer", "minimum": 0, "maximum": 3}, "vintage": month, "retirement_month": month, "mwh": intT("retired and claimed"),
			"period": str("")}),
		"ProcurementDetailList": listOf("ProcurementRow", "the procurement detail"),
		"RecMemberInput": input("a link: the organization and exactly one of user_id and client_id", obj{"org": str(""),
			"user_id": intT("a participant user"), "client_id": intT("an API client holding rec:write")}, "org"),
		"RecAccountInput": input("a new account", obj{"org": str(""), "name": str(""),
			"kind": enum("", string(rec.ActiveAccount), string(rec.RetirementAccount), string(rec.ExportAccount))}, "org", "name", "kind"),
		"Certification": certification,
		"Facility":      object("a registered facility", facilityProps, "name", "wregis_id", "technology", "nameplate_kw", "cod", "account_id"),
		"FacilityList":  listOf("Facility", "facilities"),
		"FacilityDetail": output("a facility with its eligibility and issuances", obj{"facility": schemaRef("Facility"),
			"eligibility": output("the eligibility rules applied today", obj{"eligible": typ("boolean", ""),
				"findings": arrayOf(output("one rule", obj{"rule": str(""), "citation": str(""), "outcome": enum("", "pass", "fail", "n/a"), "detail": str("")}))}),
			"issuances": arrayOf(schemaRef("Issuance"))}),
		"GenerationReport": output("a generation report", obj{"id": intT(""), "facility_id": intT(""), "vintage": month, "revision": intT(""),
			"generation_wh": intT(""), "hourly_values": intT("how many hourly values it carries"), "source": str(""), "received_at": instantSchema("")}),
		"GenerationReportList": listOf("GenerationReport", "generation reports"),
		"GenerationReportInput": input("a month's generation", obj{"vintage": month, "generation_wh": intT("the month's total"),
			"hourly_wh": arrayOf(intT("")), "revision": intT("0 for the first report of the month"), "source": str("")}, "vintage"),
		"IssuanceInput": input("the vintage to issue", obj{"vintage": month}, "vintage"),
		"Issuance": output("certificates issued here or imported", obj{"id": intT(""),
			"origin": enum("issued here from a generation report, or imported from another registry", string(rec.OriginIssued), string(rec.OriginImported)),
			"batch":  str("the batch in the serial numbers: the issuance id, or the other registry's batch"), "first_serial": intT("1 unless imported"),
			"facility_id": intT(""), "report_id": nullable("integer", "null when imported"), "revision": intT(""),
			"vintage": month, "account_id": intT(""), "reported_wh": intT(""), "eligible_wh": intT(""), "credited_wh": intT(""),
			"carry_in_wh": intT(""), "carry_out_wh": intT(""), "quantity": intT(""), "block_id": nullable("integer", ""), "note": str(""),
			"issued_at": instantSchema("")}),
		"Block": output("a block of serial-numbered certificates", obj{"id": intT(""), "issuance_id": intT(""), "parent_id": nullable("integer", ""),
			"facility_id": intT(""), "wregis_id": str(""), "vintage": month, "account_id": intT(""), "serial_start": intT(""), "serial_end": intT(""),
			"serials": str("WREGIS-style label"), "quantity": intT(""), "status": str(""), "version": intT("for optimistic concurrency")}),
		"RegistryImport": output("what reading a WREGIS-style file did", obj{
			"layout": enum("", string(rec.LayoutGeneration), string(rec.LayoutHoldings), string(rec.LayoutRetirements)),
			"rows":   intT("lines read"), "already_imported": intT("lines imported before, which changed nothing"),
			"reports": arrayOf(schemaRef("GenerationReport")), "issuances": arrayOf(schemaRef("Issuance")), "blocks": arrayOf(schemaRef("Block")),
			"retirements": arrayOf(schemaRef("Retirement"))}),
		"BlockList": listOf("Block", "a page of blocks"),
		"Transfer": output("a two-phase transfer", obj{"id": intT(""), "block_id": intT(""), "from_account_id": intT(""), "to_account_id": intT(""),
			"quantity": intT(""), "status": str(""), "note": str(""), "initiated_at": instantSchema(""), "resolved_at": nullable("string", "")}),
		"TransferList": listOf("Transfer", "a page of transfers"),
		"TransferInput": input("a transfer", obj{"block_id": intT(""), "quantity": intT(""), "to_account_id": intT(""),
			"expect_version": intT("refuse (409) when the block has changed"), "note": str("")}, "block_id", "quantity", "to_account_id"),
		"TransferActionInput": input("a note for the other party", obj{"note": str("")}),
		"Retirement": output("a retirement", obj{"id": intT(""), "block_id": intT(""), "account_id": intT(""), "from_account_id": intT(""),
			"facility_id": intT(""), "vintage": month, "quantity": intT(""), "reason": str(""), "beneficiary": str(""),
			"compliance_year": nullable("integer", ""), "retired_on": date(""), "rps_deadline": date("last day it counts for RPS"),
			"rps_eligible": typ("boolean", "")}),
		"RetirementList": listOf("Retirement", "a page of retirements"),
		"RetireInput": input("a retirement", obj{"block_id": intT(""), "quantity": intT(""), "account_id": intT("the holder's retirement account"),
			"reason":      enum("", string(rec.ReasonRPS), string(rec.ReasonVoluntary), string(rec.ReasonGreenProduct), string(rec.ReasonOther)),
			"beneficiary": str(""), "compliance_year": intT("required for rps"), "expect_version": intT("")}, "block_id", "quantity", "account_id", "reason"),
		"Export": output("an export", obj{"id": intT(""), "block_id": intT(""), "account_id": intT(""), "quantity": intT(""), "destination": str("")}),
		"ExportInput": input("an export", obj{"block_id": intT(""), "quantity": intT(""), "account_id": intT("the holder's export account"),
			"destination": str("the receiving registry"), "expect_version": intT("")}, "block_id", "quantity", "account_id", "destination"),
		"WithdrawInput": input("a withdrawal", obj{"block_id": intT(""), "quantity": intT(""), "reason": str(""), "expect_version": intT("")},
			"block_id", "quantity", "reason"),
		"RecEvent": output("an event: hash = SHA-256(prev_hash, seq, at, kind, actor, data)", obj{"seq": intT(""), "at": instantSchema(""),
			"kind": str(""), "actor": str(""), "data": obj{"description": "the command's effects"}, "prev_hash": str(""), "hash": str("")}),
		"RecEventList": listOf("RecEvent", "a page of events"),
		"RegistryVerify": output("the registry's check", obj{"sound": typ("boolean", ""), "events": intT(""), "head_hash": str(""),
			"break":    obj{"type": []string{"object", "null"}, "description": "the first entry that fails", "properties": obj{"seq": intT(""), "reason": str("")}},
			"problems": arrayOf(str("a broken serial invariant"))}),
		"RPSCalcInput": input("a calculator document (docs/rps.md)", obj{
			"jurisdiction": enum("", string(rps.CPUCRetailSeller), string(rps.CPUCESP), string(rps.CPUCSMJU), string(rps.CECPOU)),
			"period":       str("CP1 … CP8"), "retail_sales_mwh": obj{"type": "object", "additionalProperties": obj{"type": "integer"}, "description": "by year"},
			"claims": arrayOf(object("a claim", obj{"id": str(""), "pcc": intT("0 count in full, 1–3"), "mwh": intT(""), "contract_executed": date(""),
				"long_term": typ("boolean", ""), "vintage": month, "retired": date("")}, "pcc", "mwh", "contract_executed")),
			"banked_excess_mwh": intT(""), "settings": settings,
		}, "jurisdiction", "period", "retail_sales_mwh"),
		"RPSCalc": calc,
		"RPSRuleSet": output("a period's rules", obj{"jurisdiction": str(""), "name": str(""), "period": str(""), "first_year": intT(""),
			"last_year": intT(""), "targets": obj{"type": "object", "additionalProperties": obj{"type": "string"}, "description": "percent by year, as published"},
			"pcc1_min": str(""), "pcc3_max": str(""), "long_term_min": str(""), "excess_era": str(""), "balance_from": date(""),
			"balance_exempt": typ("boolean", ""), "sources": arrayOf(source)}),
		"RPSRuleSetList": listOf("RPSRuleSet", "rule sets"),
		"RPSProfile": object("the seller's RPS profile", obj{"seller": str(""),
			"jurisdiction": enum("", string(rps.CPUCRetailSeller), string(rps.CPUCESP), string(rps.CPUCSMJU), string(rps.CECPOU)),
			"settings":     settings, "opening_bank_mwh": intT("excess carried into the first period on record"),
			"recommendations": obj{"type": "object", "additionalProperties": obj{"type": "string"}, "description": "the report's recommendations by year"},
			"green_product": object("a green product matched hour by hour", obj{"name": str(""), "program": str("enrollment program code"),
				"facilities": arrayOf(intT("facility id"))}, "name", "program", "facilities"),
		}, "jurisdiction"),
		"RetailSales":      output("a year's retail sales", obj{"year": intT(""), "mwh": intT(""), "source": str(""), "updated_at": instantSchema("")}),
		"RetailSalesList":  listOf("RetailSales", "retail sales by year"),
		"RetailSalesInput": input("a year's retail sales", obj{"mwh": intT(""), "source": str("where the figure comes from")}, "mwh", "source"),
		"Amendment": object("a contract amendment", obj{"date": date(""),
			"kind": enum("", string(rps.AmendExtension), string(rps.AmendCapacityIncrease), string(rps.AmendGenerationIncrease),
				string(rps.AmendSubstitution), string(rps.AmendOther)), "new_end": date("extension: the new end"), "note": str("")}, "date", "kind"),
		"Contract": object("a procurement contract", contractProps, "id", "name", "counterparty", "facility_id", "executed", "delivery_start",
			"delivery_end", "ownership", "delivery", "cpuc_approved", "eligible_when_signed", "amendments"),
		"ContractList":  listOf("Contract", "contracts"),
		"ContractInput": object("a new contract", contractIn, "name", "facility_id", "executed", "delivery_start", "delivery_end", "delivery"),
		"Claim":         claim,
		"ClaimList":     listOf("Claim", "claims"),
		"ClaimInput": input("claim a retirement under a contract", obj{"retirement_id": intT(""), "contract_id": intT(""),
			"mwh": intT("0: all not yet claimed"), "hourly": arrayOf(input("an hour of an hourly-scheduled delivery", obj{"hour": instantSchema(""),
				"generated_wh": intT(""), "scheduled_wh": intT("")}, "hour", "generated_wh", "scheduled_wh"))}, "retirement_id", "contract_id"),
		"RPSPosition": output("the seller's periods", obj{"seller": str(""), "jurisdiction": str(""),
			"periods": arrayOf(output("a period", obj{"period": str(""), "through_year": intT(""), "partial": typ("boolean", "shown to date"),
				"bank_in_mwh": intT(""), "problem": str("why it could not be computed"), "position": obj{"oneOf": []any{schemaRef("RPSCalc"), obj{"type": "null"}}}}))}),
		"RPSReport": output("the annual compliance report", obj{"seller": str(""), "year": intT(""), "jurisdiction": str(""), "period": str(""),
			"retail_sales_mwh": intT(""), "target_percent": str(""), "procured_mwh": intT(""), "procured_by_pcc": pccObj,
			"procured_percent_of_retail_sales": str(""), "out_of_state_wecc_mwh": intT(""), "unbundled_mwh": intT(""),
			"facilities": arrayOf(output("a facility's procurement", obj{"facility": str(""), "wregis_id": str(""), "technology": str(""),
				"state": str(""), "in_cba": typ("boolean", ""), "cod": date(""), "certification": str(""), "contract": str(""), "executed": date(""),
				"long_term": typ("boolean", ""), "pcc": intT(""), "vintage": month, "mwh": intT("")})),
			"period_to_date": schemaRef("RPSCalc"), "recommendations": str("")}),
	}
}
