package main

import (
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The dependency rules of the README: the leaves import only apperr and
// each other in the order apperr ← energy, calendar ← money; domain
// packages never import store, job, api or web. A new engine package joins
// the domain list.
func TestPackagesFollowTheDependencyRules(t *testing.T) {
	const module = "github.com/gridbook/gridbook/internal/"
	leaves := map[string][]string{
		"apperr":   nil,
		"energy":   {"apperr"},
		"calendar": {"apperr"},
		"money":    {"apperr", "energy"},
	}
	domain := []string{"reference", "customer", "auth", "meterdata", "tariff", "billing", "billrun", "dr", "evcharge", "emissions", "solar", "savings", "incentive", "energyteam"}
	upper := []string{"store", "job", "api", "web", "demo"}
	dirs, err := os.ReadDir(filepath.Join("..", "..", "internal"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		name := d.Name()
		pkg, err := build.ImportDir(filepath.Join("..", "..", "internal", name), 0)
		if err != nil {
			continue // no buildable Go files (data only)
		}
		var ours []string
		for _, imp := range pkg.Imports {
			if rest, ok := strings.CutPrefix(imp, module); ok {
				ours = append(ours, strings.SplitN(rest, "/", 2)[0])
			}
		}
		if allowed, isLeaf := leaves[name]; isLeaf {
			for _, o := range ours {
				if !slices.Contains(allowed, o) {
					t.Errorf("leaf package %s imports %s; it may import only %v", name, o, allowed)
				}
			}
			continue
		}
		if !slices.Contains(domain, name) {
			continue
		}
		for _, o := range ours {
			if slices.Contains(upper, o) {
				t.Errorf("domain package %s imports %s", name, o)
			}
		}
	}
}
