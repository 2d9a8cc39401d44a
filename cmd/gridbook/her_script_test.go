package main

import (
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestHERScripts runs the `gridbook her` script tests in testdata/her.
func TestHERScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/her"})
}
