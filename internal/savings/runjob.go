package savings

// RunJobKind is the durable job kind that works a stored portfolio savings
// run (store.WorkSavingsRun) with RunJobArgs, at most RunJobAttempts
// times; a retried attempt evaluates only the meters not yet evaluated.
// The CLI (gridbook savings portfolio) and the console's "Run savings"
// form enqueue it; gridbook serve's workers run it.
const (
	RunJobKind     = "savings.run"
	RunJobAttempts = 3
)

// RunJobArgs are the arguments of a savings.run job.
type RunJobArgs struct {
	RunID int64 `json:"run_id"`
}
