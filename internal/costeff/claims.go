package costeff

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"strings"
)

// claimField is one column of the CEDARS claim layout.
type claimField struct {
	name string
	def  float64 // value when the column is absent or the cell empty
	num  func(c *Claim) *float64
	text func(c *Claim) *string
}

// claimFields are the CET's InputMeasureCEDARS columns that the tests use,
// in the CET's order, with their names as CEDARS writes them. Rates
// (installation, realization, net-to-gross) default to 1 when a file
// leaves them out; every other number defaults to 0.
var claimFields = []claimField{
	{name: "CEInputID", text: func(c *Claim) *string { return &c.CEInputID }},
	{name: "PA", text: func(c *Claim) *string { return &c.PA }},
	{name: "PrgID", text: func(c *Claim) *string { return &c.PrgID }},
	{name: "ClaimYearQuarter", text: func(c *Claim) *string { return &c.ClaimYearQuarter }},
	{name: "MeasDescription", text: func(c *Claim) *string { return &c.MeasDescription }},
	{name: "MeasImpactType", text: func(c *Claim) *string { return &c.MeasImpactType }},
	{name: "MeasureID", text: func(c *Claim) *string { return &c.MeasureID }},
	{name: "E3TargetSector", text: func(c *Claim) *string { return &c.E3TargetSector }},
	{name: "E3MeaElecEndUseShape", text: func(c *Claim) *string { return &c.E3MeaElecEndUseShape }},
	{name: "E3ClimateZone", text: func(c *Claim) *string { return &c.E3ClimateZone }},
	{name: "E3GasSavProfile", text: func(c *Claim) *string { return &c.E3GasSavProfile }},
	{name: "E3GasSector", text: func(c *Claim) *string { return &c.E3GasSector }},
	{name: "NumUnits", num: func(c *Claim) *float64 { return &c.NumUnits }},
	{name: "EUL_Yrs", num: func(c *Claim) *float64 { return &c.EULYrs }},
	{name: "RUL_Yrs", num: func(c *Claim) *float64 { return &c.RULYrs }},
	{name: "NTGRkW", def: 1, num: func(c *Claim) *float64 { return &c.NTGRkW }},
	{name: "NTGRkWh", def: 1, num: func(c *Claim) *float64 { return &c.NTGRkWh }},
	{name: "NTGRTherm", def: 1, num: func(c *Claim) *float64 { return &c.NTGRTherm }},
	{name: "NTGRCost", def: 1, num: func(c *Claim) *float64 { return &c.NTGRCost }},
	{name: "InstallationRatekW", def: 1, num: func(c *Claim) *float64 { return &c.InstallationRatekW }},
	{name: "InstallationRatekWh", def: 1, num: func(c *Claim) *float64 { return &c.InstallationRatekWh }},
	{name: "InstallationRateTherm", def: 1, num: func(c *Claim) *float64 { return &c.InstallationRateTherm }},
	{name: "MeasInflation", num: func(c *Claim) *float64 { return &c.MeasInflation }},
	{name: "RealizationRatekW", def: 1, num: func(c *Claim) *float64 { return &c.RealizationRatekW }},
	{name: "RealizationRatekWh", def: 1, num: func(c *Claim) *float64 { return &c.RealizationRatekWh }},
	{name: "RealizationRateTherm", def: 1, num: func(c *Claim) *float64 { return &c.RealizationRateTherm }},
	{name: "UnitkW1stBaseline", num: func(c *Claim) *float64 { return &c.UnitkW1stBaseline }},
	{name: "UnitkW2ndBaseline", num: func(c *Claim) *float64 { return &c.UnitkW2ndBaseline }},
	{name: "UnitkWh1stBaseline", num: func(c *Claim) *float64 { return &c.UnitkWh1stBaseline }},
	{name: "UnitkWh2ndBaseline", num: func(c *Claim) *float64 { return &c.UnitkWh2ndBaseline }},
	{name: "UnitTherm1stBaseline", num: func(c *Claim) *float64 { return &c.UnitTherm1stBaseline }},
	{name: "UnitTherm2ndBaseline", num: func(c *Claim) *float64 { return &c.UnitTherm2ndBaseline }},
	{name: "UnitMeaCost1stBaseline", num: func(c *Claim) *float64 { return &c.UnitMeaCost1stBaseline }},
	{name: "UnitMeaCost2ndBaseline", num: func(c *Claim) *float64 { return &c.UnitMeaCost2ndBaseline }},
	{name: "UnitDirectInstallLab", num: func(c *Claim) *float64 { return &c.UnitDirectInstallLab }},
	{name: "UnitDirectInstallMat", num: func(c *Claim) *float64 { return &c.UnitDirectInstallMat }},
	{name: "UnitEndUserRebate", num: func(c *Claim) *float64 { return &c.UnitEndUserRebate }},
	{name: "UnitIncentiveToOthers", num: func(c *Claim) *float64 { return &c.UnitIncentiveToOthers }},
}

