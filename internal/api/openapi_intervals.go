package api

import (
	"net/http"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/meterdata"
)

// The interval-data part of the OpenAPI document (openapi.go calls
// intervalOperations and merges intervalSchemas).

var intervalsWriteSecurity = []any{obj{"bearer": []string{auth.ScopeIntervalsWrite}},
	obj{"session": []string{string(auth.Admin), string(auth.ProgramManager)}}}

func intervalOperations(add func(path, method string, o operation)) {
	const bad, forbidden, notFound, conflict = http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict
	id := pathParam("id", "meter id")
	formats := append([]string{string(meterdata.FormatAuto)}, formats()...)
	file := obj{"type": "string", "description": "the interval file: Green Button ESPI XML, SCE or PG&E Green Button CSV, " +
		"or a plain CSV start,duration_s,delivered_wh,received_wh[,quality]"}
	add("/meters/{id}/intervals", "get", operation{id: "getMeterIntervals",
		summary: "Read every channel of a meter over [from, to): values with the runs of readings that are not actual",
		tag:     "meters", security: readSecurity, params: []any{id,
			requiredQuery("from", instantSchema(""), "first instant, RFC 3339 (rounded down to the interval)"),
			requiredQuery("to", instantSchema(""), "end instant, RFC 3339, exclusive; at most 400 days after from")},
		ok: 200, okSchema: "MeterSeries", errs: []int{bad, forbidden, notFound}})
	add("/meters/{id}/intervals", "post", operation{id: "importIntervals",
		summary: "Import an interval file for the meter (up to 256 MiB): each file channel goes to the meter channel of its direction " +
			"at the same interval length (nothing is resampled); intervals are added, replaced (audited) or left unchanged, so " +
			"importing a file again changes nothing. 201 when intervals changed, 200 when none did. Send multipart/form-data " +
			"with the file in field \"file\" (and optionally \"format\"), or the file as the body with its own Content-Type. " +
			"Admins, program managers and intervals:write clients.",
		tag: "meters", security: intervalsWriteSecurity,
		params: []any{id, query("format", enum("", formats...), "the file's layout (default auto: detected)")},
		bodyContent: obj{
			"multipart/form-data": obj{"schema": obj{"type": "object", "required": []string{"file"}, "properties": obj{
				"file":   obj{"type": "string", "contentMediaType": "application/octet-stream", "description": "the interval file"},
				"format": enum("the file's layout, when ?format= is not given", formats...),
			}}},
			"text/csv":             obj{"schema": file},
			"application/xml":      obj{"schema": file},
			"application/atom+xml": obj{"schema": file},
		},
		ok: 201, alsoOK: []int{http.StatusOK}, okSchema: "IntervalImport", errs: []int{forbidden, notFound, conflict}})
	add("/meters/{id}/interval-imports", "get", operation{id: "listIntervalImports",
		summary: "List a meter's interval imports, newest first (staff and registry:read clients)", tag: "meters",
		security: wideSecurity, params: append([]any{id}, pageParams...), ok: 200, okSchema: "IntervalImportList",
		errs: []int{bad, forbidden, notFound}})
}

func intervalSchemas() obj {
	counts := obj{
		"intervals": typ("integer", "readings in the file"), "added": typ("integer", "intervals stored where none was"),
		"replaced":  typ("integer", "stored intervals replaced by a different value or quality"),
		"unchanged": typ("integer", "intervals already stored with the same value and quality"),
		"gaps":      typ("integer", "missing intervals inside the file's span"), "duplicates": typ("integer", "repeated readings"),
		"overlaps": typ("integer", "clashing readings (the later in the file wins)"), "estimated": typ("integer", "estimated readings"),
	}
	with := func(props obj) obj {
		out := obj{}
		for k, v := range counts {
			out[k] = v
		}
		for k, v := range props {
			out[k] = v
		}
		return out
	}
	qualities := []string{}
	for q := meterdata.Actual; q <= meterdata.Estimated; q++ {
		qualities = append(qualities, q.String())
	}
	return obj{
		"QualityRun": output("a run of consecutive readings of one quality other than actual: values_wh[index : index+count]", obj{
			"index": typ("integer", ""), "count": typ("integer", ""), "quality": enum("", qualities[1:]...),
		}),
		"MeterSeries": output("a meter's channels over [start, end); delivered and received are never netted", obj{
			"meter_id": typ("integer", ""), "start": instantSchema(""), "end": instantSchema("exclusive"),
			"channels": arrayOf(schemaRef("Series")),
		}),
		"IntervalImport": output("what an interval import found and changed", with(obj{
			"id": typ("integer", ""), "meter_id": typ("integer", ""), "meter_serial": typ("string", ""),
			"file_name": typ("string", ""), "sha256": typ("string", "SHA-256 of the file, hex"), "bytes": typ("integer", "file size"),
			"format": enum("", formats()...), "actor": typ("string", "who imported it"), "at": instantSchema(""),
			"previous_import_id": typ("integer", "the first earlier import of a byte-identical file to this meter; 0 when none"),
			"channels": arrayOf(output("one channel's part of an import", with(obj{
				"channel_id": typ("integer", ""), "direction": enum("", "delivered", "received"),
				"net_only":         typ("boolean", "the file's values were split from net"),
				"interval_seconds": typ("integer", ""), "source": typ("string", "where in the file the readings came from"),
				"from": instantSchema("first interval"), "to": instantSchema("end of the last interval"),
				"total_wh":   typ("integer", "energy of the file's readings"),
				"by_quality": arrayOf(output("readings of one quality", obj{"label": enum("", qualities...), "n": typ("integer", "")})),
				"replacement": obj{"oneOf": []any{obj{"type": "null"}, output("the stored intervals the file replaced", obj{
					"from": instantSchema("first replaced interval"), "to": instantSchema("end of the last"),
					"intervals": typ("integer", ""), "before_wh": typ("integer", "their energy before"),
					"after_wh": typ("integer", "and after"), "before_estimated": typ("integer", "estimated among them before"),
					"after_estimated": typ("integer", "and after"),
				})}},
			}))),
		})),
		"IntervalImportList": listOf("IntervalImport", "a page of a meter's interval imports, newest first"),
	}
}

func formats() []string {
	out := []string{}
	for _, f := range meterdata.Formats {
		out = append(out, string(f))
	}
	return out
}
