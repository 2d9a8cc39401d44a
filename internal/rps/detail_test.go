package rps

import (
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
)

// TestProcurementDetail: the year's claims become one row per contract,
// category, long-term status, vintage and retirement month (two claims of
// one retirement month summed, another year's vintage left out), with the
// facility's CEC RPS ID in force on the vintage's last day (a new ID from
// 2024-06-01 applies to June 2024, not to May) and the contract's term in
// whole months (2020-01-01 to 2040-01-01 is 20 years, 240 months; a
// 2021-03-15 to 2024-03-01 term 35 whole months).
func TestProcurementDetail(t *testing.T) {
	d := func(y, m, day int) calendar.Date { return calendar.Date{Year: y, Month: time.Month(m), Day: day} }
	facs := map[int64]Facility{
		7: {Name: "Desert Sun Solar", WREGISID: "W9001", Technology: SolarPV, State: "CA", Certifications: []Certification{
			{Status: Certified, From: d(2019, 1, 1), To: d(2024, 6, 1), CECRPSID: "60001A"},
			{Status: Certified, From: d(2024, 6, 1), CECRPSID: "60001B"}}},
		8: {Name: "Gorge Wind", WREGISID: "W7720", Technology: Wind, State: "WA"},
	}
	cons := map[int64]Contract{
		1: {Name: "Desert Sun PPA", Counterparty: "Desert Sun LLC", FacilityID: 7, Executed: d(2018, 11, 15), Start: d(2020, 1, 1), End: d(2040, 1, 1)},
		2: {Name: "Gorge REC purchase", Counterparty: "Gorge Wind Partners", FacilityID: 8, Executed: d(2021, 1, 10), Start: d(2021, 3, 15), End: d(2024, 3, 1)},
	}
	may, jun := Month{Year: 2024, Month: 5}, Month{Year: 2024, Month: 6}
	claims := []DetailClaim{
		{ContractID: 1, PCC: PCC1, MWh: 400, LongTerm: true, Vintage: may, RetiredOn: d(2024, 8, 31), Period: "CP4"},
		{ContractID: 1, PCC: PCC1, MWh: 100, LongTerm: true, Vintage: may, RetiredOn: d(2024, 8, 2), Period: "CP4"},
		{ContractID: 1, PCC: PCC1, MWh: 250, LongTerm: true, Vintage: jun, RetiredOn: d(2024, 9, 30), Period: "CP4"},
		{ContractID: 2, PCC: PCC3, MWh: 75, Vintage: may, RetiredOn: d(2024, 8, 31), Period: "CP4"},
		{ContractID: 1, PCC: PCC1, MWh: 999, LongTerm: true, Vintage: Month{Year: 2023, Month: 12}, RetiredOn: d(2024, 3, 31), Period: "CP4"},
	}
	rows := ProcurementDetail(2024, claims, cons, facs)
	if len(rows) != 3 {
		t.Fatalf("%d rows, want 3: %+v", len(rows), rows)
	}
	if r := rows[0]; r.Contract != "Desert Sun PPA" || r.Vintage != may || r.MWh != 500 || r.CECRPSID != "60001A" || r.TermMonths != 240 ||
		r.RetirementMonth != (Month{Year: 2024, Month: 8}) {
		t.Errorf("May row %+v", r)
	}
	if r := rows[1]; r.Vintage != jun || r.MWh != 250 || r.CECRPSID != "60001B" {
		t.Errorf("June row %+v", r)
	}
	if r := rows[2]; r.Contract != "Gorge REC purchase" || r.PCC != PCC3 || r.MWh != 75 || r.TermMonths != 35 || r.State != "WA" || r.LongTerm {
		t.Errorf("Gorge row %+v", r)
	}
	var b strings.Builder
	if err := WriteProcurementCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "Contract Name,Counterparty,Facility Name,CEC RPS ID,WREGIS GU ID") {
		t.Fatalf("CSV:\n%s", b.String())
	}
	want := "Desert Sun PPA,Desert Sun LLC,Desert Sun Solar,60001A,W9001,solar_pv,CA,2018-11-15,2020-01-01,2040-01-01,240,Y,1,05/2024,08/2024,500,CP4"
	if lines[1] != want {
		t.Errorf("first row\n%s\nwant\n%s", lines[1], want)
	}
}
