package job

import (
	"fmt"
	"os"
	"testing"
)

// TestMain runs the package's tests, or, in a worker process started by
// TestWorkerProcessesShareQueue (helperEnv set to "1"), that process's
// body instead: the worker is not a test, so it is never listed, run or
// skipped as one.
func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		if err := runHelperWorker(); err != nil {
			fmt.Fprintf(os.Stderr, "worker %d: %v\n", os.Getpid(), err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