// maxClaims bounds a claims file.
const maxClaims = 200_000

// ReadClaims reads measure claims from a CSV in the CEDARS layout: a header
// of the CET's column names (any order, unknown columns ignored; CEInputID,
// PrgID, NumUnits and EUL_Yrs required) and one claim per row.
func ReadClaims(r io.Reader) ([]Claim, error) {
	const op, field = "costeff.ReadClaims", "claims"
	in, err := openCSV(op, field, r, "CEInputID", "PrgID", "NumUnits", "EUL_Yrs")
	if err != nil {
		return nil, err
	}
	var out []Claim
	err = in.each(maxClaims, func(line int, get func(string) string) error {
		var c Claim
		for _, f := range claimFields {
			cell := get(f.name)
			if f.text != nil {
				*f.text(&c) = cell
				continue
			}
			v := f.def
			if cell != "" {
				var err error
				if v, err = strconv.ParseFloat(strings.ReplaceAll(cell, ",", ""), 64); err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
					return fieldErr(op, field, "line %d, column %s: %q is not a number", line, f.name, cell)
				}
			}
			*f.num(&c) = v
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// WriteClaims writes claims in the CEDARS layout ReadClaims reads.
func WriteClaims(w io.Writer, claims []Claim) error {
	cw := csv.NewWriter(w)
	head := make([]string, len(claimFields))
	for i, f := range claimFields {
		head[i] = f.name
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	row := make([]string, len(claimFields))
	for _, c := range claims {
		for i, f := range claimFields {
			if f.text != nil {
				row[i] = *f.text(&c)
			} else {
				row[i] = strconv.FormatFloat(*f.num(&c), 'g', -1, 64)
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// programCostColumns are the cost categories of a program-cost row (the
// CET's program inputs); CostsRecoveredFromOtherSources is subtracted.
var programCostColumns = []string{"AdminCostsOverheadAndGA", "AdminCostsOther", "MarketingOutreach", "DIActivity", "DIInstallation",
	"DIHardwareAndMaterials", "DIRebateAndInspection", "EMVSpending", "UserInputIncentive", "OnBillFinancing"}

// ReadProgramCosts reads program costs: columns PrgID and Year, then any
// of the cost categories (dollars; absent or empty is 0) and
// CostsRecoveredFromOtherSources.
func ReadProgramCosts(r io.Reader) ([]ProgramCost, error) {
	const op, field = "costeff.ReadProgramCosts", "program_costs"
	in, err := openCSV(op, field, r, "PrgID")
	if err != nil {
		return nil, err
	}
	var out []ProgramCost
	err = in.each(maxClaims, func(line int, get func(string) string) error {
		p := ProgramCost{PrgID: get("PrgID")}
		if p.PrgID == "" {
			return fieldErr(op, field, "line %d: PrgID is empty", line)
		}
		if y := get("Year"); y != "" {
			var err error
			if p.Year, err = strconv.Atoi(y); err != nil || p.Year < 1990 || p.Year > 2100 {
				return fieldErr(op, field, "line %d, column Year: %q is not a year", line, y)
			}
		}
		for _, name := range append(programCostColumns, "CostsRecoveredFromOtherSources") {
			cell := get(name)
			if cell == "" {
				continue
			}
			v, err := strconv.ParseFloat(strings.ReplaceAll(cell, ",", ""), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return fieldErr(op, field, "line %d, column %s: %q is not an amount of dollars", line, name, cell)
			}
			if name == "CostsRecoveredFromOtherSources" {
				v = -v
			}
			p.Admin += v
		}
		out = append(out, p)
		return nil
	})
	return out, err
}
