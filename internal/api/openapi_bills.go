package api

import (
	"maps"
	"net/http"
	"slices"

	"github.com/gridbook/gridbook/internal/billing"
)

// The stored-bill part of the OpenAPI document (openapi.go calls
// storedBillOperations and merges storedBillSchemas).

func storedBillOperations(add func(path, method string, o operation)) {
	const bad, forbidden, notFound, conflict = http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict
	add("/accounts/{id}/bills", "get", operation{id: "listAccountBills",
		summary: "List an account's stored bills, newest first: current versions, or every version with versions=true",
		tag:     "bills", security: readSecurity, params: append([]any{pathParam("id", "account id"),
			query("versions", typ("boolean", ""), "include superseded versions")}, pageParams...),
		ok: 200, okSchema: "StoredBillList", errs: []int{bad, forbidden, notFound}})
	add("/bills/{id}", "get", operation{id: "getBill",
		summary: "Get a stored bill with its document, the balances it carries forward and the inputs it was computed from",
		tag:     "bills", security: readSecurity, params: []any{pathParam("id", "bill id")},
		ok: 200, okSchema: "StoredBill", errs: []int{forbidden, notFound}})
	add("/accounts/{id}/billing-state", "post", operation{id: "seedBillingState",
		summary: "Seed the opening net-metering balances of an account migrated to gridbook part-way through a Relevant Period: the State " +
			"its first bill in gridbook (the period starting on through) carries in. Each ledger's Relevant Period began on or before through " +
			"and less than a year before it, with 0–11 bills in it; 409 once the account has bills; audited. Money-moving: the " +
			"Idempotency-Key header is required (400 naming it when absent).",
		tag: "bills", security: writeSecurity, params: []any{pathParam("id", "account id")}, body: "OpeningBalanceRequest",
		ok: 201, okSchema: "OpeningBalance", errs: []int{forbidden, notFound, conflict}})
}

func storedBillSchemas() obj {
	summary := obj{
		"id": typ("integer", ""), "account_id": typ("integer", ""), "account_number": typ("string", ""),
		"run_id":       nullable("integer", "the bill run that made it"),
		"period_start": date(""), "period_end": date("first day after the period"), "days": typ("integer", ""),
		"version":       typ("integer", "1 for the first bill of the period; a re-bill after a correction adds a version"),
		"superseded_by": nullable("integer", "the version that replaced this one; null while current"),
		"total_cents":   typ("integer", "amount due for the period"), "utility_total_cents": typ("integer", "due to the utility"),
		"cca_total_cents":   typ("integer", "due to the CCA"),
		"nem_balance_cents": typ("integer", "net-metering balances carried after the bill (positive: charges deferred to the true-up)"),
		"delivered_wh":      typ("integer", ""), "received_wh": typ("integer", ""),
		"true_up":             typ("boolean", "a true-up fell at the end of this period"),
		"estimated_intervals": typ("integer", "intervals the meter data source estimated"),
		"engine_version":      typ("string", "the billing rules that computed it"),
		"intervals_sha256":    typ("string", "hash of the interval data billed"),
		"inputs_sha256":       typ("string", "hash of every input: equal hashes give identical bills"),
		"reason":              typ("string", "why this version exists"), "created_at": instantSchema(""),
	}
	full := maps.Clone(summary)
	full["inputs"] = obj{"type": "object", "description": "engine version, period, tariff versions (ids and hashes), export table, " +
		"channels and the interval hash, the terms and the state carried in: all a bill is recomputed from"}
	full["state_after"] = obj{"type": "object", "description": "the balances and Relevant Periods carried into the next bill"}
	full["bill"] = schemaRef("BillDocument")
	line := maps.Clone(billingSchemas()["BillLine"].(obj))
	props := maps.Clone(line["properties"].(obj))
	delete(props, "period_start")
	line["properties"] = props
	line["required"] = slices.DeleteFunc(slices.Clone(line["required"].([]string)), func(s string) bool { return s == "period_start" })
	side := output("what one ledger bills and carries", obj{
		"side":        enum("", string(billing.Utility), string(billing.Generation)),
		"total_cents": typ("integer", ""), "nem_balance_cents": typ("integer", ""),
	})
	side["required"] = []string{"side", "total_cents", "nem_balance_cents"}
	side["additionalProperties"] = true // carried export and ACC Plus credits when any
	ledger := output("one ledger's carried values (billing.LedgerState)", obj{
		"relevant_start": date("first day of the current Relevant Period"), "bills": typ("integer", "bills already in it, 0–11"),
		"delivered_wh": typ("integer", "energy delivered in it"), "received_wh": typ("integer", "energy received in it"),
		"nem_balance_cents":    typ("integer", "net-metering balance: charges deferred to the true-up (positive) or credit (negative)"),
		"minimum_paid_cents":   typ("integer", "minimum-charge top-ups paid in it, credited against the true-up charge"),
		"export_credits_cents": typ("integer", "unused Net Billing export credits"), "acc_plus_cents": typ("integer", "unused ACC Plus credits"),
	})
	ledger["required"] = []string{}
	state := output("the State carried into the next bill: the utility's and the CCA's ledgers", obj{"utility": ledger, "cca": ledger,
		"cpp_protection_net_cents": typ("integer", "peak-pricing charges less credits since bill protection began")})
	state["required"] = []string{}
	return obj{
		"OpeningBalanceRequest": input("an opening balance to seed", obj{"through": date("first day of the account's first bill in gridbook"),
			"state": state}, "through", "state"),
		"OpeningBalance": output("an opening balance seeded for an account", obj{"account_id": typ("integer", ""),
			"account_number": typ("string", ""), "through": date(""), "state": state}),
		"StoredBillSummary": output("a stored bill's totals", summary),
		"StoredBillList":    listOf("StoredBillSummary", "a page of an account's bills, newest first"),
		"StoredBill":        output("a stored bill with its document and inputs", full),
		"StoredBillLine":    line,
		"BillDocument": obj{"type": "object", "description": "the bill as the billing engine computed it",
			"required": []string{"period", "days", "delivered_wh", "received_wh", "tariff_versions", "line_items", "sides", "total_cents"},
			"properties": obj{
				"period":     output("the billing period [start, end)", obj{"start": date(""), "end": date("")}),
				"days":       typ("integer", ""),
				"line_items": arrayOf(schemaRef("StoredBillLine")),
				"sides":      arrayOf(side),
				"true_ups":   arrayOf(schemaRef("TrueUp")),
				"notes":      arrayOf(typ("string", "estimated data, approximations, what the mapping decided")),
			}},
	}
}
