package nem

import (
	"slices"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
)

// walk advances a through steps, failing the test on any error.
func walk(t *testing.T, a Application, today string, steps ...Step) Application {
	t.Helper()
	for _, s := range steps {
		var err error
		if a, err = Advance(a, s, mustDate(t, today)); err != nil {
			t.Fatalf("step to %s: %v", s.To, err)
		}
	}
	return a
}

// wantRefusal checks that err is Invalid with a field whose message names
// the rule.
func wantRefusal(t *testing.T, err error, field, rule string) {
	t.Helper()
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("err = %v, want Invalid", err)
	}
	for _, f := range apperr.FieldsOf(err) {
		if f.Field == field && strings.Contains(f.Msg, "rule "+rule) {
			return
		}
	}
	t.Errorf("fields %+v, want %s naming rule %s", apperr.FieldsOf(err), field, rule)
}

// TestLifecycleRecordsEachMilestoneDate walks an application from draft to
// termination (issue 4's lifecycle) and checks the dates it keeps.
func TestLifecycleRecordsEachMilestoneDate(t *testing.T) {
	a := Application{Status: Draft}
	a = walk(t, a, "2026-06-30",
		Step{To: Submitted, On: day(2026, 3, 2)},
		Step{To: CompletenessReview, On: day(2026, 3, 3)},
		Step{To: TechnicalReview, On: day(2026, 3, 5)},
		Step{To: Approved, On: day(2026, 3, 20)},
		Step{To: AgreementSigned, On: day(2026, 3, 23)},
		Step{To: MeterReady, On: day(2026, 4, 1), MeterMethod: MeterSwap},
		Step{To: PTOIssued, On: day(2026, 4, 2)},
		Step{To: Active, On: day(2026, 4, 3)},
		Step{To: Terminated, On: day(2026, 6, 30), Note: "customer removed the system"},
	)
	m := a.Milestones
	if m.Submitted != day(2026, 3, 2) || m.Complete != day(2026, 3, 5) || m.Approved != day(2026, 3, 20) ||
		m.Agreement != day(2026, 3, 23) || m.Meter != day(2026, 4, 1) || m.PTO != day(2026, 4, 2) ||
		m.Active != day(2026, 4, 3) || m.Closed != day(2026, 6, 30) || a.MeterMethod != MeterSwap || a.Status != Terminated {
		t.Errorf("milestones %+v, method %s, status %s", m, a.MeterMethod, a.Status)
	}
}

// TestPTOBeforeApprovalIsRefused: rule pto_after_approval.
func TestPTOBeforeApprovalIsRefused(t *testing.T) {
	a := walk(t, Application{Status: Draft}, "2026-06-30",
		Step{To: Submitted, On: day(2026, 3, 2)}, Step{To: CompletenessReview, On: day(2026, 3, 2)},
		Step{To: TechnicalReview, On: day(2026, 3, 4)}, Step{To: Approved, On: day(2026, 3, 20)},
		Step{To: AgreementSigned, On: day(2026, 3, 20)}, Step{To: MeterReady, On: day(2026, 3, 20), MeterMethod: MeterReprogram})
	_, err := Advance(a, Step{To: PTOIssued, On: day(2026, 3, 19)}, day(2026, 6, 30))
	wantRefusal(t, err, "on", "pto_after_approval")
	// Skipping approval altogether is refused by the lifecycle.
	b := walk(t, Application{Status: Draft}, "2026-06-30", Step{To: Submitted, On: day(2026, 3, 2)})
	_, err = Advance(b, Step{To: PTOIssued, On: day(2026, 3, 3)}, day(2026, 6, 30))
	wantRefusal(t, err, "to", "lifecycle")
}

// TestStepsNeedReasonsDatesAndMeterMethod: returning, rejecting,
// withdrawing and terminating say why; no step is dated after today; the
// meter step says reprogram or swap; an incomplete application goes back
// to draft keeping its application date.
func TestStepsNeedReasonsDatesAndMeterMethod(t *testing.T) {
	a := walk(t, Application{Status: Draft}, "2026-03-10", Step{To: Submitted, On: day(2026, 3, 2)}, Step{To: CompletenessReview, On: day(2026, 3, 3)})
	_, err := Advance(a, Step{To: Draft, On: day(2026, 3, 4)}, day(2026, 3, 10))
	wantRefusal(t, err, "note", "note")
	back, err := Advance(a, Step{To: Draft, On: day(2026, 3, 4), Note: "single-line diagram missing"}, day(2026, 3, 10))
	if err != nil || back.Status != Draft || back.Submitted != day(2026, 3, 2) {
		t.Fatalf("return to draft: %v %+v", err, back)
	}
	again := walk(t, back, "2026-03-10", Step{To: Submitted, On: day(2026, 3, 9)})
	if again.Submitted != day(2026, 3, 2) {
		t.Errorf("resubmission moved the application date to %s", again.Submitted)
	}
	_, err = Advance(again, Step{To: CompletenessReview, On: day(2026, 3, 11)}, day(2026, 3, 10))
	wantRefusal(t, err, "on", "chronology")
	_, err = Advance(again, Step{To: Withdrawn, On: day(2026, 3, 10)}, day(2026, 3, 10))
	wantRefusal(t, err, "note", "note")

	m := walk(t, Application{Status: Draft}, "2026-06-30", Step{To: Submitted, On: day(2026, 3, 2)}, Step{To: CompletenessReview, On: day(2026, 3, 2)},
		Step{To: TechnicalReview, On: day(2026, 3, 4)}, Step{To: Approved, On: day(2026, 3, 20)}, Step{To: AgreementSigned, On: day(2026, 3, 20)})
	_, err = Advance(m, Step{To: MeterReady, On: day(2026, 3, 25)}, day(2026, 6, 30))
	wantRefusal(t, err, "meter_method", "meter_method")
}

// TestStatusesMoveOnlyForward lists what each status may become.
func TestStatusesMoveOnlyForward(t *testing.T) {
	if got := Active.Next(); !slices.Equal(got, []Status{Terminated}) {
		t.Errorf("active → %v", got)
	}
	for _, s := range []Status{Terminated, Withdrawn, Rejected} {
		if len(s.Next()) != 0 || !s.Closed() {
			t.Errorf("%s is not final", s)
		}
	}
	if !Approved.Open() || Draft.Open() || PTOIssued.Open() {
		t.Error("Open() is wrong")
	}
}
