package api

import (
	"net/http"

	"github.com/gridbook/gridbook/internal/billing"
)

// The billing part of the OpenAPI document (openapi.go calls
// billingOperations and merges billingSchemas).

func billingOperations(add func(path, method string, o operation)) {
	add("/bills/calc", "post", operation{id: "calcBills",
		summary: "Bill interval data on a tariff from the posted documents alone (the stateless calculator of `gridbook bill calc`); " +
			"reads and stores nothing. Bodies up to 32 MiB.",
		tag: "bills", security: tariffReadSecurity, body: "BillCalcRequest", ok: http.StatusOK, okSchema: "BillCalc",
		errs: []int{http.StatusForbidden, http.StatusConflict}})
}

func billingSchemas() obj {
	cents := func(desc string) obj { return typ("integer", desc) }
	wh := func(desc string) obj { return typ("integer", desc+" (Wh)") }
	sides := enum("ledger: the utility's, or the CCA's generation ledger", string(billing.Utility), string(billing.Generation))
	period := output("a billing period [start, end)", obj{"start": date(""), "end": date("first day after the period")})
	programs := make([]string, 0, len(billing.Programs))
	for _, p := range billing.Programs {
		programs = append(programs, string(p))
	}
	return obj{
		"BillCalcRequest": input("the documents and options of a bill calculation", obj{
			"tariff":             obj{"description": "a URDB or native tariff JSON document"},
			"intervals":          typ("string", "the interval file's text: Green Button ESPI XML, SCE or PG&E Green Button CSV, or plain CSV"),
			"export_prices":      typ("string", "NBT: the utility export-price CSV's text"),
			"export_prices_name": typ("string", "its file name, from which utility and vintage are read"),
			"sell_rates":         typ("string", "SAM mode: 8,760 hourly sell rates, $/kWh, one a line"),
			"options": input("calculation options (all optional)", obj{
				"program":             enum("", programs...),
				"start":               date("first day billed (default: the first whole day of data)"),
				"end":                 date("day after the last billed (default: the end of the data)"),
				"cycle_day":           obj{"type": "integer", "minimum": 1, "maximum": 28, "description": "meter-read day (1: calendar months)"},
				"lse":                 enum("", string(billing.Bundled), string(billing.CCA)),
				"vintage":             typ("integer", "export-price vintage"),
				"utility":             typ("string", "export-price utility"),
				"care":                typ("boolean", "CARE discount"),
				"fera":                typ("boolean", "FERA discount"),
				"care_bp":             typ("integer", "CARE discount, basis points (default 3000)"),
				"fera_bp":             typ("integer", "FERA discount, basis points (default 1800)"),
				"power_share":         typ("boolean", "CPA Power Share 20% (lse cca)"),
				"nsc_rate":            decimal("net surplus compensation, $/kWh"),
				"acc_plus":            decimal("NBT ACC Plus adder, $/kWh"),
				"unused_credits":      enum("NBT credits at the true-up", string(billing.Forfeit), string(billing.Carry)),
				"baseline_summer_kwh": decimal("summer baseline allowance, kWh/day"),
				"baseline_winter_kwh": decimal("winter baseline allowance, kWh/day"),
				"net_hourly":          typ("boolean", "sum to clock hours and net each hour first"),
				"allow_incomplete":    typ("boolean", "bill missing intervals as zero"),
				"calendar":            enum("", "real", "sam"),
				"metering":            obj{"type": "integer", "enum": []int{0, 1, 2, 4}, "description": "SAM ur_metering_option"},
			}),
		}, "tariff", "intervals"),
		"BillCalc": output("the bills of a calculation", obj{
			"total_cents": cents("sum of every bill's total"),
			"months":      arrayOf(schemaRef("BillSummary")),
			"true_up":     obj{"oneOf": []any{schemaRef("TrueUp"), obj{"type": "null"}}, "description": "the first true-up in range"},
			"true_ups":    arrayOf(schemaRef("TrueUp")),
			"line_items":  arrayOf(schemaRef("BillLine")),
			"notes":       arrayOf(typ("string", "")),
		}),
		"BillSummary": output("one billing period's totals by kind", obj{
			"start": date(""), "end": date("first day after the period"),
			"energy_charge_cents": cents("energy charges outside the non-bypassable bucket, baseline credit included"),
			"fixed_charge_cents":  cents(""), "minimum_charge_cents": cents(""), "demand_charge_cents": cents(""),
			"nbc_cents":                  cents("non-bypassable charges"),
			"export_credit_cents":        cents("export and ACC Plus credits applied (≤ 0)"),
			"discount_cents":             cents("CARE, FERA and Power Share (≤ 0)"),
			"cpp_cents":                  cents("critical-peak rider and bill protection"),
			"nem_deferred_cents":         cents("net-metering charges moved to or from the carried balance"),
			"true_up_cents":              cents("true-up charges and net surplus compensation"),
			"bill_credit_cents":          cents("one-off credits such as incentives paid on the bill (≤ 0)"),
			"total_cents":                cents("amount due for the period"),
			"delivered_wh":               wh("imported"),
			"received_wh":                wh("exported"),
			"estimated_intervals":        typ("integer", "intervals flagged estimated by the data source"),
			"export_credit_earned_cents": cents("value of the period's exports at the export prices"),
			"utility_total_cents":        cents("due to the utility"),
			"cca_total_cents":            cents("due to the CCA"),
		}),
		"BillLine": object("a line item", obj{
			"period_start": date("the billing period it belongs to"),
			"side":         sides,
			"kind":         typ("string", "energy, fixed, demand, baseline_credit, minimum, cpp_event, cpp_credit, bill_protection, discount, export_credit, acc_plus, nem_deferred, credit_applied, bill_credit, true_up or nsc"),
			"bucket":       typ("string", "delivery, generation, nbc, pcia_crs, tax or bundled"),
			"label":        typ("string", ""),
			"period":       typ("string", "TOU period name"),
			"quantity":     typ("integer", "in unit"),
			"unit":         typ("string", "Wh, W, day, month or ¢"),
			"rate":         typ("integer", "µ$ per unit, or basis points for a discount"),
			"amount_nanos": typ("integer", "exact amount, n$"),
			"amount_cents": cents("amount rounded once, half away from zero"),
		}, "period_start", "side", "kind", "label", "amount_nanos", "amount_cents"),
		"TrueUp": object("the settlement of a ledger at the end of its Relevant Period", obj{
			"side":                           sides,
			"relevant_period":                period,
			"bills":                          typ("integer", ""),
			"delivered_wh":                   wh(""),
			"received_wh":                    wh(""),
			"net_surplus_wh":                 wh("exports above imports"),
			"balance_cents":                  cents("NEM balance before settlement"),
			"charged_cents":                  cents("billed at the true-up"),
			"forfeited_cents":                cents("credit zeroed"),
			"nsc_cents":                      cents("net surplus compensation (≤ 0)"),
			"export_credits_forfeited_cents": cents(""),
			"export_credits_carried_cents":   cents(""),
		}, "side", "relevant_period", "bills", "delivered_wh", "received_wh", "net_surplus_wh", "balance_cents", "charged_cents", "forfeited_cents", "nsc_cents"),
	}
}
