package web

import (
	"context"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/store"
)

// TaskRunView is the Data of the "task_run" partial: a recurring task, the
// command that runs it by hand, and its latest run (nil before the first).
type TaskRunView struct {
	ID, Label, Command string
	Run                *store.TaskRun
}

// taskRun reads a recurring task's latest run for the "task_run" partial.
func (h *handler) taskRun(ctx context.Context, task, label, command string) (TaskRunView, error) {
	v := TaskRunView{ID: strings.ReplaceAll(task, ".", "-"), Label: label, Command: command}
	r, err := h.db.LastTaskRun(ctx, task)
	switch {
	case err == nil:
		v.Run = &r
	case !apperr.Is(err, apperr.NotFound):
		return v, err
	}
	return v, nil
}
