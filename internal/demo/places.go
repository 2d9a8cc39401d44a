package demo

import (
	_ "embed"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/reference"
)

// agencyPopulation is each member agency's population in thousands, used
// only to weight where demo premises fall. Source: US Census Bureau, 2020
// Decennial Census (P1 total population), rounded to thousands; the
// unincorporated county figures are approximate (LA County's unincorporated
// areas are about one million people, Ventura County's about 96,000).
var agencyPopulation = map[string]int{
	"Agoura Hills": 20, "Alhambra": 83, "Arcadia": 57, "Beverly Hills": 33, "Calabasas": 23,
	"Camarillo": 71, "Carson": 96, "Claremont": 37, "Culver City": 41, "Downey": 114,
	"Hawaiian Gardens": 14, "Hawthorne": 88, "Hermosa Beach": 20, "Malibu": 11, "Manhattan Beach": 36,
	"Monrovia": 38, "Moorpark": 36, "Ojai": 8, "Oxnard": 202, "Paramount": 54,
	"Redondo Beach": 72, "Rolling Hills Estates": 8, "Santa Monica": 93, "Santa Paula": 31, "Sierra Madre": 11,
	"Simi Valley": 126, "South Pasadena": 27, "Temple City": 36, "Thousand Oaks": 127, "Ventura": 111,
	"West Hollywood": 36, "Westlake Village": 8, "Whittier": 87,
	"Unincorporated Los Angeles County": 1000, "Unincorporated Ventura County": 96,
}

// zipPlace is what an unincorporated-area ZIP is called in a mailing
// address (the community, not the county). Cities use their own name.
var zipPlace = map[string]string{
	"90022": "East Los Angeles", "91001": "Altadena", "91745": "Hacienda Heights", "90304": "Lennox",
	"93535": "Lake Los Angeles", "91377": "Oak Park", "93022": "Oak View", "93066": "Somis",
}

// agriculturalAgencies are where agricultural (pumping) accounts are placed:
// the farming areas of Ventura County's Oxnard Plain and Santa Clara River
// valley. Demo assumption.
var agriculturalAgencies = []string{"Oxnard", "Camarillo", "Santa Paula", "Moorpark", "Ojai", "Unincorporated Ventura County"}

// hftdZIP gives, for foothill and canyon ZIPs, the share of demo premises in
// a CPUC High Fire-Threat District (D.17-12-024 map: the Santa Monica
// Mountains, the San Gabriel foothills, the Simi Hills, the Conejo Valley
// edges, the Palos Verdes hills and the Ojai Valley have Tier 2 and Tier 3
// areas) and the share of those in Tier 3. The shares are demo assumptions,
// not a reading of the map; no premise outside these ZIPs is in an HFTD.
var hftdZIP = map[string]struct{ share, tier3 float64 }{
	"90265": {0.85, 0.6},  // Malibu
	"91302": {0.5, 0.4},   // Calabasas
	"91301": {0.45, 0.35}, // Agoura Hills
	"91361": {0.35, 0.3},  // Westlake Village
	"91377": {0.45, 0.3},  // Oak Park
	"93023": {0.6, 0.4},   // Ojai
	"93022": {0.6, 0.4},   // Oak View
	"91024": {0.45, 0.35}, // Sierra Madre
	"91001": {0.12, 0.35}, // Altadena (Eaton fire, January 2025)
	"91016": {0.15, 0.3},  // Monrovia
	"91711": {0.12, 0.3},  // Claremont
	"90274": {0.4, 0.3},   // Rolling Hills Estates
	"93063": {0.1, 0.3},   // Simi Valley north
	"93065": {0.05, 0.3},  // Simi Valley south
	"91320": {0.1, 0.3},   // Newbury Park
	"91360": {0.1, 0.3},   // Thousand Oaks
	"91362": {0.1, 0.3},   // Thousand Oaks / Westlake
	"93060": {0.1, 0.3},   // Santa Paula
	"93066": {0.25, 0.3},  // Somis
}

// dacTractsCSV lists the SB 535 (2022) disadvantaged-community tracts of
// Los Angeles and Ventura counties whose approximate ZIP (the CalEPA list's
// own column) is one of the member agencies' representative ZIPs. It was
// derived from internal/reference/data/sb535_dac_tracts_2022.csv; the
// package tests check every row against reference.DAC.
//
//go:embed dac_tracts.csv
var dacTractsCSV string

// dacZIPConstant is c in the DAC probability n/(n+c) of a premise in a ZIP
// that has n DAC tracts on the CalEPA list: a ZIP with many DAC tracts is
// mostly DAC, a ZIP with one is partly DAC, a ZIP with none has no DAC
// premises. With the population weights above this yields about 37% of
// premises in DACs, below Los Angeles County's tract share (1,153 of about
// 2,340 tracts, 49%) because CPA's members include many coastal and foothill
// cities without DAC tracts. Demo assumption.
const dacZIPConstant = 2.0

// otherTractsPerZIP is how many real non-DAC tracts each ZIP draws from.
const otherTractsPerZIP = 6

// place is one ZIP of a member agency with everything premises there need.
type place struct {
	agency   reference.MemberAgency
	zip      string
	city     string
	zone     int
	dac      []string // real DAC tract GEOIDs near the ZIP
	dacShare float64
	other    []string // real 2010 tracts of the county that are not DAC, near the ZIP by tract number
}

// geography is the weighted set of places premises are drawn from.
type geography struct {
	places []place
	cum    []float64 // cumulative weights over places
	agCum  []float64 // cumulative weights over places of agriculturalAgencies
}

