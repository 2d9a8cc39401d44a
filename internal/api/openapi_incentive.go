package api

import (
	"net/http"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/incentive"
)

// The incentive-program part of the OpenAPI document (openapi.go calls
// incentiveOperations and merges incentiveSchemas).

// applySecurity is who may apply: customers for their own accounts,
// writing staff, registry:write clients.
var applySecurity = []any{obj{"bearer": []string{auth.ScopeRegistryWrite}},
	obj{"session": []string{string(auth.Admin), string(auth.ProgramManager), string(auth.CustomerRole)}}}

func incentiveOperations(add func(path, method string, o operation)) {
	const bad, forbidden, notFound, conflict = http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict
	id := pathParam("id", "resource id")
	pid := obj{"name": "pid", "in": "path", "required": true, "schema": obj{"type": "string", "pattern": `^[a-z0-9-]+$`}, "description": "program id"}
	code := obj{"name": "code", "in": "path", "required": true, "schema": obj{"type": "string"}, "description": "coupon code"}
	const money = " Money-moving: the Idempotency-Key header is required (400 naming it when absent)."
	tag := "incentives"
	add("/incentive/programs", "get", operation{id: "listPrograms", summary: "List the stored incentive programs", tag: tag,
		security: readSecurity, ok: 200, okSchema: "ProgramList", errs: []int{bad, forbidden}})
	add("/incentive/programs", "post", operation{id: "importPrograms", summary: "Import a programs document (admins and tariffs:write clients); " +
		"201 when anything was added or changed, 200 when all was already stored; every program is validated and any problem stores nothing",
		tag: tag, security: tariffAdminSecurity, body: "ProgramsDocument", ok: 201, alsoOK: []int{http.StatusOK}, okSchema: "ProgramImport",
		errs: []int{forbidden, conflict}})
	add("/incentive/programs/{pid}", "get", operation{id: "getProgram", summary: "Get a program with its rules", tag: tag,
		security: readSecurity, params: []any{pid}, ok: 200, okSchema: "Program", errs: []int{forbidden, notFound}})
	add("/incentive/programs/{pid}/report", "get", operation{id: "programReport", summary: "A program's published figures: participants, " +
		"paid, committed, reserved, CARE/FERA and DAC shares, coupons, awards by agency, budget burn-down", tag: tag,
		security: wideSecurity, params: []any{pid}, ok: 200, okSchema: "ProgramReport", errs: []int{forbidden, notFound}})
	add("/incentive/quote", "post", operation{id: "quote", summary: "Decide a program for facts (nothing stored): eligible, amount, reasons " +
		"and trace; with account_id the registry's facts for the account are used; a fact a rule needs and nobody gave is a 400 naming it",
		tag: tag, security: readSecurity, body: "QuoteRequest", ok: 200, okSchema: "Decision", errs: []int{forbidden, notFound}})
	add("/incentive/budgets", "get", operation{id: "listBudgets", summary: "List budgets with their balances", tag: tag, security: wideSecurity,
		params: []any{query("program", typ("string", ""), "only this program's budgets")}, ok: 200, okSchema: "BudgetList", errs: []int{bad, forbidden}})
	add("/incentive/budgets/{id}", "get", operation{id: "getBudget", summary: "Get a budget with its ledger", tag: tag, security: wideSecurity,
		params: []any{id}, ok: 200, okSchema: "BudgetDetail", errs: []int{forbidden, notFound}})
	add("/incentive/budgets/{id}/adjust", "post", operation{id: "adjustBudget", summary: "Change a budget's allocation (signed, with a note; " +
		"never below what is reserved, committed and paid) and/or close or reopen it; released funds promote the waitlist." + money,
		tag: tag, security: writeSecurity, params: []any{id}, body: "BudgetAdjustment", ok: 200, okSchema: "BudgetDetail", errs: []int{forbidden, notFound, conflict}})
	add("/incentive/applications", "get", operation{id: "listApplications", summary: "List applications (customers see their own)", tag: tag,
		security: readSecurity, params: append([]any{query("program", typ("string", ""), ""),
			query("status", enum("", statusNames()...), "")}, pageParams...), ok: 200, okSchema: "ApplicationList", errs: []int{bad, forbidden}})
	add("/incentive/applications", "post", operation{id: "createApplication", summary: "Create a draft application decided on the registry's " +
		"facts for the account and the applicant's equipment facts, with the decision's trace", tag: tag, security: applySecurity,
		body: "ApplicationRequest", ok: 201, okSchema: "ApplicationDetail", errs: []int{forbidden, notFound, conflict}})
	add("/incentive/applications/{id}", "get", operation{id: "getApplication", summary: "Get an application with its history and documents",
		tag: tag, security: readSecurity, params: []any{id}, ok: 200, okSchema: "ApplicationDetail", errs: []int{forbidden, notFound}})
	add("/incentive/applications/{id}/submit", "post", operation{id: "submitApplication", summary: "Submit a draft: automatic eligibility, " +
		"fraud and duplicate checks, then a reservation first come first served or the waitlist; a closed budget is a 409." + money,
		tag: tag, security: applySecurity, params: []any{id}, ok: 200, okSchema: "ApplicationDetail", errs: []int{bad, forbidden, notFound, conflict}})
	add("/incentive/applications/{id}/transition", "post", operation{id: "transitionApplication", summary: "Move an application in the " +
		"workflow with the money that goes with it: reserve, approve (amount_cents at most the reservation), pay, reject, withdraw, hold, claw back." + money,
		tag: tag, security: writeSecurity, params: []any{id}, body: "TransitionRequest", ok: 200, okSchema: "ApplicationDetail",
		errs: []int{forbidden, notFound, conflict}})
	add("/incentive/applications/{id}/documents", "post", operation{id: "addDocument", summary: "Attach a document (base64); a stated " +
		"sha256 that does not match the content is a 400 naming sha256 and nothing is stored", tag: tag, security: applySecurity,
		params: []any{id}, body: "DocumentRequest", ok: 201, okSchema: "Document", errs: []int{forbidden, notFound, conflict}})
	add("/incentive/coupons", "get", operation{id: "listCoupons", summary: "List instant coupons (customers see their own)", tag: tag,
		security: readSecurity, params: append([]any{query("program", typ("string", ""), "")}, pageParams...), ok: 200, okSchema: "CouponList",
		errs: []int{bad, forbidden}})
	add("/incentive/coupons", "post", operation{id: "issueCoupon", summary: "Issue an instant coupon bound to one retailer and channel, " +
		"expiring December 31; one per household per measure; reserves the budget." + money, tag: tag, security: applySecurity,
		body: "CouponRequest", ok: 201, okSchema: "Coupon", errs: []int{forbidden, notFound, conflict}})
	add("/incentive/coupons/{code}/redeem", "post", operation{id: "redeemCoupon", summary: "Record a retailer's redemption (bound retailer " +
		"and channel, by the expiry, once); commits the reservation." + money, tag: tag, security: writeSecurity, params: []any{code},
		body: "RedeemRequest", ok: 200, okSchema: "Coupon", errs: []int{forbidden, notFound, conflict}})
	add("/incentive/payment-batches", "get", operation{id: "listPaymentBatches", summary: "List payment batches, newest first", tag: tag,
		security: wideSecurity, ok: 200, okSchema: "PaymentBatchList", errs: []int{bad, forbidden}})
	add("/incentive/payment-batches", "post", operation{id: "createPaymentBatch", summary: "Gather what is approved and unpaid for a method " +
		"(ach, bill_credit, retailer) into a batch with its file; nothing to pay is a 409." + money, tag: tag, security: writeSecurity,
		body: "PaymentBatchRequest", ok: 201, okSchema: "PaymentBatchDetail", errs: []int{forbidden, conflict}})
	add("/incentive/payment-batches/{id}", "get", operation{id: "getPaymentBatch", summary: "Get a batch with its payments and file", tag: tag,
		security: wideSecurity, params: []any{id}, ok: 200, okSchema: "PaymentBatchDetail", errs: []int{forbidden, notFound}})
	add("/incentive/payment-batches/{id}/results", "post", operation{id: "reconcilePaymentBatch", summary: "Apply the bank's or billing's " +
		"results: paid pays through the ledger, returned sends the application back to approved." + money, tag: tag, security: writeSecurity,
		params: []any{id}, body: "PaymentResults", ok: 200, okSchema: "PaymentBatchDetail", errs: []int{forbidden, notFound, conflict}})
}

