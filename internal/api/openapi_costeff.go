package api

import "net/http"

// The cost-effectiveness part of the OpenAPI document (openapi.go calls
// costeffOperations and merges costeffSchemas).

func costeffOperations(add func(path, method string, o operation)) {
	add("/costeff/first-year", "get", operation{id: "getCosteffSeedTable",
		summary: "The seed's PG&E 2015 residential portfolio as cost per first-year kWh (budget ÷ first-year kWh; below $1 to the cent, " +
			"from $1 to the dime; N/A for missing data) against the retail price ($0.17, or ?retail=).",
		tag: "costeff", security: tariffReadSecurity, params: []any{query("retail", typ("string", ""), "retail price, $/kWh")},
		ok: http.StatusOK, okSchema: "FirstYearTable", errs: []int{http.StatusBadRequest, http.StatusForbidden}})
	add("/costeff/first-year", "post", operation{id: "calcCosteffFirstYear",
		summary: "Cost per first-year kWh of posted program records (CSV program,budget_usd,first_year_kwh[,source]); reads and stores nothing.",
		tag:     "costeff", security: tariffReadSecurity, body: "FirstYearRequest", ok: http.StatusOK, okSchema: "FirstYearTable",
		errs: []int{http.StatusBadRequest, http.StatusForbidden, http.StatusConflict}})
	add("/costeff/calc", "post", operation{id: "calcCosteff",
		summary: "CPUC cost-effectiveness tests (TRC, PAC, RIM, SCT, TSB, levelized cost) of posted measure claims in the CET's CEDARS " +
			"layout and program costs; reads and stores nothing. Bodies up to 32 MiB.",
		tag: "costeff", security: tariffReadSecurity, body: "CosteffCalcRequest", ok: http.StatusOK, okSchema: "CosteffEvaluation",
		errs: []int{http.StatusBadRequest, http.StatusForbidden, http.StatusConflict}})
}

func costeffSchemas() obj {
	num := func(desc string) obj { return typ("number", desc) }
	nnum := func(desc string) obj { return nullable("number", desc) }
	claimProps := obj{
		"ce_input_id": typ("string", ""), "prg_id": typ("string", ""),
		"first_year_gross_kwh": num(""), "first_year_net_kwh": num(""), "first_year_net_therm": num(""),
		"lifecycle_net_kwh": num(""), "lifecycle_net_therm": num(""), "pv_net_kwh": num(""), "pv_net_therm": num(""),
		"elec_benefits": num("$ PV"), "gas_benefits": num("$ PV"), "elec_benefits_sct": num(""), "gas_benefits_sct": num(""),
		"bill_reduction": num("lost revenue, $ PV (RIM)"), "incentives": num(""), "gross_measure_cost": num(""),
		"excess_incentives": num(""), "admin_allocated": num("program costs allocated by benefits"),
		"pac_cost": num(""), "trc_cost": num(""), "sct_cost": num(""), "rim_cost": num(""),
	}
	resultProps := obj{"name": typ("string", "program id or portfolio"), "trc_ratio": nnum(""), "pac_ratio": nnum(""), "rim_ratio": nnum(""),
		"sct_ratio": nnum(""), "tsb": num("total system benefit, $"), "elec_share": num(""),
		"levelized_trc_usd_per_kwh": nnum(""), "levelized_pac_usd_per_kwh": nnum(""), "levelized_trc_usd_per_therm": nnum(""),
		"levelized_pac_usd_per_therm": nnum(""), "pac_usd_per_first_year_net_kwh": nnum("the first-year metric, not levelized")}
	for k, v := range claimProps {
		resultProps[k] = v
	}
	return obj{
		"FirstYearTable": output("cost per first-year kWh by program", obj{
			"title": typ("string", ""), "metric": enum("", "$ per first-year kWh"), "retail_usd_per_kwh": typ("string", ""),
			"programs": arrayOf(object("one program", obj{
				"name": typ("string", ""), "budget_cents": nullable("integer", "null when not reported"),
				"first_year_kwh": nullable("integer", "null when not reported"), "source": typ("string", ""),
				"available": typ("boolean", "false: N/A"), "exact_usd_per_kwh": typ("string", "exact to 12 places"),
				"usd_per_first_year_kwh": typ("string", "as the seed's table rounds it, or N/A"), "above_retail": typ("boolean", ""),
			}, "name", "budget_cents", "first_year_kwh", "available", "usd_per_first_year_kwh", "above_retail")),
		}),
		"FirstYearRequest": input("program records", obj{
			"title": typ("string", ""), "programs": typ("string", "CSV program,budget_usd,first_year_kwh[,source]"),
			"retail_usd_per_kwh": typ("string", "e.g. 0.17"),
		}, "programs", "retail_usd_per_kwh"),
		"CosteffCalcRequest": input("claims, program costs and settings", obj{
			"claims":        typ("string", "CSV in the CET's CEDARS claim layout (CEInputID, PrgID, NumUnits, EUL_Yrs, …)"),
			"program_costs": typ("string", "CSV PrgID,Year and cost categories (AdminCostsOverheadAndGA, MarketingOutreach, EMVSpending, …)"),
			"settings": input("discount rates and avoided costs", obj{
				"discount_rate": num("annual Ra, e.g. 0.075"), "quarterly_rate": typ("string", "a rate, exact or flexvalue (default exact)"),
				"societal_discount_rate": num(""), "first_year": typ("integer", "0: no installation-quarter discount"),
				"avoided_elec_usd_per_kwh":  typ("string", "one value or one per year, comma-separated"),
				"avoided_gas_usd_per_therm": typ("string", ""), "retail_elec_usd_per_kwh": num(""), "retail_gas_usd_per_therm": num(""),
				"acc_version": typ("string", "stamped on the result"),
			}, "discount_rate", "acc_version"),
		}, "claims", "settings"),
		"CosteffEvaluation": output("cost-effectiveness of claims, programs and portfolio", obj{
			"settings": output("how it was computed", obj{
				"discount_rate": num(""), "quarterly_rate": num(""), "quarterly_rate_source": typ("string", ""),
				"societal_discount_rate": num(""), "first_year": typ("integer", ""), "acc_version": typ("string", ""), "annuity": typ("string", ""),
			}),
			"claims":    arrayOf(output("one claim", claimProps)),
			"programs":  arrayOf(output("one program", resultProps)),
			"portfolio": output("the portfolio", resultProps),
		}),
	}
}
