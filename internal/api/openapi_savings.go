package api

import (
	"net/http"

	"github.com/gridbook/gridbook/internal/savings"
)

// The savings part of the OpenAPI document (openapi.go calls
// savingsOperations and merges savingsSchemas).

func savingsOperations(add func(path, method string, o operation)) {
	add("/savings/calc", "post", operation{id: "calcSavings",
		summary: "Fit a CalTRACK savings model to the posted meter and temperature files alone (the stateless calculator of " +
			"`gridbook savings calc`): model, data sufficiency, savings over the reporting year and its uncertainty; reads and stores nothing. " +
			"Bodies up to 32 MiB.",
		tag: "savings", security: tariffReadSecurity, body: "SavingsCalcRequest", ok: http.StatusOK, okSchema: "SavingsCalc",
		errs: []int{http.StatusBadRequest, http.StatusForbidden, http.StatusConflict}})
	add("/meters/{id}/savings", "get", operation{id: "getMeterSavings",
		summary: "Fit CalTRACK daily to a stored meter's usage (Pacific days, net of exports; partial days scaled per CalTRACK 2.2.2.1) " +
			"and the hourly temperature of its premise's CZ2010 weather station (by ZIP), with the baseline the 365 days before " +
			"blackout_start and the reporting year from blackout_end. 404 when the station has no stored weather.",
		tag: "savings", security: readSecurity, params: []any{pathParam("id", "meter id"),
			requiredQuery("blackout_start", date(""), "first day of the intervention window"),
			requiredQuery("blackout_end", date(""), "first day of the reporting period"),
			query("fuel", enum("", string(savings.Electricity), string(savings.Gas)), "default electricity"),
			query("method", enum("", string(savings.MethodCalTRACKDaily), string(savings.MethodCalTRACKHourly)), "default caltrack-daily (Pacific days); caltrack-hourly models clock hours"),
			query("max_p_value", obj{"type": "number", "minimum": 0, "maximum": 1}, "slope p-value screen (default none)"),
			query("predictions", typ("boolean", ""), "answer every day's prediction"),
		}, ok: http.StatusOK, okSchema: "MeterSavings", errs: []int{http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound}})
}

