package api

import (
	"net/http"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/tariff"
)

// The tariff and export-price part of the OpenAPI document (openapi.go
// calls tariffOperations and merges tariffSchemas).

var (
	tariffReadSecurity = []any{obj{"bearer": []string{auth.ScopeRegistryRead}}, obj{"bearer": []string{auth.ScopeTariffsWrite}},
		obj{"session": []string{}}}
	tariffAdminSecurity = []any{obj{"bearer": []string{auth.ScopeTariffsWrite}}, obj{"session": []string{string(auth.Admin)}}}
)

func tariffOperations(add func(path, method string, o operation)) {
	const bad, forbidden, notFound, conflict = http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict
	id := pathParam("id", "resource id")
	add("/tariffs", "get", operation{id: "listTariffs", summary: "List tariff versions", tag: "tariffs", security: tariffReadSecurity,
		params: append([]any{
			query("utility", typ("string", ""), "e.g. SCE, PG&E"),
			query("code", typ("string", ""), "rate schedule code, e.g. TOU-D-PRIME"),
			query("on", date(""), "only versions in effect on this date"),
			query("sector", typ("string", ""), "Residential, Commercial, … (any letter case)"),
		}, pageParams...), ok: 200, okSchema: "TariffSummaryList", errs: []int{bad, forbidden}})
	add("/tariffs", "post", operation{id: "importTariffs",
		summary: "Import the versions of a URDB or native tariff document (admins and tariffs:write clients); " +
			"201 when any version was added, 200 when all were already stored",
		tag: "tariffs", security: tariffAdminSecurity,
		params: []any{
			query("format", enum("", tariff.FormatURDB, tariff.FormatNative), "the document's format (default: detected)"),
			query("code", typ("string", ""), "URDB: store under this rate code instead of the one derived from the name"),
			query("holidays", enum("", tariff.HolidaysSCE, tariff.HolidaysPGE, tariff.HolidaysNone), "URDB: the holiday calendar (default by utility)"),
		},
		body: "TariffDocument", ok: 201, alsoOK: []int{http.StatusOK}, okSchema: "TariffImport", errs: []int{forbidden, conflict}})
	add("/tariffs/{id}", "get", operation{id: "getTariff", summary: "Get a tariff version in the native format, with its period grids",
		tag: "tariffs", security: tariffReadSecurity, params: []any{id}, ok: 200, okSchema: "TariffDetail", errs: []int{forbidden, notFound}})
	add("/export-prices", "get", operation{id: "listExportPrices", summary: "List Net Billing Tariff export-price tables",
		tag: "export-prices", security: tariffReadSecurity, params: append([]any{
			query("utility", typ("string", ""), "e.g. SCE"),
			query("vintage", obj{"type": "integer"}, "the vintage year"),
		}, pageParams...), ok: 200, okSchema: "ExportTableList", errs: []int{bad, forbidden}})
	add("/export-prices/{id}", "get", operation{id: "getExportPrices", summary: "Get one year of an export-price table",
		tag: "export-prices", security: tariffReadSecurity, params: []any{id,
			query("year", obj{"type": "integer"}, "the year (default: this year, or the table's nearest)")},
		ok: 200, okSchema: "ExportPrices", errs: []int{bad, forbidden, notFound}})
}

// decimal is a price written as a decimal dollar string.
func decimal(desc string) obj {
	return obj{"type": "string", "pattern": `^-?[0-9]+(\.[0-9]+)?$`, "description": desc}
}