func statusNames() []string {
	var out []string
	for _, s := range incentive.Statuses {
		out = append(out, string(s))
	}
	return out
}

func incentiveSchemas() obj {
	cents := func(desc string) obj { return typ("integer", "US cents"+desc) }
	free := func(desc string) obj { return obj{"type": "object", "description": desc} }
	nullID := nullable("integer", "")
	budget := obj{
		"id": typ("integer", ""), "slug": typ("string", ""), "program": typ("string", ""), "name": typ("string", ""),
		"measure":     typ("string", "only this measure's applications draw on it; empty for any"),
		"period_from": date(""), "period_to": nullableDate("first day after the period; null while open"),
		"allocated_cents": cents(""), "reserved_cents": cents(""), "committed_cents": cents(""), "paid_cents": cents(""),
		"available_cents": cents(": allocated − reserved − committed − paid, never negative"), "min_reservable_cents": cents(""),
		"set_aside": enum("", incentive.SetAsides...), "closed": typ("boolean", "closed by staff"),
		"open": typ("boolean", "takes new reservations"), "source": typ("string", "what funds it"),
	}
	ledger := output("a ledger entry", obj{
		"id": typ("integer", ""), "kind": enum("", "allocate", "reserve", "release", "commit", "pay", "recover", "adjust"),
		"amount_cents": cents(""), "application_id": nullID, "coupon_id": nullID, "at": instantSchema(""), "actor": typ("string", ""),
		"note": typ("string", ""),
	})
	budgetDetail := obj{"ledger": arrayOf(ledger)}
	for k, v := range budget {
		budgetDetail[k] = v
	}
	step := object("a line of the trace", obj{
		"rule": typ("string", ""), "outcome": typ("string", "pass, fail, missing, applied, skipped, capped, not_binding, waitlisted"),
		"amount_cents": cents(""), "detail": typ("string", ""), "table": typ("string", "reference table that decided"), "row": typ("string", ""),
	}, "rule", "outcome", "detail")
	reason := object("why not eligible", obj{"code": typ("string", "e.g. energy_factor_below_min"), "rule": typ("string", ""),
		"field": typ("string", "a missing fact"), "message": typ("string", "")}, "code", "rule", "message")
	decision := object("a decision with its trace", obj{
		"program": typ("string", ""), "measure": typ("string", ""), "eligible": typ("boolean", ""), "amount_cents": cents(""),
		"payment_method": typ("string", ""), "reasons": arrayOf(reason), "trace": arrayOf(step), "flags": arrayOf(typ("string", "")),
	}, "program", "measure", "eligible", "amount_cents", "payment_method", "reasons", "trace", "flags")
	app := obj{
		"id": typ("integer", ""), "program": typ("string", ""), "measure": typ("string", ""), "account_id": nullID,
		"member_agency": typ("string", ""), "household_key": typ("string", ""), "status": enum("", statusNames()...),
		"next_statuses": arrayOf(enum("", statusNames()...)), "amount_cents": cents(": quoted"), "reserved_cents": cents(""),
		"approved_cents": cents(""), "paid_cents": cents(""), "budget_id": nullID, "submitted_at": nullable("string", "RFC 3339"),
		"reservation_expires": nullableDate(""), "purchase_date": nullableDate(""), "serials": arrayOf(typ("string", "")),
		"invoice_number": typ("string", ""), "contractor": typ("string", ""), "payee": typ("string", ""), "payment_method": typ("string", ""),
		"flags": arrayOf(output("a fraud or duplicate finding", obj{"code": typ("string", ""), "detail": typ("string", "")})),
		"facts": free("the facts decided on (docs/incentives.md)"), "decision": schemaRef("Decision"),
		"created_at": instantSchema(""), "updated_at": instantSchema(""),
	}
	doc := output("a stored document", obj{"id": typ("integer", ""), "name": typ("string", ""), "content_type": typ("string", ""),
		"sha256": typ("string", ""), "size_bytes": typ("integer", ""), "uploaded_at": instantSchema(""), "actor": typ("string", "")})
	detail := obj{
		"events": arrayOf(output("a status change", obj{"from": typ("string", ""), "to": typ("string", ""), "at": instantSchema(""),
			"actor": typ("string", ""), "note": typ("string", "")})),
		"documents": arrayOf(schemaRef("Document")),
	}
	for k, v := range app {
		detail[k] = v
	}
	coupon := output("an instant coupon", obj{
		"id": typ("integer", ""), "code": typ("string", ""), "program": typ("string", ""), "measure": typ("string", ""),
		"account_id": typ("integer", ""), "retailer": typ("string", ""), "channel": enum("", "in_store", "online"), "amount_cents": cents(""),
		"issued_on": date(""), "expires_on": date("last day it may be redeemed"), "status": enum("", incentive.CouponIssued,
			incentive.CouponRedeemed, incentive.CouponReturned, incentive.CouponExpired, incentive.CouponVoided),
		"redeemed_on": nullableDate(""), "returned_on": nullableDate(""), "redemption_ref": typ("string", ""),
	})
	batch := obj{"id": typ("integer", ""), "method": enum("", incentive.BatchMethods...), "status": enum("", "exported", "reconciled"),
		"count": typ("integer", ""), "total_cents": cents(""), "file_sha256": typ("string", ""), "created_at": instantSchema(""), "actor": typ("string", "")}
	batchDetail := obj{
		"payments": arrayOf(output("a payment", obj{"id": typ("integer", ""), "application_id": nullID, "coupon_id": nullID,
			"program": typ("string", ""), "payee": typ("string", ""), "account_number": typ("string", ""), "amount_cents": cents(""),
			"status": enum("", "pending", "paid", "returned"), "reference": typ("string", ""), "note": typ("string", "")})),
		"file": typ("string", "the batch file: ACH-style CSV, or the bill-credit CSV the billing engine reads (docs/incentives.md)"),
	}
	for k, v := range batch {
		batchDetail[k] = v
	}
	program := obj{"id": typ("string", ""), "name": typ("string", ""), "administrator": typ("string", ""), "kind": typ("string", ""),
		"summary": typ("string", ""), "source": typ("string", ""), "effective_from": date(""), "effective_to": nullableDate(""),
		"payment_method": typ("string", ""), "measures": arrayOf(output("a measure", obj{"id": typ("string", ""), "name": typ("string", "")})),
		"document": free("the program as data: eligibility, measures, rules, caps, budgets (internal/incentive Program)")}
	return obj{
		"Program":          output("an incentive program", program),
		"ProgramList":      listOf("Program", "the stored programs"),
		"ProgramsDocument": obj{"type": []string{"object", "array"}, "description": `{"programs":[…]} or a list of programs (internal/incentive/data/programs.json)`},
		"ProgramImport": output("what an import stored", obj{"added": typ("integer", ""), "changed": typ("integer", ""),
			"unchanged": typ("integer", ""), "budgets_added": typ("integer", "")}),
		"QuoteRequest": input("a quote", obj{"program": typ("string", "program id"), "account_id": typ("integer", "use the registry's facts"),
			"facts": free("facts (docs/incentives.md)")}, "program", "facts"),
		"Decision":     decision,
		"Budget":       output("a budget", budget),
		"BudgetList":   listOf("Budget", "budgets"),
		"BudgetDetail": output("a budget with its ledger", budgetDetail),
		"BudgetAdjustment": input("a change of allocation and/or closure", obj{"amount_cents": typ("integer", "signed"),
			"note": typ("string", "required with an amount"), "closed": typ("boolean", "close or reopen")}),
		"Application":       output("an application", app),
		"ApplicationList":   listOf("Application", "a page of applications"),
		"ApplicationDetail": output("an application with its history and documents", detail),
		"ApplicationRequest": input("an application", obj{"program": typ("string", ""), "account_id": typ("integer", ""),
			"member_agency": typ("string", "grants"), "facts": free("the equipment and purchase facts"), "purchase_date": date(""),
			"serials": arrayOf(typ("string", "")), "invoice_number": typ("string", ""), "contractor": typ("string", ""),
			"payee": typ("string", "")}, "program"),
		"TransitionRequest": input("a workflow step", obj{"status": enum("", statusNames()...),
			"amount_cents": typ("integer", "approve: the amount committed; clawback_closed: the amount recovered"), "note": typ("string", "")}, "status"),
		"DocumentRequest": input("a document", obj{"name": typ("string", ""), "content_type": typ("string", ""),
			"content_base64": typ("string", ""), "sha256": typ("string", "hex SHA-256 the uploader computed")}, "name", "content_base64"),
		"Document":   doc,
		"Coupon":     coupon,
		"CouponList": listOf("Coupon", "a page of coupons"),
		"CouponRequest": input("a coupon request", obj{"program": typ("string", ""), "account_id": typ("integer", ""),
			"retailer": typ("string", ""), "channel": enum("", "in_store", "online")}, "program", "account_id", "retailer", "channel"),
		"RedeemRequest": input("a redemption", obj{"retailer": typ("string", ""), "channel": enum("", "in_store", "online"),
			"reference": typ("string", ""), "date": date("purchase date")}, "retailer", "channel", "date"),
		"PaymentBatch":        output("a payment batch", batch),
		"PaymentBatchList":    listOf("PaymentBatch", "payment batches"),
		"PaymentBatchDetail":  output("a payment batch with its payments and file", batchDetail),
		"PaymentBatchRequest": input("a batch", obj{"method": enum("", incentive.BatchMethods...)}, "method"),
		"PaymentResults": input("results of a batch", obj{"results": arrayOf(input("a result", obj{"payment_id": typ("integer", ""),
			"status": enum("", "paid", "returned"), "reference": typ("string", ""), "note": typ("string", "")}, "payment_id", "status"))}, "results"),
		"ProgramReport": output("a program's figures", obj{
			"program": typ("string", ""), "name": typ("string", ""), "applications": typ("integer", ""),
			"by_status": obj{"type": "object", "additionalProperties": typ("integer", "")}, "participants": typ("integer", "households or agencies paid"),
			"paid_cents": cents(""), "committed_cents": cents(""), "reserved_cents": cents(""), "reserved_applications": typ("integer", ""),
			"waitlisted": typ("integer", ""), "income_qualified_participants": typ("integer", ""), "dac_participants": typ("integer", ""),
			"coupons_issued": typ("integer", ""), "coupons_redeemed": typ("integer", ""), "coupons_reserved": typ("integer", ""),
			"budgets": arrayOf(schemaRef("Budget")),
			"burn_down": arrayOf(output("balances at the end of a month", obj{"month": typ("string", "YYYY-MM"), "allocated_cents": cents(""),
				"reserved_cents": cents(""), "committed_cents": cents(""), "paid_cents": cents(""), "available_cents": cents("")})),
			"by_agency": arrayOf(output("awards to an agency", obj{"agency": typ("string", ""), "measure": typ("string", ""),
				"awards": typ("integer", ""), "amount_cents": cents("")})),
		}),
	}
}
