package rps

import (
	"strings"
	"testing"
)

// TestAnnualReportContents checks the §399.13(a)(3) contents: progress as
// a percentage of retail sales, portfolio content status including
// out-of-state WECC procurement and unbundled RECs, and recommendations.
func TestAnnualReportContents(t *testing.T) {
	cp4 := ruleSet(t, CPUCRetailSeller, "CP4")
	lines := []ReportLine{
		{Facility: "Antelope Solar", WREGISID: "W1", State: "CA", InCBA: true, COD: date(t, "2019-05-01"), CertStatus: Certified, Contract: "PPA-1",
			Executed: date(t, "2018-01-01"), LongTerm: true, PCC: PCC1, Vintage: month(t, "2022-03"), MWh: 300_000},
		{Facility: "Antelope Solar", WREGISID: "W1", State: "CA", Contract: "PPA-1", Executed: date(t, "2018-01-01"), LongTerm: true, PCC: PCC1, Vintage: month(t, "2022-07"), MWh: 100_000},
		{Facility: "Columbia Wind", WREGISID: "W2", State: "WA", Contract: "REC-9", Executed: date(t, "2021-01-01"), PCC: PCC3, Vintage: month(t, "2022-05"), MWh: 20_000},
		{Facility: "Antelope Solar", WREGISID: "W1", State: "CA", Contract: "PPA-1", Executed: date(t, "2018-01-01"), LongTerm: true, PCC: PCC1, Vintage: month(t, "2021-07"), MWh: 350_000},
	}
	rep, err := BuildReport(ReportInput{Seller: "Demo CCA", Year: 2022, Rules: cp4, Settings: DefaultSettings(),
		RetailSales: map[int]int64{2021: 1_000_000, 2022: 1_000_000}, Lines: lines, Recommendations: "Speed up interconnection studies."})
	if err != nil {
		t.Fatal(err)
	}
	// 420,000 of 1,000,000 MWh is 42% of 2022 retail sales.
	if rep.Procured != 420_000 || rep.Percent.RatString() != "21/50" || rep.OutOfState != 20_000 || rep.Unbundled != 20_000 || rep.Target != "38.5" {
		t.Errorf("procured %d percent %s out of state %d unbundled %d target %s", rep.Procured, rep.Percent.RatString(), rep.OutOfState, rep.Unbundled, rep.Target)
	}
	// Period to date (2021–2022): 357,500 + 385,000 = 742,500 required.
	if rep.ToDate.PQRMWh != 742_500 || rep.ToDate.Applied.Total != 770_000 {
		t.Errorf("to date: required %d applied %d", rep.ToDate.PQRMWh, rep.ToDate.Applied.Total)
	}
	if len(rep.Facilities) != 2 || rep.Facilities[0].MWh != 400_000 {
		t.Errorf("facility lines %+v", rep.Facilities)
	}
	var sb strings.Builder
	if err := rep.WriteCSV(&sb); err != nil {
		t.Fatal(err)
	}
	csv := sb.String()
	for _, want := range []string{"summary,procured_percent_of_retail_sales,42.00", "summary,out_of_state_wecc_mwh,20000", "summary,recommendations,Speed up",
		"facility,,,Columbia Wind,W2,,WA,operating since"} {
		if !strings.Contains(csv, want) {
			t.Errorf("CSV lacks %q:\n%s", want, csv)
		}
	}
}