// object is a JSON object with required and optional properties and no
// others.
func object(desc string, props obj, required ...string) obj {
	o := obj{"type": "object", "description": desc, "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func tariffSchemas() obj {
	hours := obj{"type": "array", "items": obj{"type": "integer", "minimum": 0}, "minItems": 24, "maxItems": 24}
	grid := obj{"type": "array", "items": hours, "minItems": 12, "maxItems": 12, "description": "month (January first) × hour beginning"}
	summary := obj{
		"id": typ("integer", ""), "utility": typ("string", ""), "code": typ("string", ""), "name": typ("string", ""),
		"sector": typ("string", "empty when the source does not say"), "service": typ("string", "Bundled, Delivery, Energy or empty"),
		"effective_from": date(""), "effective_to": nullableDate("first day no longer in effect; null while in effect"),
		"holidays":        enum("holiday calendar billed as weekends", tariff.HolidaysSCE, tariff.HolidaysPGE, tariff.HolidaysNone),
		"source_citation": typ("string", "tariff sheet or URDB record"), "source_url": typ("string", "empty when unknown"),
		"sha256": typ("string", "SHA-256 of the version's native JSON"), "imported_at": instantSchema(""),
	}
	detail := obj{
		"version": schemaRef("TariffVersion"),
		"period_grids": arrayOf(output("a period map as 12×24 matrices (each month from the season in force on its first day)", obj{
			"map": typ("string", ""), "periods": arrayOf(typ("string", "")), "weekday": grid, "weekend_holiday": grid,
		})),
	}
	for k, v := range summary {
		detail[k] = v
	}
	tier := object("a block of a rate; the last tier has no max", obj{
		"max": decimal("cumulative upper bound in unit"), "unit": enum("", string(tariff.KWh), string(tariff.KWhPerDay),
			string(tariff.KWhPerKW), string(tariff.KW)), "price": decimal("$ per the component's unit"),
	}, "price")
	kinds := []string{}
	for _, k := range tariff.Kinds {
		kinds = append(kinds, string(k))
	}
	buckets := []string{}
	for _, b := range tariff.Buckets {
		buckets = append(buckets, string(b))
	}
	price := obj{"delivery": decimal(""), "generation": decimal(""), "total": decimal("")}
	return obj{
		"TariffSummary":     output("a stored tariff version", summary),
		"TariffSummaryList": listOf("TariffSummary", "a page of tariff versions"),
		"TariffDetail":      output("a stored tariff version with its native document and period grids", detail),
		"TariffImport": output("what an import stored", obj{
			"added": typ("integer", "versions stored now"), "unchanged": typ("integer", "versions already stored with the same content"),
			"versions": arrayOf(schemaRef("TariffSummary")),
		}),
		"TariffDocument": obj{"type": []string{"object", "array"}, "description": "An OpenEI URDB document ({\"items\":[…]}, a list of " +
			"items or one item) or a native tariff document (one TariffVersion, a list of them, or {\"versions\":[…]}). " +
			"Every version is validated; any problem rejects the document (400 naming each field, e.g. " +
			"period_maps[0].seasons[0].weekday for a gap in the period map)."},
		"TariffVersion": object("a tariff version in the native format", obj{
			"utility": typ("string", ""), "code": typ("string", ""), "name": typ("string", ""), "sector": typ("string", ""),
			"service": typ("string", ""), "effective_from": date(""), "effective_to": date("exclusive; absent while in effect"),
			"source": object("where the numbers come from", obj{
				"citation": typ("string", ""), "url": typ("string", ""), "urdb_label": typ("string", ""), "data": typ("string", ""),
			}, "citation"),
			"holidays": enum("", tariff.HolidaysSCE, tariff.HolidaysPGE, tariff.HolidaysNone),
			"dg_rules": typ("string", "URDB's label for on-site generation"),
			"period_maps": arrayOf(object("TOU periods of every hour by date-based season", obj{
				"name": typ("string", "energy or demand"), "periods": arrayOf(typ("string", "")),
				"seasons": arrayOf(object("from MM-DD until the next season", obj{
					"name": typ("string", ""), "from": obj{"type": "string", "pattern": `^[0-9]{2}-[0-9]{2}$`},
					"weekday": hours, "weekend": hours,
				}, "name", "from", "weekday", "weekend")),
			}, "name", "periods", "seasons")),
			"components": arrayOf(object("a priced line", obj{
				"name": typ("string", ""), "kind": enum("", kinds...), "bucket": enum("", buckets...),
				"map":   typ("string", "the period map pricing it"),
				"rates": arrayOf(arrayOf(tier)), "months": arrayOf(typ("integer", "")), "price": decimal("$ per the kind's unit"),
				"window_minutes": typ("integer", "demand interval"), "note": typ("string", ""),
			}, "name", "kind", "bucket")),
			"notes": typ("string", ""),
		}, "utility", "code", "name", "effective_from", "source", "holidays", "period_maps", "components"),
		"ExportTable": output("a Net Billing Tariff export-price table (one utility and vintage)", obj{
			"id": typ("integer", ""), "utility": typ("string", ""), "vintage": typ("integer", "the year whose Avoided Cost Calculator fixes the prices"),
			"years": arrayOf(typ("integer", "")), "source": typ("string", ""), "sha256": typ("string", ""), "imported_at": instantSchema(""),
		}),
		"ExportTableList": listOf("ExportTable", "a page of export-price tables"),
		"ExportPrices": output("one year of an export-price table", obj{
			"id": typ("integer", ""), "utility": typ("string", ""), "vintage": typ("integer", ""), "years": arrayOf(typ("integer", "")),
			"source": typ("string", ""), "sha256": typ("string", ""), "imported_at": instantSchema(""),
			"holidays": typ("string", "holiday calendar priced as weekends"), "year": typ("integer", ""),
			"units": typ("string", ""), "note": typ("string", ""),
			"months": obj{"type": "array", "minItems": 12, "maxItems": 12, "items": output("one month", obj{
				"month":           obj{"type": "integer", "minimum": 1, "maximum": 12},
				"weekday":         obj{"type": "array", "minItems": 24, "maxItems": 24, "items": output("hour beginning 0-23", price)},
				"weekend_holiday": obj{"type": "array", "minItems": 24, "maxItems": 24, "items": output("hour beginning 0-23", price)},
			})},
		}),
	}
}