func newGeography(ref *reference.Tables) (*geography, error) {
	byZIP := map[string][]string{}
	for i, line := range strings.Split(strings.TrimSpace(dacTractsCSV), "\n") {
		if i == 0 {
			continue
		}
		geoid, zip, ok := strings.Cut(strings.TrimSpace(line), ",")
		if !ok {
			return nil, fmt.Errorf("demo: dac_tracts.csv line %d: %q", i+1, line)
		}
		byZIP[zip] = append(byZIP[zip], geoid)
	}
	g := &geography{}
	var total, agTotal float64
	for _, a := range ref.MemberAgencies() {
		pop, ok := agencyPopulation[a.Name]
		if !ok {
			return nil, fmt.Errorf("demo: no population weight for member agency %q", a.Name)
		}
		isAg := slices.Contains(agriculturalAgencies, a.Name)
		for _, zip := range a.ZIPs {
			cz, err := ref.ClimateZone(zip)
			if err != nil {
				return nil, fmt.Errorf("demo: %s: %w", a.Name, err)
			}
			p := place{agency: a, zip: zip, city: a.Name, zone: cz.Zone, dac: byZIP[zip]}
			if a.Kind == "county" {
				p.city = zipPlace[zip]
				if p.city == "" {
					return nil, fmt.Errorf("demo: no community name for unincorporated ZIP %s", zip)
				}
			}
			n := float64(len(p.dac))
			p.dacShare = n / (n + dacZIPConstant)
			w := float64(pop) / float64(len(a.ZIPs))
			total += w
			if isAg {
				agTotal += w
			}
			g.places = append(g.places, p)
			g.cum = append(g.cum, total)
			g.agCum = append(g.agCum, agTotal)
		}
	}
	for i := range g.places {
		var err error
		if g.places[i].other, err = otherTracts(ref, anchors(g.places, i)); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// anchors are the DAC tracts that locate place i for choosing its other
// tracts: its own; else those of its agency's other ZIPs; else those of the
// numerically nearest ZIP of the same county that has any. Census tract
// codes are numbered in geographic runs within a county, so tracts with
// nearby codes are near each other (a demo approximation: the CalEPA list
// gives ZIPs only for DAC tracts).
func anchors(places []place, i int) []string {
	p := places[i]
	if len(p.dac) > 0 {
		return p.dac
	}
	var same []string
	for _, q := range places {
		if q.agency.Name == p.agency.Name {
			same = append(same, q.dac...)
		}
	}
	if len(same) > 0 {
		return same
	}
	z, _ := strconv.Atoi(p.zip)
	best, bestDist := -1, 0
	for j, q := range places {
		if len(q.dac) == 0 || q.agency.CountyFIPS != p.agency.CountyFIPS {
			continue
		}
		qz, _ := strconv.Atoi(q.zip)
		if d := abs(qz - z); best < 0 || d < bestDist {
			best, bestDist = j, d
		}
	}
	if best < 0 {
		return nil
	}
	return places[best].dac
}

// otherTracts picks otherTractsPerZIP real 2010 tracts of the anchors'
// county (reference.Tracts) that are not SB 535 DAC tracts, those with codes
// nearest an anchor first (ties to the lower code).
func otherTracts(ref *reference.Tables, anchors []string) ([]string, error) {
	if len(anchors) == 0 {
		return nil, fmt.Errorf("demo: a place has no anchor tract")
	}
	county := anchors[0][:5]
	code := func(g string) int { n, _ := strconv.Atoi(g[5:]); return n }
	type cand struct {
		geoid string
		dist  int
	}
	var cands []cand
	for _, g := range ref.Tracts(county) {
		d, err := ref.DAC(g)
		if err != nil {
			return nil, fmt.Errorf("demo: tract %s: %w", g, err)
		}
		if d.Designated {
			continue
		}
		dist := -1
		for _, a := range anchors {
			if x := abs(code(g) - code(a)); dist < 0 || x < dist {
				dist = x
			}
		}
		cands = append(cands, cand{g, dist})
	}
	slices.SortFunc(cands, func(a, b cand) int {
		if a.dist != b.dist {
			return a.dist - b.dist
		}
		return strings.Compare(a.geoid, b.geoid)
	})
	if len(cands) < otherTractsPerZIP {
		return nil, fmt.Errorf("demo: county %s has only %d non-DAC tracts", county, len(cands))
	}
	out := make([]string, otherTractsPerZIP)
	for i := range out {
		out[i] = cands[i].geoid
	}
	return out, nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// pick draws a place by population weight; agricultural accounts draw only
// from the farming agencies.
func (g *geography) pick(r *rand.Rand, agricultural bool) *place {
	cum := g.cum
	if agricultural {
		cum = g.agCum
	}
	x := r.Float64() * cum[len(cum)-1]
	i, _ := slices.BinarySearchFunc(cum, x, func(c, x float64) int {
		if c <= x {
			return -1
		}
		return 1
	})
	return &g.places[min(i, len(g.places)-1)]
}

// tract draws the premise's census tract: a real DAC tract with the place's
// DAC share, else one of its real non-DAC tracts.
func (p *place) tract(r *rand.Rand) string {
	if len(p.dac) > 0 && r.Float64() < p.dacShare {
		return p.dac[r.IntN(len(p.dac))]
	}
	return p.other[r.IntN(len(p.other))]
}

// hftdTier draws the premise's fire-threat tier (0, 2 or 3).
func (p *place) hftdTier(r *rand.Rand) int {
	h, ok := hftdZIP[p.zip]
	u, v := r.Float64(), r.Float64() // always draw both, so the stream does not depend on the ZIP
	if !ok || u >= h.share {
		return 0
	}
	if v < h.tier3 {
		return 3
	}
	return 2
}
