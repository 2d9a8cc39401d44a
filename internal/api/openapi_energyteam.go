package api

import (
	"github.com/gridbook/gridbook/internal/customer"
)

// energyTeamSchemas are the schemas of home attributes, the Energy Team
// estimator's plan and its advisor cases.
func energyTeamSchemas() obj {
	home := func(location obj) obj {
		return obj{
			"dwelling_type":   obj{"type": "string", "enum": append([]string{""}, customer.DwellingTypes...), "description": "empty when unknown"},
			"heating_fuel":    obj{"type": "string", "enum": append([]string{""}, customer.HeatingFuels...), "description": "main space-heating fuel; empty when unknown"},
			"floor_area_sqft": obj{"type": "integer", "minimum": 0, "maximum": 30000, "description": "conditioned floor area, 100 to 30,000; 0 when unknown"},
			"year_built":      obj{"type": "integer", "minimum": 0, "description": "from 1700 to next year; 0 when unknown"},
			"location":        location,
		}
	}
	location := func(desc string) obj {
		return obj{"type": []string{"object", "null"}, "description": desc, "additionalProperties": false,
			"required": []string{"lat", "lon", "source"},
			"properties": obj{
				"lat":    obj{"type": "number", "minimum": 32.5, "maximum": 42.01, "description": "degrees north (WGS 84), kept to 6 decimals"},
				"lon":    obj{"type": "number", "minimum": -124.45, "maximum": -114.13, "description": "degrees east (negative: west)"},
				"source": enum("where the coordinates come from", customer.LocationSources...),
			}}
	}
	return obj{
		"Home":      output("the building at a premise; every attribute optional (zero or empty when unknown)", home(location("coordinates; null when unknown"))),
		"HomeInput": input("the building at a premise; omitted attributes are unknown", home(location("coordinates with their source; null or omitted when unknown"))),
	}
}
