package costeff

import (
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
)

// SettingsInput is how people give Settings (CLI flags, API fields):
// avoided costs as comma-separated yearly values and the quarterly rate as
// a number, "exact" or "flexvalue".
type SettingsInput struct {
	DiscountRate         float64 `json:"discount_rate"`
	QuarterlyRate        string  `json:"quarterly_rate"`
	SocietalDiscountRate float64 `json:"societal_discount_rate"`
	FirstYear            int     `json:"first_year"`
	AvoidedElec          string  `json:"avoided_elec_usd_per_kwh"`
	AvoidedGas           string  `json:"avoided_gas_usd_per_therm"`
	RetailElec           float64 `json:"retail_elec_usd_per_kwh"`
	RetailGas            float64 `json:"retail_gas_usd_per_therm"`
	ACCVersion           string  `json:"acc_version"`
}

// Settings turns the input into Settings, naming each bad field.
func (in SettingsInput) Settings() (Settings, error) {
	var f apperr.Fields
	s := Settings{DiscountRate: in.DiscountRate, SocietalDiscountRate: in.SocietalDiscountRate, FirstYear: in.FirstYear,
		RetailElec: in.RetailElec, RetailGas: in.RetailGas, ACCVersion: strings.TrimSpace(in.ACCVersion)}
	switch q := strings.TrimSpace(in.QuarterlyRate); q {
	case "", "exact":
		s.QuarterlyRate, s.QuarterlyRateSource = ExactQuarterly(in.DiscountRate), "exact: (1+Ra)^(1/4) − 1"
	case "flexvalue":
		s.QuarterlyRate, s.QuarterlyRateSource = FlexvalueQuarterly(in.DiscountRate), "flexvalue: Ra/4"
	default:
		v, err := strconv.ParseFloat(q, 64)
		if err != nil {
			f.Add("quarterly_rate", "want a rate, exact or flexvalue, not %q", q)
		}
		s.QuarterlyRate, s.QuarterlyRateSource = v, "stored"
	}
	for _, a := range []struct {
		field, s string
		into     *[]float64
	}{{"avoided_elec_usd_per_kwh", in.AvoidedElec, &s.AvoidedElec}, {"avoided_gas_usd_per_therm", in.AvoidedGas, &s.AvoidedGas}} {
		for _, x := range strings.Split(a.s, ",") {
			if x = strings.TrimSpace(x); x == "" {
				continue
			}
			v, err := strconv.ParseFloat(x, 64)
			if err != nil || v < 0 {
				f.Add(a.field, "want yearly avoided costs such as 0.25 or 0.21,0.22,0.24, not %q", x)
				break
			}
			*a.into = append(*a.into, v)
		}
	}
	return s, f.Err("costeff.Settings")
}
