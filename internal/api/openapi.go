package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/gridbook/gridbook/internal/auth"
)

// The OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1.0) is built
// from Go values here, next to the handlers it describes, and served at
// GET /api/v1/openapi.json. TestOpenAPICoversRoutes checks that it lists
// exactly the served routes, and every test response is validated against
// it.

// obj is a JSON object in the document.
type obj = map[string]any

func (h *handler) openAPI(w http.ResponseWriter, _ *http.Request, _ *principal) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(h.openapi) // a failed write means the client left
}

// mustOpenAPI renders the document; it panics only on a programming error
// (a value encoding/json cannot marshal).
func mustOpenAPI() []byte {
	b, err := json.MarshalIndent(openAPIDoc(), "", "  ")
	if err != nil {
		panic("api: OpenAPI document: " + err.Error())
	}
	return append(b, '\n')
}

func ref(kind, name string) obj { return obj{"$ref": "#/components/" + kind + "/" + name} }
func schemaRef(name string) obj { return ref("schemas", name) }

func typ(t string, desc string) obj {
	o := obj{"type": t}
	if desc != "" {
		o["description"] = desc
	}
	return o
}

// nullable allows null besides the schema's type (JSON Schema 2020-12
// type arrays, as OpenAPI 3.1 uses).
func nullable(t string, desc string) obj {
	o := obj{"type": []string{t, "null"}}
	if desc != "" {
		o["description"] = desc
	}
	return o
}

func enum(desc string, values ...string) obj {
	return obj{"type": "string", "enum": values, "description": desc}
}

func date(desc string) obj {
	return obj{"type": "string", "format": "date", "pattern": `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, "description": desc}
}

func nullableDate(desc string) obj {
	return obj{"type": []string{"string", "null"}, "format": "date", "pattern": `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, "description": desc}
}

func instantSchema(desc string) obj {
	return obj{"type": "string", "format": "date-time", "description": desc}
}

func arrayOf(items obj) obj { return obj{"type": "array", "items": items} }

// output is a response object: every property always present, no others.
func output(desc string, props obj) obj {
	req := make([]string, 0, len(props))
	for k := range props {
		req = append(req, k)
	}
	return obj{"type": "object", "description": desc, "properties": props, "required": slices.Sorted(slices.Values(req)), "additionalProperties": false}
}

