package main

import (
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestCosteffScripts runs the `gridbook costeff` script tests in
// testdata/costeff.
func TestCosteffScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/costeff"})
}
