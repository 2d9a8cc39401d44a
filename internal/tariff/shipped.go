package tariff

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
)

// data holds the shipped tariffs; data/README.md gives each file's source
// and license.
//
//go:embed data
var data embed.FS

// shippedURDB records where each shipped URDB file came from, with its
// license, and the code it is shipped under.
var shippedURDB = map[string]URDBOptions{
	"SCE_TOU-8_Option-D_Under-2-kV.json": {Code: "TOU-8-D",
		DataSource: "erock25/urdb-tariff-viewer_v3 data/tariffs/SCE_TOU-8_ Option-D_Under-2-kV.json (MIT License, Copyright (c) 2025 URDB Tariff Viewer Team)"},
	"PGE_E-19_Secondary_2019_from_REopt_API.json": {Code: "E-19",
		DataSource: "NREL/REopt_API reo/tests/posts/test_cold_POST.json urdb_response (BSD 3-Clause License, Copyright (c) 2020 Alliance for Sustainable Energy, LLC)"},
}

// Shipped returns the tariff versions built into gridbook: the 2025
// residential SCE TOU-D-4-9PM, SCE TOU-D-PRIME and PG&E E-ELEC (native
// files constructed from the tariff sheets) and the commercial SCE TOU-8
// Option D and PG&E E-19 (URDB records), in file-name order.
func Shipped() ([]Version, error) {
	var out []Version
	natives, err := fs.Glob(data, "data/native/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range natives {
		b, err := data.ReadFile(name)
		if err != nil {
			return nil, err
		}
		vs, err := ParseNative(b)
		if err != nil {
			return nil, fmt.Errorf("tariff: shipped %s: %w", name, err)
		}
		out = append(out, vs...)
	}
	urdbs, err := fs.Glob(data, "data/urdb/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range urdbs {
		b, err := data.ReadFile(name)
		if err != nil {
			return nil, err
		}
		opt, ok := shippedURDB[path.Base(name)]
		if !ok {
			return nil, fmt.Errorf("tariff: shipped %s has no recorded source", name)
		}
		vs, err := ParseURDB(b, opt)
		if err != nil {
			return nil, fmt.Errorf("tariff: shipped %s: %w", name, err)
		}
		out = append(out, vs...)
	}
	return out, nil
}

// ShippedExportTables returns the export-price tables built into gridbook:
// SCE's published Energy Export Credit prices of the 2024 vintage.
func ShippedExportTables() ([]ExportTable, error) {
	names, err := fs.Glob(data, "data/nbt/*.csv")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	var out []ExportTable
	for _, name := range names {
		b, err := data.ReadFile(name)
		if err != nil {
			return nil, err
		}
		opt, ok := ExportOptionsFromName(path.Base(name))
		if !ok {
			return nil, fmt.Errorf("tariff: shipped %s: cannot tell utility and vintage from the name", name)
		}
		opt.Source = "SCE-published Energy Export Credit prices, via darroni/SCE_greenbutton Example_ECC_data.csv (public utility publication)"
		t, err := ParseExportCSV(bytes.NewReader(b), opt)
		if err != nil {
			return nil, fmt.Errorf("tariff: shipped %s: %w", name, err)
		}
		out = append(out, *t)
	}
	return out, nil
}
