package demo

import (
	"math"
	"math/rand/v2"

	"github.com/gridbook/gridbook/internal/customer"
)

// zipLocation is an approximate point inside each representative ZIP of
// the member agencies (reference.MemberAgency.ZIPs), degrees north and
// east. Demo assumption: written by hand from general map knowledge to
// place demo homes near the right town, not geocoded and not survey data.
var zipLocation = map[string][2]float64{
	"91301": {34.146, -118.770}, "91801": {34.091, -118.129}, "91803": {34.074, -118.143}, "91006": {34.136, -118.026},
	"91007": {34.129, -118.048}, "90210": {34.100, -118.414}, "90211": {34.065, -118.383}, "90212": {34.062, -118.402},
	"91302": {34.125, -118.677}, "93010": {34.229, -119.065}, "93012": {34.206, -118.998}, "90745": {33.822, -118.264},
	"90746": {33.859, -118.254}, "91711": {34.111, -117.719}, "90230": {33.996, -118.395}, "90232": {34.019, -118.392},
	"90240": {33.955, -118.118}, "90241": {33.940, -118.129}, "90242": {33.922, -118.141}, "90716": {33.831, -118.073},
	"90250": {33.914, -118.348}, "90254": {33.864, -118.396}, "90265": {34.038, -118.780}, "90266": {33.890, -118.405},
	"91016": {34.148, -117.999}, "93021": {34.286, -118.881}, "93023": {34.448, -119.243}, "93030": {34.207, -119.173},
	"93033": {34.167, -119.156}, "93035": {34.182, -119.226}, "93036": {34.232, -119.178}, "90723": {33.897, -118.164},
	"90277": {33.831, -118.386}, "90278": {33.873, -118.370}, "90274": {33.787, -118.370}, "90401": {34.015, -118.493},
	"90403": {34.031, -118.491}, "90404": {34.027, -118.473}, "90405": {34.010, -118.471}, "93060": {34.355, -119.060},
	"91024": {34.166, -118.052}, "93063": {34.279, -118.702}, "93065": {34.262, -118.775}, "91030": {34.111, -118.157},
	"91780": {34.102, -118.057}, "91320": {34.177, -118.944}, "91360": {34.210, -118.874}, "91362": {34.157, -118.826},
	"93001": {34.284, -119.297}, "93003": {34.280, -119.220}, "93004": {34.278, -119.165}, "90069": {34.090, -118.381},
	"91361": {34.140, -118.836}, "90601": {34.002, -118.037}, "90602": {33.970, -118.028}, "90603": {33.946, -117.993},
	"90605": {33.949, -118.024}, "90022": {34.024, -118.157}, "91001": {34.195, -118.138}, "91745": {33.999, -117.968},
	"90304": {33.937, -118.358}, "93535": {34.720, -117.990}, "91377": {34.185, -118.765}, "93022": {34.398, -119.300},
	"93066": {34.262, -119.005},
}

// Home attributes of demo homes (demo assumptions, not survey figures):
// houses and apartments as the plan drew them; the homes the load model
// heats electrically (strong heating slope) heat with a heat pump
// (40%) or electric resistance, the rest with gas; floor area log-normal
// around 1,650 sq ft for houses and 900 sq ft for apartments (σ 0.3 in
// log), clamped to 500–5,000; built 1920–2015 for houses, 1960–2015 for
// apartments, uniformly; coordinates within about 1.5 km of the ZIP's
// point. shareNoLocation of homes (never the showcase homes) have no
// coordinates yet, so their reports use the ZIP fallback.
const (
	shareHeatPump       = 0.4
	houseMedianSqFt     = 1650
	apartmentMedianSqFt = 900
	shareNoLocation     = 0.08
	jitterKm            = 1.5
)

// planBuilding records a home's attributes on its premise. It draws from
// its own stream so that the account's other draws are unchanged.
func (g *generator) planBuilding(p *plan) {
	if p.account.Class != customer.Residential {
		return
	}
	r := rand.New(rand.NewPCG(uint64(g.seed)^0x40e5a771b, uint64(p.index)))
	h := customer.Home{DwellingType: "single_family", HeatingFuel: "gas"}
	median, built := float64(houseMedianSqFt), 1920+r.IntN(96)
	if p.multifamily {
		h.DwellingType, median, built = "multifamily", apartmentMedianSqFt, 1960+r.IntN(56)
	}
	dwell := 1.0
	if p.multifamily {
		dwell = 0.6
	}
	if p.load.heatW >= 60*dwell { // the load model's electric heating
		h.HeatingFuel = "electric"
		if r.Float64() < shareHeatPump {
			h.HeatingFuel = "heat_pump"
		}
	}
	h.FloorAreaSqFt = int(math.Round(math.Min(5000, math.Max(500, median*math.Exp(0.3*r.NormFloat64())))/10) * 10)
	h.YearBuilt = built
	if at, ok := zipLocation[p.premise.ZIP]; ok && (p.index < 2 || r.Float64() >= shareNoLocation) {
		// A uniform point in a disc of jitterKm: 1° of latitude is 111.195 km.
		d, a := jitterKm*math.Sqrt(r.Float64()), 2*math.Pi*r.Float64()
		lat := at[0] + d*math.Cos(a)/111.195
		lon := at[1] + d*math.Sin(a)/(111.195*math.Cos(at[0]*math.Pi/180))
		h.Location = &customer.Location{Lat: math.Round(lat*1e6) / 1e6, Lon: math.Round(lon*1e6) / 1e6, Source: "demo"}
	}
	p.premise.Home = h
}
