package tariff

import (
	"bytes"
	"os"
	"testing"
	"time"
)

// FuzzParseURDB checks that the URDB importer never panics and that
// whatever it accepts is valid and compiles to a period index.
func FuzzParseURDB(f *testing.F) {
	for _, p := range []string{"urdb/SCE_TOU-8_Option-D_Under-2-kV.json", "urdb/PGE_E-19_Secondary_2019_from_REopt_API.json"} {
		if b, err := data.ReadFile("data/" + p); err == nil {
			f.Add(b)
		}
	}
	if b, err := os.ReadFile(sharedTariffs + "/urdb_history_lbnl/u14328_Commercial_B-19_TOU_gridlevelSecondary_revised.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"items":[{"name":"E-1","startdate":"2025-01-01","energyratestructure":[[{"rate":"1e-2","max":5},{"rate":0.2}]]}]}`))
	f.Add([]byte(`[{"startdate":1e3}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		vs, err := ParseURDB(b, URDBOptions{})
		if err != nil {
			return
		}
		for _, v := range vs {
			if err := v.Validate(); err != nil {
				t.Fatalf("accepted an invalid version: %v", err)
			}
			for _, m := range v.Maps {
				if _, err := v.Index(m.Name, 2025, time.Hour); err != nil {
					t.Fatalf("accepted map %s does not compile: %v", m.Name, err)
				}
			}
		}
	})
}

// FuzzParseExportCSV checks that the export-price CSV reader never panics
// and that an accepted table is complete.
func FuzzParseExportCSV(f *testing.F) {
	if b, err := data.ReadFile("data/nbt/SCE_EEC_prices_2024_vintage_from_SCE_greenbutton.csv"); err == nil {
		f.Add(b[:4000])
	}
	f.Add([]byte("Price Effective Date,Month,Hour,Delivery - Weekday EEC,Delivery - Weekend/Holiday EEC,SCE Gen - Weekday EEC,SCE Gen - Weekend/Holiday EEC\n2024,1,1,0.1,0.1,0.1,0.1\n"))
	f.Add([]byte("\"a\nb"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tab, err := ParseExportCSV(bytes.NewReader(b), ExportCSVOptions{Utility: "SCE", Vintage: 2024})
		if err != nil {
			return
		}
		if err := tab.Validate(); err != nil {
			t.Fatalf("accepted an invalid table: %v", err)
		}
	})
}

// FuzzParseNative checks that the native reader never panics and accepts
// only valid versions.
func FuzzParseNative(f *testing.F) {
	if b, err := data.ReadFile("data/native/PGE_E-ELEC_2025-03-01.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		vs, err := ParseNative(b)
		if err != nil {
			return
		}
		for _, v := range vs {
			if err := v.Validate(); err != nil {
				t.Fatalf("accepted an invalid version: %v", err)
			}
		}
	})
}
