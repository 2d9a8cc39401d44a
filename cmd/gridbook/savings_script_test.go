package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestSavingsScripts runs the `gridbook savings` script tests in
// testdata/savings against eemeter's samples in ../shared/data/eemeter
// ($EEMETER in the scripts); they skip when the samples are absent.
func TestSavingsScripts(t *testing.T) {
	dir, err := filepath.Abs("../../../shared/data/eemeter")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "samples")); err != nil {
		t.Skipf("eemeter samples not available: %v", err)
	}
	testscript.Run(t, testscript.Params{Dir: "testdata/savings", Setup: func(env *testscript.Env) error {
		env.Setenv("EEMETER", dir)
		return nil
	}})
}