func savingsSchemas() obj {
	num := func(desc string) obj { return typ("number", desc) }
	nnum := func(desc string) obj { return nullable("number", desc) }
	integer := func(desc string) obj { return typ("integer", desc) }
	strs := arrayOf(typ("string", ""))
	span := output("a modelling period", obj{
		"start":   instantSchema("first period start"),
		"end":     instantSchema("end of the last period (the end marker's start)"),
		"periods": integer("periods with a meter value"),
	})
	return obj{
		"MeterSavings": output("a stored meter's savings and where its weather came from", obj{
			"meter_id":     integer(""),
			"premise_id":   integer(""),
			"zip":          typ("string", ""),
			"climate_zone": integer("California building climate zone"),
			"station_code": typ("string", "USAF/WBAN number of the CZ2010 station"),
			"station_name": typ("string", ""),
			"solar":        typ("boolean", "the meter exports: usage is net and negative days are allowed"),
			"result":       schemaRef("SavingsCalc"),
		}),
		"SavingsCalcRequest": input("the files and options of a savings calculation", obj{
			"meter":       typ("string", "the meter file's text: CSV start,value (eemeter's sample layout)"),
			"temperature": typ("string", "hourly temperature: CSV (dt,tempF or dt,tempC) or NOAA ISD-Lite text"),
			"options": input("calculation options", obj{
				"method": enum("", string(savings.MethodCalTRACKDaily), string(savings.MethodCalTRACKBilling),
					string(savings.MethodCalTRACKHourly), string(savings.MethodDaily)),
				"fuel":               enum("gas fits no cooling terms", string(savings.Electricity), string(savings.Gas)),
				"blackout_start":     date("first day of the intervention window; the baseline is the 365 days before it"),
				"blackout_end":       date("the reporting period is the 365 days from this day"),
				"day_boundary":       enum("utc: eemeter's sample loader (parity); local: Pacific days (default)", string(savings.DayUTC), string(savings.DayLocal)),
				"temperature_unit":   enum("unit of a CSV temperature file (default: from the column name, else F)", "F", "C", "auto"),
				"temperature_format": enum("default: detect", "csv", "isd-lite"),
				"solar":              typ("boolean", "on-site generation: negative electricity allowed"),
				"max_p_value":        obj{"type": "number", "minimum": 0, "maximum": 1, "description": "CalTRACK 2.0 slope p-value screen (0 or 1: none)"},
				"bimonthly_quirk":    typ("boolean", "eemeter 3.2.0's 35-day billing temperature window (bug compatibility)"),
				"predictions":        typ("boolean", "answer every period's prediction"),
			}, "method", "blackout_start", "blackout_end"),
		}, "meter", "temperature", "options"),
		"SavingsCalc": object("a fitted model and its savings", obj{
			"method":            typ("string", ""),
			"fuel":              typ("string", ""),
			"status":            enum("", "SUCCESS", "NO MODEL", "NO DATA"),
			"model_type":        enum("CalTRACK 2.0 model, or towt for CalTRACK hourly", savings.InterceptOnly, savings.HDDOnly, savings.CDDOnly, savings.CDDHDD, "towt"),
			"coefficients":      obj{"type": "object", "additionalProperties": obj{"type": "number"}, "description": "named as eemeter names them: intercept, beta_hdd, heating_balance_point, beta_cdd, cooling_balance_point"},
			"r_squared_adj":     num(""),
			"candidates":        output("the candidate grid", obj{"total": integer(""), "qualified": integer("")}),
			"disqualifications": strs,
			"warnings":          strs,
			"sufficiency": output("CalTRACK baseline data sufficiency", obj{
				"status": enum("", "PASS", "FAIL", "NO DATA"), "disqualifications": strs, "warnings": strs,
				"n_days_total": integer(""), "n_valid_days": integer(""), "n_valid_meter_days": integer(""),
				"n_valid_temperature_days": integer(""), "n_negative_meter_values": integer(""), "n_extreme_values": integer(""),
			}),
			"baseline":  span,
			"reporting": span,
			"baseline_metrics": output("fit metrics on baseline period totals", obj{
				"n": integer(""), "num_parameters": integer("slopes"), "observed_mean": num("mean of |observed|"),
				"observed_variance": num(""), "r_squared": nnum(""), "r_squared_adj": nnum(""), "rmse": num(""), "rmse_adj": num(""),
				"cvrmse": num(""), "cvrmse_adj": num(""), "nmae": num(""), "nmbe": num(""), "autocorr_resid": nnum(""), "n_prime": nnum(""),
			}),
			"savings": output("sums over reporting periods with both values; savings = predicted − observed", obj{
				"periods": integer(""), "predicted_sum": num(""), "observed_sum": num(""), "savings": num(""),
				"counterfactual_base_load_sum": num(""), "counterfactual_heating_load_sum": num(""),
				"counterfactual_cooling_load_sum": num(""), "percent_savings": num(""),
			}),
			"uncertainty": object("savings uncertainty", obj{
				"eemeter3_error_bands": output("eemeter 3.x 90% bands", obj{
					"fsu_error_band": num(""), "ols_error_band": num(""), "ols_model_error": num(""), "ols_noise": num(""),
				}),
				"fsu": num("fractional savings uncertainty: FSU band ÷ savings"),
			}),
			"segments": arrayOf(output("a CalTRACK hourly segment", obj{
				"name": typ("string", "e.g. dec-jan-feb-weighted"), "model_params": obj{"type": "object", "additionalProperties": obj{"type": "number"},
					"description": "C(hour_of_week)[h], bin_<i>_occupied, bin_<i>_unoccupied as eemeter names them"},
				"occupied_bin_endpoints": arrayOf(num("")), "unoccupied_bin_endpoints": arrayOf(num("")),
				"occupied_hours_of_week": integer(""), "rows": integer(""),
			})),
			"predictions": arrayOf(output("one period's prediction", obj{
				"start": instantSchema(""), "period": enum("", "baseline", "reporting"),
				"predicted": nnum(""), "observed": nnum(""), "base_load": nnum(""), "heating_load": nnum(""), "cooling_load": nnum(""),
			})),
		}, "method", "fuel", "status", "coefficients", "disqualifications", "warnings", "sufficiency", "baseline", "reporting", "savings"),
	}
}
