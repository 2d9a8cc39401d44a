package api

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/gridbook/gridbook/internal/savings"
)

// The savings part of the OpenAPI document (openapi.go calls
// savingsOperations and merges savingsSchemas).

func savingsOperations(add func(path, method string, o operation)) {
	add("/savings/calc", "post", operation{id: "calcSavings",
		summary: "Fit a CalTRACK savings model (eemeter 3.2.0's CalTRACK 2.0 daily, billing or hourly) or the eemeter 4.x daily or billing model " +
			"to the posted meter and temperature files alone (the stateless calculator of `gridbook savings calc`): model, data sufficiency, " +
			"savings over the reporting year and its uncertainty (4.x: also the split, submodels and eemeter 4.1.1's metrics); reads and stores nothing. " +
			"Bodies up to 32 MiB.",
		tag: "savings", security: tariffReadSecurity, body: "SavingsCalcRequest", ok: http.StatusOK, okSchema: "SavingsCalc",
		errs: []int{http.StatusBadRequest, http.StatusForbidden, http.StatusConflict}})
	add("/meters/{id}/savings", "get", operation{id: "getMeterSavings",
		summary: "Fit CalTRACK daily (or CalTRACK hourly, or the eemeter 4.x daily model) to a stored meter's usage (Pacific days, net of exports; partial days scaled per CalTRACK 2.2.2.1) " +
			"and the hourly temperature of its premise's CZ2010 weather station (by ZIP), with the baseline the 365 days before " +
			"blackout_start and the reporting year from blackout_end. 404 when the station has no stored weather.",
		tag: "savings", security: readSecurity, params: []any{pathParam("id", "meter id"),
			requiredQuery("blackout_start", date(""), "first day of the intervention window"),
			requiredQuery("blackout_end", date(""), "first day of the reporting period"),
			query("fuel", enum("", string(savings.Electricity), string(savings.Gas)), "default electricity"),
			query("method", enum("", string(savings.MethodCalTRACKDaily), string(savings.MethodCalTRACKHourly), string(savings.MethodDaily)),
				"default caltrack-daily (Pacific days); caltrack-hourly models clock hours; daily is the eemeter 4.x daily model. "+
					"The billing methods are refused: stored meters are modelled on days or hours"),
			query("daily_legacy", typ("boolean", ""), "with method daily: eemeter's legacy settings (no smoothing or splits, least squares)"),
			query("daily_exact_path", typ("boolean", ""), "with method daily: follow eemeter 4.1.1's optimiser path to the last bit (slower)"),
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
				"method": enum("caltrack-daily, caltrack-billing and caltrack-hourly as eemeter 3.2.0 fits them; daily: eemeter 4.x daily model; "+
					"billing: eemeter 4.x billing model (the daily model's legacy settings on bills spread over their days)",
					string(savings.MethodCalTRACKDaily), string(savings.MethodCalTRACKBilling),
					string(savings.MethodCalTRACKHourly), string(savings.MethodDaily), string(savings.MethodBilling)),
				"daily_legacy": typ("boolean", "with method daily: eemeter's legacy settings (DailyModel(model=\"legacy\"): no smoothing, "+
					"no splits, least squares) instead of the current defaults"),
				"daily_exact_path": typ("boolean", "with method daily or billing: follow eemeter 4.1.1's optimiser path to the last bit "+
					"(several times the CPU); the default agrees with eemeter within the parity tolerances"),
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
			"method": typ("string", ""),
			"fuel":   typ("string", ""),
			"status": enum("", "SUCCESS", "NO MODEL", "NO DATA"),
			"model_type": obj{"type": "string", "pattern": modelTypePattern(),
				"description": "CalTRACK 2.0 model (intercept_only, hdd_only, cdd_only, cdd_hdd), towt for CalTRACK hourly, or the eemeter 4.x " +
					"model type (" + strings.Join(daily4Types, ", ") + "); a split 4.x model whose components differ lists their sorted types joined by +"},
			"coefficients": obj{"type": "object", "additionalProperties": obj{"type": "number"}, "description": "named as eemeter names them: " +
				"intercept, beta_hdd, heating_balance_point, beta_cdd, cooling_balance_point (CalTRACK 2.0); intercept, hdd_bp, hdd_beta, hdd_k, " +
				"cdd_bp, cdd_beta, cdd_k (4.x), prefixed component/ (e.g. wd-su_sh_wi/hdd_bp) when the 4.x model is split"},
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
			"daily_model":      dailyModelSchema(num, nnum, integer, strs),
			"eemeter4_metrics": eemeter4MetricsSchema(num, nnum, integer),
			"predictions": arrayOf(output("one period's prediction", obj{
				"start": instantSchema(""), "period": enum("", "baseline", "reporting"),
				"predicted": nnum(""), "observed": nnum(""), "base_load": nnum(""), "heating_load": nnum(""), "cooling_load": nnum(""),
			})),
		}, "method", "fuel", "status", "coefficients", "disqualifications", "warnings", "sufficiency", "baseline", "reporting", "savings"),
	}
}

