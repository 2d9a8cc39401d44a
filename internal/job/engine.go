package job

import (
	"context"
	"encoding/json"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// engine is the part of River the Queue uses, with River's transaction type
// parameter hidden so that Queue stays one non-generic type for both
// databases.
type engine interface {
	insert(ctx context.Context, args rawArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	get(ctx context.Context, id int64) (*rivertype.JobRow, error)
	list(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	cancel(ctx context.Context, id int64) (*rivertype.JobRow, error)
	setOutput(ctx context.Context, id int64, output any) error
	// newWorker builds a second River client, configured to work jobs.
	newWorker(cfg *river.Config) (worker, error)
}

// worker is a River client that works jobs.
type worker interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
}

// riverEngine implements engine for one River driver.
type riverEngine[TTx any] struct {
	driver riverdriver.Driver[TTx]
	client *river.Client[TTx] // insert-only: no Queues, never started
}

func newRiverEngine[TTx any](driver riverdriver.Driver[TTx], cfg *river.Config) (*riverEngine[TTx], error) {
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		return nil, err
	}
	return &riverEngine[TTx]{driver: driver, client: client}, nil
}

func (e *riverEngine[TTx]) insert(ctx context.Context, args rawArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return e.client.Insert(ctx, args, opts)
}

func (e *riverEngine[TTx]) get(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return e.client.JobGet(ctx, id)
}

func (e *riverEngine[TTx]) list(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error) {
	return e.client.JobList(ctx, params)
}

func (e *riverEngine[TTx]) cancel(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return e.client.JobCancel(ctx, id)
}

func (e *riverEngine[TTx]) setOutput(ctx context.Context, id int64, output any) error {
	_, err := e.client.JobUpdate(ctx, id, &river.JobUpdateParams{Output: output})
	return err
}

func (e *riverEngine[TTx]) newWorker(cfg *river.Config) (worker, error) {
	return river.NewClient(e.driver, cfg)
}

// rawArgs carries a job's kind and its already-encoded JSON arguments through
// River, which otherwise wants one Go type per kind.
type rawArgs struct {
	kind string
	raw  json.RawMessage
}

// Kind implements river.JobArgs.
func (a rawArgs) Kind() string { return a.kind }

// MarshalJSON returns the encoded arguments unchanged.
func (a rawArgs) MarshalJSON() ([]byte, error) { return a.raw, nil }

// UnmarshalJSON keeps a copy of the encoded arguments.
func (a *rawArgs) UnmarshalJSON(b []byte) error {
	a.raw = append(a.raw[:0], b...)
	return nil
}
