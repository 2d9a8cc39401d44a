package api

import "net/http"

// The EV SmartCharge vehicles and plans part of the OpenAPI document
// (drOperations calls evVehicleOperations; drSchemas merges
// evVehicleSchemas).

func evVehicleOperations(add func(path, method string, o operation)) {
	const bad, forbidden, notFound, conflict = http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound, http.StatusConflict
	id := pathParam("id", "vehicle id")
	add("/ev/vehicles", "get", operation{id: "listVehicles", summary: "List vehicles enrolled in EV SmartCharge in id order (customers: their own accounts' vehicles)",
		tag: "ev", security: readSecurity, params: append([]any{query("account_id", obj{"type": "integer", "minimum": 0}, "of this account")}, pageParams...),
		ok: 200, okSchema: "VehicleList", errs: []int{bad, forbidden}})
	add("/ev/vehicles", "post", operation{id: "enrollVehicle", summary: "Enroll a vehicle of an account in EV SmartCharge (the fields of gridbook ev vehicle add)",
		tag: "ev", security: writeSecurity, body: "VehicleInput", ok: 201, okSchema: "Vehicle", errs: []int{forbidden, conflict}})
	add("/ev/vehicles/{id}", "get", operation{id: "getVehicle", summary: "Get a vehicle with its plan in force and what its charger last told the OCPP central system",
		tag: "ev", security: readSecurity, params: []any{id}, ok: 200, okSchema: "Vehicle", errs: []int{bad, forbidden, notFound}})
	add("/ev/vehicles/{id}/plans", "get", operation{id: "listVehiclePlans", summary: "A vehicle's charging plans, newest first (the first is in force; at most 100, one page)",
		tag: "ev", security: readSecurity, params: []any{id}, ok: 200, okSchema: "EVPlanList", errs: []int{bad, forbidden, notFound}})
	add("/ev/vehicles/{id}/plans", "post", operation{id: "planVehicle", summary: "Plan one plug-in of a vehicle at its charging power: least cost on " +
		"its account's TOU tariff (15-minute prices of the version in force at plug-in) or least emissions on a stored marginal-emission signal, " +
		"and store it as the vehicle's plan in force. A departure the charger cannot reach is planned at full power throughout with shortfall_wh " +
		"and a note. The plan is then published to the vehicle's VEN as an OpenADR event and sent to a connected OCPP charger by gridbook serve",
		tag: "ev", security: writeSecurity, params: []any{id}, body: "EVPlanInput", ok: 201, okSchema: "EVPlan", errs: []int{forbidden, notFound, conflict}})
	add("/ev/plans/{id}", "get", operation{id: "getEVPlan", summary: "Get a stored charging plan", tag: "ev", security: readSecurity,
		params: []any{pathParam("id", "plan id")}, ok: 200, okSchema: "EVPlan", errs: []int{bad, forbidden, notFound}})
}

func evVehicleSchemas() obj {
	integer := func(desc string) obj { return typ("integer", desc) }
	slot := output("a planned charging period", obj{"start": instantSchema(""), "end": instantSchema(""), "w": integer("power, W"),
		"energy_wh": integer(""), "value": nullable("number", "the rate over the slot (micro-dollars/kWh or g CO2/kWh); null where none is known")})
	charger := output("what the charger last told the OCPP central system", obj{"identity": typ("string", "OCPP charge point identity"),
		"status": typ("string", "OCPP 1.6 ChargePointStatus of its last StatusNotification, or the central system's Connected, Booted or Disconnected"), "vendor": typ("string", ""),
		"model": typ("string", ""), "transaction_id": integer("open transaction; 0: none"), "last_seen": instantSchema("")})
	vehicle := obj{
		"id": integer(""), "account_id": integer(""), "name": typ("string", "the vehicle's identifier in telemetry, unique"),
		"make": typ("string", ""), "model": typ("string", ""), "battery_wh": integer("usable battery"), "max_w": integer("charging power"),
		"charger": typ("string", "level1, level2 or an OCPP charge point identity"), "enrolled": date("EV SmartCharge enrollment"),
		"plan": schemaRef("EVPlan"), "charger_status": charger,
	}
	return obj{
		"Vehicle": obj{"type": "object", "description": "an enrolled vehicle (plan and charger_status only in the detail, when there are any)",
			"additionalProperties": false, "properties": vehicle,
			"required": []string{"id", "account_id", "name", "make", "model", "battery_wh", "max_w", "charger", "enrolled"}},
		"VehicleList": listOf("Vehicle", "a page of vehicles"),
		"VehicleInput": input("a vehicle to enroll", obj{
			"account_id": integer("the account"), "name": typ("string", "1 to 64 characters, unique"), "make": typ("string", ""), "model": typ("string", ""),
			"battery_kwh": typ("number", "usable battery, kWh (up to 500)"), "max_kw": typ("number", "charging power, kW (up to 400)"),
			"charger": typ("string", "level1, level2 (default) or an OCPP charge point identity"), "enrolled": date("default today (Pacific)"),
		}, "account_id", "name", "battery_kwh", "max_kw"),
		"EVPlanInput": input("one plug-in's need: energy_kwh, or soc_pct with target_soc_pct", obj{
			"plug_in": instantSchema("RFC 3339"), "departure": instantSchema("RFC 3339, after plug_in and within 7 days"),
			"energy_kwh":     typ("number", "energy to add"),
			"soc_pct":        obj{"type": "integer", "minimum": 0, "maximum": 100, "description": "state of charge at plug-in"},
			"target_soc_pct": obj{"type": "integer", "minimum": 0, "maximum": 100, "description": "state of charge wanted at departure"},
			"objective":      enum("default cost", "cost", "emissions", "co2"),
			"signal":         typ("string", "with objective emissions: a stored emission signal (gridbook emissions import)"),
			"precondition_minutes": obj{"type": "integer", "minimum": 0, "maximum": 120,
				"description": "charged just before departure whatever it costs"},
			"continuous": typ("boolean", "one contiguous window instead of the cheapest slots"),
		}, "plug_in", "departure"),
		"EVPlan": obj{"type": "object", "description": "a stored charging plan: cost_cents for least cost, co2_g for least emissions",
			"additionalProperties": false,
			"required": []string{"id", "vehicle_id", "vehicle", "account_id", "plug_in", "departure", "need_wh", "objective", "source", "slots",
				"energy_wh", "shortfall_wh", "unpriced_wh", "notes", "actor", "created_at"},
			"properties": obj{
				"id": integer(""), "vehicle_id": integer(""), "vehicle": typ("string", "the vehicle's name"), "account_id": integer(""),
				"plug_in": instantSchema(""), "departure": instantSchema(""), "need_wh": integer("energy asked for"),
				"objective": enum("cost or co2 (emissions)", "cost", "co2"), "source": typ("string", "the rates planned against, e.g. tariff TOU-D-PRIME"),
				"slots": arrayOf(slot), "energy_wh": integer("energy planned"),
				"shortfall_wh": integer("need the charger cannot deliver by departure (then planned at full power throughout)"),
				"cost_cents":   integer("least cost: Σ slot kWh × price, rounded once"), "co2_g": typ("number", "least emissions: Σ slot kWh × g/kWh"),
				"unpriced_wh": integer("planned energy in slots without a known rate"), "notes": arrayOf(typ("string", "")),
				"actor": typ("string", "who made it"), "created_at": instantSchema(""),
			}},
		"EVPlanList": output("a vehicle's plans, newest first", obj{"data": arrayOf(schemaRef("EVPlan")),
			"next_cursor": nullable("string", "always null: the list is not paged")}),
	}
}
