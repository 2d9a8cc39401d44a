package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// sscInputs are the NREL ssc utilityrate5 test inputs the SAM-mode scripts
// bill; internal/billing/testdata/ssc/README.md gives their source,
// conversion and license.
var sscInputs = []string{"residential_tou.json", "residential_tou_sell_eq_buy.json", "residential_load_hourly.csv", "residential_hourly.csv"}

// TestSAMScripts runs the script tests in testdata/samscript: `bill calc
// --calendar sam` on ssc's own test inputs, copied into each script's
// work directory.
func TestSAMScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/samscript", Setup: func(env *testscript.Env) error {
		for _, name := range sscInputs {
			b, err := os.ReadFile(filepath.Join("..", "..", "internal", "billing", "testdata", "ssc", name))
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(env.WorkDir, name), b, 0o644); err != nil {
				return err
			}
		}
		return nil
	}})
}