// daily4Types are the model types of the eemeter 4.x daily model
// (eemeter 4.1.1 models/daily/parameters.py ModelType).
var daily4Types = []string{"hdd_tidd_cdd_smooth", "hdd_tidd_cdd", "hdd_tidd_smooth", "tidd_cdd_smooth", "hdd_tidd", "tidd_cdd", "tidd"}

// modelTypePattern matches a CalcResult's model_type: one CalTRACK 2.0
// type, towt, or one or more 4.x types joined by + (a split model).
func modelTypePattern() string {
	quote := func(ts []string) string {
		q := make([]string, len(ts))
		for i, t := range ts {
			q[i] = regexp.QuoteMeta(t)
		}
		return strings.Join(q, "|")
	}
	d := "(" + quote(daily4Types) + ")"
	return "^(" + quote([]string{savings.InterceptOnly, savings.HDDOnly, savings.CDDOnly, savings.CDDHDD, "towt"}) + "|" + d + `(\+` + d + ")*)$"
}

// dailyModelSchema describes CalcResult.Daily, the fitted eemeter 4.x daily
// model (savings.DailyModelFit).
func dailyModelSchema(num, nnum, integer func(string) obj, strs obj) obj {
	return output("the eemeter 4.x daily model (methods daily and billing): its split and one submodel per component", obj{
		"best_combination": typ("string", "the chosen split: fw-su_sh_wi is no split; components (fw every day, wd weekdays, we weekends; "+
			"su summer Jun–Sep, sh shoulder Mar–May and Oct, wi winter Nov–Feb) joined by __"),
		"combinations": strs,
		"components":   strs,
		"submodels": arrayOf(output("one component's model, as eemeter serialises it", obj{
			"component":  typ("string", "e.g. wd-su_sh_wi"),
			"model_type": enum("", daily4Types...),
			"coefficients": obj{"type": "object", "additionalProperties": obj{"type": "number"},
				"description": "intercept, hdd_bp, hdd_beta, hdd_k, cdd_bp, cdd_beta, cdd_k as the model type has them; breakpoints in °F"},
			"T_min": num("lowest daily mean temperature, °F"), "T_max": num("highest daily mean temperature, °F"),
			"T_min_seg": num("lower breakpoint bound, °F"), "T_max_seg": num("upper breakpoint bound, °F"),
			"f_unc":       nnum("prediction uncertainty of one day"),
			"evaluations": integer("objective evaluations of its fits"),
		})),
		"error": output("eemeter's info.error of the chosen split (initial fits)", obj{
			"wRMSE": nnum(""), "RMSE": nnum(""), "MAE": nnum(""), "CVRMSE": nnum(""), "PNRMSE": nnum(""),
		}),
		"baseline_wRMSE_no_split": num("the unsplit model's weighted RMSE, the split criterion's reference"),
	})
}

// eemeter4MetricsSchema describes CalcResult.Eemeter4, eemeter 4.1.1's
// BaselineMetrics and ReportingMetrics (savings.Eemeter4Metrics).
func eemeter4MetricsSchema(num, nnum, integer func(string) obj) obj {
	return output("eemeter 4.1.1's metrics (common/metrics.py) of the 4.x daily or billing model or of CalTRACK hourly; undefined values are null", obj{
		"baseline_metrics": output("BaselineMetrics of the baseline fit (billing: of calendar-month totals; hourly: of hours, the parameters being the segments' mean coefficient count)", obj{
			"n": integer(""), "num_model_params": integer("all submodels' coefficients"), "n_prime": nnum("autocorrelation-adjusted n"),
			"ddof": num(""), "ddof_autocorr": num(""), "mae": nnum(""), "nmae": nnum(""), "mbe": nnum(""), "nmbe": nnum(""),
			"rmse": nnum(""), "rmse_adj": nnum(""), "rmse_autocorr_adj": nnum(""), "cvrmse": nnum(""), "cvrmse_adj": nnum(""),
			"cvrmse_autocorr_adj": nnum(""), "pnrmse": nnum(""), "r_squared": nnum(""), "r_squared_adj": nnum(""), "mape": nnum(""),
		}),
		"reporting_metrics": output("ReportingMetrics of the reporting year at 90% confidence, two-tailed (hourly: uncertainty × 1.26 instead of the months polynomial)", obj{
			"n": integer(""), "observed_sum": num(""), "predicted_sum": num(""), "t_stat": nnum(""), "savings": num("predicted − observed"),
			"total_savings_uncertainty": nnum(""), "fsu": nnum("fractional savings uncertainty: total_savings_uncertainty ÷ savings"),
			"predicted_data_point_unc": nnum(""),
		}),
	})
}