// input is a request object: the listed properties required, no others
// allowed.
func input(desc string, props obj, required ...string) obj {
	o := obj{"type": "object", "description": desc, "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func listOf(item, desc string) obj {
	return output(desc, obj{
		"data":        arrayOf(schemaRef(item)),
		"next_cursor": nullable("string", "pass as ?after= for the next page; null on the last page"),
	})
}

func query(name string, schema obj, desc string) obj {
	return obj{"name": name, "in": "query", "required": false, "schema": schema, "description": desc}
}

func requiredQuery(name string, schema obj, desc string) obj {
	return obj{"name": name, "in": "query", "required": true, "schema": schema, "description": desc}
}

func pathParam(name, desc string) obj {
	return obj{"name": name, "in": "path", "required": true, "schema": obj{"type": "integer", "minimum": 1}, "description": desc}
}

var pageParams = []any{ref("parameters", "after"), ref("parameters", "limit")}

func jsonContent(schema obj) obj {
	return obj{"application/json": obj{"schema": schema}}
}

// security requirements. For schemes other than OAuth the array lists the
// roles or scopes required (OpenAPI 3.1 §4.8.30).
var (
	readSecurity  = []any{obj{"bearer": []string{auth.ScopeRegistryRead}}, obj{"session": []string{}}}
	writeSecurity = []any{obj{"bearer": []string{auth.ScopeRegistryWrite}}, obj{"session": []string{string(auth.Admin), string(auth.ProgramManager)}}}
	staffSecurity = []any{obj{"session": []string{string(auth.Admin), string(auth.ProgramManager), string(auth.Analyst)}}}
	wideSecurity  = []any{obj{"bearer": []string{auth.ScopeRegistryRead}}, obj{"session": []string{string(auth.Admin), string(auth.ProgramManager), string(auth.Analyst)}}}
)

// operation describes one endpoint. ok is the success status and its
// schema; errs are the problem statuses it can answer besides 401, 500 and
// (for operations with a body) 413.
type operation struct {
	id, summary, tag string
	security         []any
	params           []any
	body             string // request schema name, "" for none
	bodyContent      obj    // request content by media type, when not JSON
	ok               int
	alsoOK           []int // other success statuses answering okSchema
	okSchema         string
	errs             []int
}

func (o operation) render(method string) obj {
	resp := obj{strconv.Itoa(o.ok): obj{"description": http.StatusText(o.ok), "content": jsonContent(schemaRef(o.okSchema))}}
	for _, c := range o.alsoOK {
		resp[strconv.Itoa(c)] = obj{"description": http.StatusText(c), "content": jsonContent(schemaRef(o.okSchema))}
	}
	errs := append([]int{http.StatusUnauthorized, http.StatusInternalServerError}, o.errs...)
	if o.body != "" || o.bodyContent != nil {
		errs = append(errs, http.StatusBadRequest, http.StatusRequestEntityTooLarge)
	}
	if o.security == nil {
		errs = []int{http.StatusInternalServerError}
	}
	for _, c := range errs {
		resp[strconv.Itoa(c)] = ref("responses", strconv.Itoa(c))
	}
	out := obj{"operationId": o.id, "summary": o.summary, "tags": []string{o.tag}, "responses": resp}
	if o.security != nil {
		out["security"] = o.security
	} else {
		out["security"] = []any{}
	}
	params := o.params
	if method == "post" {
		params = append(params, ref("parameters", "idempotency_key"))
	}
	if len(params) > 0 {
		out["parameters"] = params
	}
	if o.body != "" {
		out["requestBody"] = obj{"required": true, "content": jsonContent(schemaRef(o.body))}
	}
	if o.bodyContent != nil {
		out["requestBody"] = obj{"required": true, "content": o.bodyContent}
	}
	return out
}

func openAPIDoc() obj {
	const (
		bad, forbidden, notFound, conflict = http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict
	)
	id := pathParam("id", "resource id")
	paths := obj{}
	add := func(path, method string, o operation) {
		item, _ := paths[path].(obj)
		if item == nil {
			item = obj{}
			paths[path] = item
		}
		item[method] = o.render(method)
	}

	add("/openapi.json", "get", operation{id: "openapi", summary: "This OpenAPI 3.1 document", tag: "meta", ok: 200, okSchema: "OpenAPIDocument"})

	add("/customers", "get", operation{id: "listCustomers", summary: "List customers", tag: "customers", security: readSecurity,
		params: append([]any{
			query("q", typ("string", ""), "case-insensitive substring of the name, email, phone, an account number or a premise address"),
			query("kind", enum("", "person", "organization"), "person or organization"),
		}, pageParams...), ok: 200, okSchema: "CustomerList", errs: []int{bad, forbidden}})
	add("/customers", "post", operation{id: "createCustomer", summary: "Create a customer", tag: "customers", security: writeSecurity,
		body: "CustomerInput", ok: 201, okSchema: "Customer", errs: []int{forbidden, conflict}})
	add("/customers/{id}", "get", operation{id: "getCustomer", summary: "Get a customer", tag: "customers", security: readSecurity,
		params: []any{id}, ok: 200, okSchema: "Customer", errs: []int{forbidden, notFound}})
	add("/customers/{id}", "put", operation{id: "putCustomer", summary: "Replace a customer", tag: "customers", security: writeSecurity,
		params: []any{id}, body: "CustomerInput", ok: 200, okSchema: "Customer", errs: []int{forbidden, notFound, conflict}})

	add("/premises", "get", operation{id: "listPremises", summary: "List premises", tag: "premises", security: readSecurity,
		params: append([]any{
			query("zip", typ("string", ""), "5-digit ZIP code"),
			query("member_agency", typ("string", ""), "CCA member agency"),
			query("dac", typ("boolean", ""), "in an SB 535 disadvantaged community"),
			query("hftd_tier", obj{"type": "integer", "minimum": 0, "maximum": 3}, "CPUC High Fire-Threat District tier"),
		}, pageParams...), ok: 200, okSchema: "PremiseList", errs: []int{bad, forbidden}})
	add("/premises", "post", operation{id: "createPremise", summary: "Create a premise", tag: "premises", security: writeSecurity,
		body: "PremiseInput", ok: 201, okSchema: "Premise", errs: []int{forbidden, conflict}})
	add("/premises/{id}", "get", operation{id: "getPremise", summary: "Get a premise", tag: "premises", security: readSecurity,
		params: []any{id}, ok: 200, okSchema: "Premise", errs: []int{forbidden, notFound}})
	add("/premises/{id}", "put", operation{id: "putPremise", summary: "Replace a premise", tag: "premises", security: writeSecurity,
		params: []any{id}, body: "PremiseInput", ok: 200, okSchema: "Premise", errs: []int{forbidden, notFound, conflict}})

	add("/accounts", "get", operation{id: "listAccounts", summary: "List service accounts", tag: "accounts", security: readSecurity,
		params: append([]any{
			query("customer_id", obj{"type": "integer", "minimum": 0}, "held by this customer"),
			query("premise_id", obj{"type": "integer", "minimum": 0}, "at this premise"),
			query("class", enum("", "residential", "commercial", "agricultural", "municipal"), "customer class"),
			query("lse", enum("", "cca", "bundled"), "load-serving side"),
			query("rate_schedule", typ("string", ""), "rate schedule code, e.g. TOU-D-4-9PM"),
			query("member_agency", typ("string", ""), "member agency of the premise"),
			query("dac", typ("boolean", ""), "premise in an SB 535 disadvantaged community"),
			query("program", typ("string", ""), "enrolled in this program (e.g. care) on the date `on`"),
			query("on", date(""), "date for `program` (default today, Pacific time)"),
			query("number", typ("string", ""), "account number prefix"),
		}, pageParams...), ok: 200, okSchema: "AccountList", errs: []int{bad, forbidden}})
	add("/accounts", "post", operation{id: "createAccount", summary: "Create a service account", tag: "accounts", security: writeSecurity,
		body: "AccountInput", ok: 201, okSchema: "Account", errs: []int{forbidden, conflict}})
	add("/accounts/{id}", "get", operation{id: "getAccount", summary: "Get a service account", tag: "accounts", security: readSecurity,
		params: []any{id}, ok: 200, okSchema: "Account", errs: []int{forbidden, notFound}})
	add("/accounts/{id}", "put", operation{id: "putAccount", summary: "Replace a service account", tag: "accounts", security: writeSecurity,
		params: []any{id}, body: "AccountInput", ok: 200, okSchema: "Account", errs: []int{forbidden, notFound, conflict}})

	add("/accounts/{id}/enrollments", "get", operation{id: "listEnrollments", summary: "List an account's program enrollments, oldest first (one page)",
		tag: "enrollments", security: readSecurity, params: []any{id}, ok: 200, okSchema: "EnrollmentList", errs: []int{bad, forbidden, notFound}})
	add("/accounts/{id}/enrollments", "post", operation{id: "createEnrollment", summary: "Enroll an account in a program",
		tag: "enrollments", security: writeSecurity, params: []any{id}, body: "EnrollmentInput", ok: 201, okSchema: "Enrollment",
		errs: []int{forbidden, notFound, conflict}})
	add("/accounts/{id}/enrollments/{eid}/end", "post", operation{id: "endEnrollment", summary: "End an enrollment",
		tag: "enrollments", security: writeSecurity, params: []any{id, pathParam("eid", "enrollment id")}, body: "EnrollmentEnd",
		ok: 200, okSchema: "Enrollment", errs: []int{forbidden, notFound, conflict}})

	add("/meters", "get", operation{id: "listMeters", summary: "List meters with their channels", tag: "meters", security: readSecurity,
		params: append([]any{
			query("account_id", obj{"type": "integer", "minimum": 0}, "measuring this account"),
			query("serial", typ("string", ""), "meter serial"),
		}, pageParams...), ok: 200, okSchema: "MeterList", errs: []int{bad, forbidden}})
	add("/meters", "post", operation{id: "createMeter", summary: "Create a meter with its channels", tag: "meters", security: writeSecurity,
		body: "MeterInput", ok: 201, okSchema: "Meter", errs: []int{forbidden, conflict}})
	add("/meters/{id}", "get", operation{id: "getMeter", summary: "Get a meter with its channels", tag: "meters", security: readSecurity,
		params: []any{id}, ok: 200, okSchema: "Meter", errs: []int{forbidden, notFound}})
	add("/meters/{id}", "put", operation{id: "putMeter", summary: "Replace a meter (its interval is fixed; channels may be added, not removed)",
		tag: "meters", security: writeSecurity, params: []any{id}, body: "MeterInput", ok: 200, okSchema: "Meter",
		errs: []int{forbidden, notFound, conflict}})
	add("/meters/{id}/channels/{cid}/intervals", "get", operation{id: "getIntervals", summary: "Read a channel's interval readings over [from, to)",
		tag: "meters", security: readSecurity, params: []any{id, pathParam("cid", "channel id"),
			requiredQuery("from", instantSchema(""), "first instant, RFC 3339 (rounded down to the interval)"),
			requiredQuery("to", instantSchema(""), "end instant, RFC 3339, exclusive; at most 400 days after from")},
		ok: 200, okSchema: "Series", errs: []int{bad, forbidden, notFound}})
	intervalOperations(add)

	tariffOperations(add)
	drOperations(add)
	incentiveOperations(add)
	incentiveTrackingOperations(add)
	nemOperations(add)
	billingOperations(add)
	storedBillOperations(add)
	savingsOperations(add)
	costeffOperations(add)
	estimateOperation(add)
	rpsOperations(add)

	add("/audit", "get", operation{id: "listAudit", summary: "Read the audit log, newest first (staff users only)", tag: "audit",
		security: staffSecurity, params: append([]any{
			query("entity", typ("string", ""), "customer, premise, account, meter, enrollment, user, …"),
			query("entity_id", typ("string", ""), "the entity's id"),
		}, pageParams...), ok: 200, okSchema: "AuditList", errs: []int{bad, forbidden}})
	add("/portfolio", "get", operation{id: "getPortfolio", summary: "Count the accounts in service on a date (staff and API clients)",
		tag: "portfolio", security: wideSecurity, params: []any{query("on", date(""), "the date (default today, Pacific time)")},
		ok: 200, okSchema: "Portfolio", errs: []int{bad, forbidden}})

	return obj{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
		"info": obj{
			"title":   "gridbook API",
			"version": "1",
			"description": "The customer registry of a California load-serving entity: customers, premises, service accounts, " +
				"meters and their interval readings, program enrollments, tariff versions and export-price tables, the audit log " +
				"and portfolio counts.\n\n" +
				"Field names are snake_case; money is integer cents in *_cents fields; dates are YYYY-MM-DD; instants are RFC 3339 UTC. " +
				"Lists page by cursor (?after=<next_cursor>&limit=1..200, default 50). POST creates and PUT replaces a whole " +
				"resource (absent optional fields become empty). Bodies are decoded strictly (unknown fields, malformed JSON, " +
				"wrong types: 400 naming the field; over 1 MiB: 413). Every POST honours Idempotency-Key: a retry with the same " +
				"key and body replays the stored response (header Idempotent-Replayed: true); the same key with another body is 409. " +
				"Errors are application/problem+json (RFC 9457). Customer users see only their own accounts and those accounts' " +
				"customer, premise, meters and enrollments; anything else is 404.",
		},
		"servers":  []any{obj{"url": Prefix}},
		"security": readSecurity,
		"tags": []any{
			obj{"name": "customers"}, obj{"name": "premises"}, obj{"name": "accounts"}, obj{"name": "enrollments"},
			obj{"name": "meters"}, obj{"name": "registry"}, obj{"name": "rps"}, obj{"name": "audit"}, obj{"name": "portfolio"}, obj{"name": "meta"},
			obj{"name": "tariffs"}, obj{"name": "export-prices"}, obj{"name": "bills"}, obj{"name": "demand-response"}, obj{"name": "signals"}, obj{"name": "ev"}, obj{"name": "savings"}, obj{"name": "costeff"},
		},
		"paths":      paths,
		"components": components(),
	}
}

func components() obj {
	problem := func(desc string) obj {
		return obj{"description": desc, "content": obj{problemContentType: obj{"schema": schemaRef("Problem")}}}
	}
	return obj{
		"securitySchemes": obj{
			"bearer": obj{"type": "http", "scheme": "bearer",
				"description": "An API client's token. Reading needs scope registry:read, changing needs registry:write; " +
					"importing tariffs needs tariffs:write (which also reads tariffs and export prices); uploading interval data needs intervals:write."},
			"session": obj{"type": "apiKey", "in": "cookie", "name": auth.SessionCookie,
				"description": "The console's session. Admins and program managers read and write; analysts read; " +
					"customer users read their own accounts only."},
		},
		"parameters": obj{
			"after": obj{"name": "after", "in": "query", "required": false, "schema": obj{"type": "string", "pattern": "^[0-9]+$"},
				"description": "the next_cursor of the previous page"},
			"limit": obj{"name": "limit", "in": "query", "required": false,
				"schema":      obj{"type": "integer", "minimum": 1, "maximum": maxLimit, "default": defaultLimit},
				"description": "page size"},
			"idempotency_key": obj{"name": "Idempotency-Key", "in": "header", "required": false,
				"schema":      obj{"type": "string", "minLength": 1, "maxLength": maxKeyLength},
				"description": "makes a retried POST safe: the same key and body replay the first response"},
		},
		"responses": obj{
			"400": problem("Invalid input; errors lists each field"),
			"401": problem("No or unknown credentials"),
			"403": problem("The caller may not do this"),
			"404": problem("Not found, or not visible to the caller"),
			"409": problem("Conflicts with the current state (duplicate, overlap, reused Idempotency-Key)"),
			"413": problem("The request body is larger than 1 MiB (or the larger limit the operation names)"),
			"500": problem("Internal error"),
		},
		"schemas": schemas(),
	}
}

func schemas() obj {
	created := instantSchema("when the record was created")
	updated := instantSchema("when the record was last changed")
	counts := arrayOf(schemaRef("Count"))
	s := tariffSchemas()
	maps.Copy(s, incentiveSchemas())
	maps.Copy(s, incentiveTrackingSchemas())
	maps.Copy(s, billingSchemas())
	maps.Copy(s, drSchemas())
	maps.Copy(s, evVehicleSchemas())
	maps.Copy(s, nemSchemas())
	maps.Copy(s, storedBillSchemas())
	maps.Copy(s, savingsSchemas())
	maps.Copy(s, costeffSchemas())
	maps.Copy(s, intervalSchemas())
	maps.Copy(s, rpsSchemas())
	maps.Copy(s, energyTeamSchemas())
	maps.Copy(s, obj{
		"OpenAPIDocument": obj{"type": "object", "description": "an OpenAPI 3.1 document"},
		"Problem": obj{"type": "object", "description": "RFC 9457 problem details",
			"required": []string{"type", "title", "status", "detail", "instance"}, "additionalProperties": false,
			"properties": obj{
				"type":     typ("string", "always about:blank"),
				"title":    typ("string", "the HTTP status phrase"),
				"status":   typ("integer", "the HTTP status code"),
				"detail":   typ("string", "what went wrong"),
				"instance": typ("string", "the request path"),
				"errors": arrayOf(obj{"type": "object", "required": []string{"field", "message"}, "additionalProperties": false,
					"properties": obj{"field": typ("string", "JSON field, query parameter or header"), "message": typ("string", "")}}),
			}},
		"Customer": output("a person or organization holding service accounts", obj{
			"id": typ("integer", ""), "kind": enum("", "person", "organization"), "name": typ("string", ""),
			"email": typ("string", "empty when unknown"), "phone": typ("string", "empty when unknown"),
			"mailing_address": typ("string", "free text; empty when unknown"), "created_at": created, "updated_at": updated,
		}),
		"CustomerInput": input("a customer to create or the whole of one to replace", obj{
			"kind": enum("", "person", "organization"), "name": typ("string", "at most 200 characters"),
			"email": typ("string", "optional"), "phone": typ("string", "optional, 7 to 20 digits"),
			"mailing_address": typ("string", "optional, at most 500 characters"),
		}, "kind", "name"),
		"CustomerList": listOf("Customer", "a page of customers"),
		"Premise": output("a service location with attributes derived from reference tables", obj{
			"id": typ("integer", ""), "address": typ("string", ""), "city": typ("string", ""), "zip": typ("string", ""),
			"county_fips": typ("string", "5 digits"), "member_agency": typ("string", ""),
			"tract_geoid":           typ("string", "2010 census tract, 11 digits; empty when unknown"),
			"climate_zone":          obj{"type": "integer", "minimum": 1, "maximum": 16},
			"climate_zone_override": typ("boolean", "true when staff set the zone instead of the ZIP table"),
			"climate_zone_reason":   typ("string", ""), "climate_zone_table": typ("string", "reference table that decided the zone"),
			"dac": typ("boolean", "SB 535 disadvantaged community"), "dac_category": typ("string", ""),
			"dac_table": typ("string", "reference table that decided DAC status"),
			"hftd_tier": obj{"type": "integer", "minimum": 0, "maximum": 3}, "home": schemaRef("Home"),
			"created_at": created, "updated_at": updated,
		}),
		"PremiseInput": input("a premise to create or the whole of one to replace", obj{
			"address": typ("string", ""), "city": typ("string", ""),
			"zip":                 typ("string", "a California ZIP in the climate-zone table, in county_fips (Census 2010 ZCTA–county file)"),
			"county_fips":         typ("string", "California county FIPS, e.g. 06037"),
			"member_agency":       typ("string", "optional; a member agency of the reference table, in county_fips"),
			"tract_geoid":         typ("string", "optional 2010 census tract GEOID in the premise's county; in Los Angeles and Ventura one of their 2010 tracts"),
			"climate_zone":        obj{"type": "integer", "minimum": 1, "maximum": 16, "description": "overrides the ZIP's zone; needs climate_zone_reason"},
			"climate_zone_reason": typ("string", ""),
			"hftd_tier":           obj{"type": "integer", "minimum": 0, "maximum": 3, "description": "default 0 (outside)"},
			"home":                schemaRef("HomeInput"),
		}, "address", "city", "zip", "county_fips"),
		"PremiseList": listOf("Premise", "a page of premises"),
		"Account": output("a service account", obj{
			"id": typ("integer", ""), "number": typ("string", "utility account number, 6 to 20 digits"),
			"customer_id": typ("integer", ""), "premise_id": typ("integer", ""),
			"class":         enum("", "residential", "commercial", "agricultural", "municipal"),
			"rate_schedule": typ("string", ""), "lse": enum("", "cca", "bundled"),
			"service_start": date(""), "service_end": nullableDate("first day out of service; null while in service"),
			"household_size":         nullable("integer", "persons; null when not reported"),
			"household_income_cents": nullable("integer", "gross annual household income in cents; null when not reported"),
			"income_verification":    obj{"type": []string{"string", "null"}, "enum": []any{"self_attested", "documents", "categorical", "utility", nil}},
			"income_verified_on":     nullableDate(""),
			"created_at":             created, "updated_at": updated,
		}),
		"AccountInput": input("a service account to create or the whole of one to replace", obj{
			"number": typ("string", "6 to 20 digits"), "customer_id": typ("integer", ""), "premise_id": typ("integer", ""),
			"class":         enum("", "residential", "commercial", "agricultural", "municipal"),
			"rate_schedule": typ("string", "e.g. TOU-D-4-9PM"), "lse": enum("", "cca", "bundled"),
			"service_start": date(""), "service_end": date("optional; after service_start"),
			"household_size":         obj{"type": "integer", "minimum": 1, "maximum": 30, "description": "with household_income_cents"},
			"household_income_cents": obj{"type": "integer", "minimum": 0, "description": "with household_size"},
			"income_verification":    enum("required with household_income_cents", "self_attested", "documents", "categorical", "utility"),
			"income_verified_on":     date("optional"),
		}, "number", "customer_id", "premise_id", "class", "rate_schedule", "lse", "service_start"),
		"AccountList": listOf("Account", "a page of service accounts"),
		"Enrollment": output("an account's participation in a program over [start_date, end_date)", obj{
			"id": typ("integer", ""), "account_id": typ("integer", ""), "program": typ("string", "e.g. care, fera, medical_baseline"),
			"track": typ("string", ""), "start_date": date(""), "end_date": nullableDate("null while the enrollment continues"),
			"source": typ("string", "who enrolled the account"), "note": typ("string", ""), "created_at": created,
		}),
		"EnrollmentInput": input("an enrollment starting within the account's service; care, fera and medical_baseline only on residential "+
			"accounts; CARE and FERA periods may not overlap, and CARE or FERA needs a note when the household fails the income test on start_date", obj{
			"program": typ("string", "lower-case code"), "track": typ("string", "optional"), "start_date": date(""),
			"end_date": date("optional; first day no longer enrolled"), "source": typ("string", "default staff (users) or api (clients)"),
			"note": typ("string", ""),
		}, "program", "start_date"),
		"EnrollmentEnd":  input("ends a continuing enrollment", obj{"end_date": date("first day no longer enrolled")}, "end_date"),
		"EnrollmentList": listOf("Enrollment", "an account's enrollments, all on one page"),
		"Channel": output("one measured quantity of a meter", obj{
			"id": typ("integer", ""), "direction": enum("", "delivered", "received"),
			"interval_seconds": obj{"type": "integer", "enum": []int{300, 900, 1800, 3600}}, "net_only": typ("boolean", ""),
		}),
		"Meter": output("a meter with its channels", obj{
			"id": typ("integer", ""), "account_id": typ("integer", ""), "serial": typ("string", ""),
			"interval_seconds": obj{"type": "integer", "enum": []int{300, 900, 1800, 3600}}, "installed": date(""),
			"removed": nullableDate("null while installed"), "channels": arrayOf(schemaRef("Channel")),
		}),
		"MeterInput": input("a meter to create or the whole of one to replace", obj{
			"account_id": typ("integer", ""), "serial": typ("string", "3 to 32 letters, digits or dashes"),
			"interval_seconds": obj{"type": "integer", "enum": []int{300, 900, 1800, 3600}}, "installed": date(""),
			"removed": date("optional"),
			"channels": arrayOf(input("a channel; interval_seconds defaults to the meter's", obj{
				"direction": enum("", "delivered", "received"), "interval_seconds": typ("integer", ""), "net_only": typ("boolean", ""),
			}, "direction")),
		}, "account_id", "serial", "interval_seconds", "installed"),
		"MeterList": listOf("Meter", "a page of meters"),
		"Series": output("a channel's readings; values_wh[i] covers [start + i·interval_seconds, start + (i+1)·interval_seconds)", obj{
			"meter_id": typ("integer", ""), "channel_id": typ("integer", ""), "direction": enum("", "delivered", "received"),
			"net_only":   typ("boolean", "the channel holds values split from a net-only source"),
			"non_actual": arrayOf(schemaRef("QualityRun")),
			"start":      instantSchema(""), "end": instantSchema("exclusive"), "interval_seconds": typ("integer", ""),
			"values_wh": arrayOf(nullable("integer", "watt-hours; null where no reading is stored")),
			"total_wh":  typ("integer", "sum of the present readings"), "missing": typ("integer", "intervals with no reading"),
		}),
		"AuditRecord": output("one audit-log entry", obj{
			"id": typ("integer", ""), "at": instantSchema(""), "actor": typ("string", "e.g. user:3 ana@cpa.example"),
			"action": typ("string", "create, update, …"), "entity": typ("string", ""), "entity_id": typ("string", ""),
			"before": obj{"type": []string{"object", "null"}, "description": "the entity before the change; null for a create"},
			"after":  obj{"type": []string{"object", "null"}, "description": "the entity after the change; null for a delete"},
		}),
		"AuditList": listOf("AuditRecord", "a page of audit entries, newest first"),
		"Count":     output("one labelled figure", obj{"label": typ("string", ""), "count": typ("integer", "")}),
		"Portfolio": output("accounts in service on a date", obj{
			"on": date(""), "customers": typ("integer", "all customers"), "accounts": typ("integer", "accounts in service"),
			"by_class": counts, "by_lse": counts, "by_program": counts, "dac_accounts": typ("integer", "at DAC premises"),
			"by_hftd_tier": counts, "by_member_agency": counts, "meters": typ("integer", "installed meters"),
			"solar_accounts": typ("integer", "accounts with a received channel"),
		}),
	})
	return s
}
