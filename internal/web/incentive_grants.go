package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// GrantPlan is the staged disbursement of a grant on the console's
// application page (docs/incentives.md, "Staged disbursement"): the plan's
// tranches with their evidence and, for writers, the forms that plan,
// attach evidence, approve and pay. Every refusal is shown next to the
// input it concerns, in the form it came from.
type GrantPlan struct {
	AppID     int64
	Planned   bool
	Award     money.Cents
	Held      money.Cents // still reserved in the budget for the award
	Committed money.Cents
	Remaining money.Cents
	Project   string // the tracked project the tranches follow, if any
	ProjectID int64
	Rows      []TrancheRow

	// The plan form, offered to writers while the whole award is reserved
	// and no plan exists.
	CanPlan      bool
	PlanTranches Input  // textarea: one "milestone amount" a line
	PlanProject  Select // the agency's tracked projects
	PlanError    string // a refusal that is not about one input
}

// TrancheRow is one tranche with its documents and its forms' inputs.
type TrancheRow struct {
	incentive.Tranche
	Documents  []store.DocumentInfo
	CanAttach  bool
	CanApprove bool
	CanPay     bool
	File       RowInput
	ApproveOn  RowInput
	Amount     RowInput
	PayOn      RowInput
	RefInput   RowInput
	Error      string // a refusal that is not about one input (order, project milestone, state)
}

// RowInput is an Input whose element id is its own, for forms repeated
// on every row of a table (the "input" partial renders it).
type RowInput struct {
	Input
	Key string // element id
}

// ID is the element id of the control.
func (in RowInput) ID() string { return in.Key }

// DescribedBy lists the ids of the hint and error elements.
func (in RowInput) DescribedBy() string {
	var ids []string
	if in.Hint != "" {
		ids = append(ids, in.Key+"-hint")
	}
	if in.Error != "" {
		ids = append(ids, in.Key+"-error")
	}
	return strings.Join(ids, " ")
}

// grantPost is a disbursement form that was refused: which form, the
// values posted (kept in the inputs) and the error to place.
type grantPost struct {
	kind   string // plan, attach, approve, pay
	seq    int
	values map[string]string
	err    error
}

// grantPlan builds the disbursement part of an application's page, or nil
// when the application is not a grant.
func (h *handler) grantPlan(ctx context.Context, a incentive.Application, docs []store.DocumentInfo, writer bool, post *grantPost) (*GrantPlan, error) {
	if a.PaymentMethod != incentive.PayGrant {
		return nil, nil
	}
	g := &GrantPlan{AppID: a.ID, Award: a.AmountCents, Held: a.ReservedCents, Remaining: a.AmountCents}
	d, err := h.db.Disbursement(ctx, a.ID)
	switch {
	case apperr.Is(err, apperr.NotFound):
		g.CanPlan = writer && a.Status == incentive.Reserved && a.ReservedCents == a.AmountCents && a.ApprovedCents == 0
		if g.CanPlan {
			if err := h.planForm(ctx, g, a, post); err != nil {
				return nil, err
			}
		}
		return g, nil
	case err != nil:
		return nil, err
	}
	eng := d.Engine()
	g.Planned, g.Held, g.Committed, g.Remaining, g.ProjectID = true, d.HeldCents, eng.Committed(), eng.Remaining(), d.ProjectID
	if d.ProjectID != 0 {
		p, err := h.db.Project(ctx, d.ProjectID)
		if err != nil {
			return nil, err
		}
		g.Project = p.Name
	}
	byID := map[int64]store.DocumentInfo{}
	for _, doc := range docs {
		byID[doc.ID] = doc
	}
	earlierDone := true // every earlier tranche approved or paid
	for _, t := range d.Tranches {
		row := TrancheRow{Tranche: t}
		for _, id := range d.Documents[t.Seq] {
			row.Documents = append(row.Documents, byID[id])
		}
		open := a.Status == incentive.Reserved
		row.CanAttach = writer && (t.Status == incentive.TranchePlanned || t.Status == incentive.TrancheApproved)
		row.CanApprove = writer && open && t.Status == incentive.TranchePlanned && earlierDone
		row.CanPay = writer && t.Status == incentive.TrancheApproved
		earlierDone = earlierDone && (t.Status == incentive.TrancheApproved || t.Status == incentive.TranchePaid)
		p := fmt.Sprintf("t%d-", t.Seq)
		row.File = RowInput{Key: p + "file", Input: Input{Name: "file", Label: "Evidence", Type: "file", Hint: "the agreement, report or inspection showing the milestone is done"}}
		row.ApproveOn = RowInput{Key: p + "approve-on", Input: Input{Name: "on", Label: "Approved on", Type: "date", Hint: "empty: today"}}
		row.Amount = RowInput{Key: p + "amount", Input: Input{Name: "amount", Label: "Amount ($)", Type: "text", InputMode: "decimal", Hint: "empty: the planned " + t.PlannedCents.String()}}
		row.PayOn = RowInput{Key: p + "pay-on", Input: Input{Name: "on", Label: "Paid on", Type: "date", Hint: "empty: today"}}
		row.RefInput = RowInput{Key: p + "reference", Input: Input{Name: "reference", Label: "Payment reference", Type: "text", Required: true, Hint: "check or ACH trace number"}}
		if post != nil && post.seq == t.Seq {
			placeTrancheError(&row, post)
		}
		g.Rows = append(g.Rows, row)
	}
	return g, nil
}

// planForm fills the plan form: the tranches box and the agency's tracked
// Power Ready projects, with a refused plan's values and errors.
func (h *handler) planForm(ctx context.Context, g *GrantPlan, a incentive.Application, post *grantPost) error {
	g.PlanTranches = Input{Name: "tranches", Label: "Tranches", Type: "textarea", Required: true,
		Hint: fmt.Sprintf("one milestone a line with its amount in dollars, in the order they are paid, together no more than the %s award: design 200000", a.AmountCents)}
	opts := []Option{{Value: "", Label: "none"}}
	if a.ProgramID == incentive.TrackPowerReady {
		ps, err := h.db.Projects(ctx, incentive.TrackPowerReady)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if a.MemberAgency == "" || p.Agency == a.MemberAgency {
				opts = append(opts, Option{Value: strconv.FormatInt(p.ID, 10), Label: p.Name})
			}
		}
	}
	g.PlanProject = Select{Input: Input{Name: "project_id", Label: "Tracked project",
		Hint: "the tranches then follow its milestones: each is approved only once the project's milestone is done"}, Options: opts}
	if post == nil || post.kind != "plan" {
		return nil
	}
	g.PlanTranches.Value, g.PlanProject.Value = post.values["tranches"], post.values["project_id"]
	var other []string
	for _, f := range apperr.FieldsOf(post.err) {
		switch {
		case f.Field == "project_id":
			g.PlanProject.Error = joinErr(g.PlanProject.Error, f.Msg)
		case strings.HasPrefix(f.Field, "tranches"):
			g.PlanTranches.Error = joinErr(g.PlanTranches.Error, lineOf(f.Field)+f.Msg)
		default:
			other = append(other, f.Field+" "+f.Msg)
		}
	}
	if len(apperr.FieldsOf(post.err)) == 0 {
		other = append(other, apperr.MessageOf(post.err))
	}
	g.PlanError = strings.Join(other, "; ")
	return nil
}

// lineOf names the line of the tranches box an error field such as
// tranches[1].amount_cents points at ("line 2: ").
func lineOf(field string) string {
	i, j := strings.Index(field, "["), strings.Index(field, "]")
	if i < 0 || j < i {
		return ""
	}
	n, err := strconv.Atoi(field[i+1 : j])
	if err != nil {
		return ""
	}
	what := strings.TrimPrefix(field[j+1:], ".")
	if what == "amount_cents" {
		what = "amount"
	}
	return fmt.Sprintf("line %d, %s: ", n+1, what)
}

func joinErr(have, msg string) string {
	if have == "" {
		return msg
	}
	return have + "; " + msg
}

// placeTrancheError puts a refused tranche form's values back and each
// error next to its input.
func placeTrancheError(row *TrancheRow, post *grantPost) {
	fields := apperr.FieldsOf(post.err)
	var other []string
	for _, f := range fields {
		switch {
		case post.kind == "attach":
			msg := f.Msg
			if f.Field != "file" {
				msg = strings.ReplaceAll(f.Field, "_", " ") + " " + f.Msg
			}
			row.File.Error = joinErr(row.File.Error, msg)
		case f.Field == "documents":
			row.File.Error = joinErr(row.File.Error, f.Msg)
		case f.Field == "on" && post.kind == "approve":
			row.ApproveOn.Error = joinErr(row.ApproveOn.Error, f.Msg)
		case f.Field == "on" && post.kind == "pay":
			row.PayOn.Error = joinErr(row.PayOn.Error, f.Msg)
		case (f.Field == "amount_cents" || f.Field == "amount") && post.kind == "approve":
			row.Amount.Error = joinErr(row.Amount.Error, f.Msg)
		case f.Field == "reference":
			row.RefInput.Error = joinErr(row.RefInput.Error, f.Msg)
		default:
			other = append(other, f.Msg)
		}
	}
	if len(fields) == 0 {
		other = append(other, apperr.MessageOf(post.err))
	}
	row.Error = strings.Join(other, "; ")
	switch post.kind {
	case "approve":
		row.ApproveOn.Value, row.Amount.Value = post.values["on"], post.values["amount"]
	case "pay":
		row.PayOn.Value, row.RefInput.Value = post.values["on"], post.values["reference"]
	}
}

// grantStep runs a disbursement form's store call; a refusal re-renders
// the application page with the errors in that form, anything else
// redirects back to the page with a flash.
func (h *handler) grantStep(w http.ResponseWriter, r *http.Request, post grantPost, done string, fn func(ctx context.Context, tx *store.Tx, id int64) error) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	if post.err == nil {
		post.err = h.db.InTx(ctx, func(tx *store.Tx) error { return fn(ctx, tx, id) })
	}
	if post.err == nil {
		SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: done})
		Redirect(w, r, fmt.Sprintf("/incentives/applications/%d#disbursement", id))
		return
	}
	if k := apperr.KindOf(post.err); k != apperr.Invalid && k != apperr.Conflict {
		h.rd.Error(w, r, post.err)
		return
	}
	page, err := h.applicationPage(r, id, true)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	if page.Grant, err = h.grantPlan(ctx, page.App, page.Documents, true, &post); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	planActions(&page)
	what := "The plan was not saved"
	if post.kind != "plan" {
		what = fmt.Sprintf("Tranche %d: %s refused", post.seq, map[string]string{"attach": "evidence", "approve": "approval", "pay": "payment"}[post.kind])
	}
	msg := what + ": see the disbursement plan below."
	if placed := post.kind == "plan" && page.Grant != nil && page.Grant.CanPlan ||
		page.Grant != nil && slices.ContainsFunc(page.Grant.Rows, func(t TrancheRow) bool { return t.Seq == post.seq }); !placed {
		msg = what + ": " + problemText(post.err)
	}
	h.rd.Render(w, r, StatusOf(post.err), "console/incentive_application", &View{Title: fmt.Sprintf("Application %d", id), Nav: NavIncentives,
		Data: page, Message: msg})
}

// trancheSeq reads the tranche number of the path.
func trancheSeq(r *http.Request) (int, error) {
	seq, err := strconv.Atoi(r.PathValue("seq"))
	if err != nil || seq <= 0 {
		return 0, apperr.NotFoundf("web", "There is no page at this address.")
	}
	return seq, nil
}

// grantPlanCreate plans a reserved grant's tranches (POST
// /incentives/applications/{id}/disbursement: tranches, one "milestone
// amount" a line, and project_id).
func (h *handler) grantPlanCreate(w http.ResponseWriter, r *http.Request) {
	post := grantPost{kind: "plan", values: map[string]string{"tranches": r.PostFormValue("tranches"), "project_id": r.PostFormValue("project_id")}}
	var f apperr.Fields
	var specs []incentive.TrancheSpec
	n := 0
	for _, line := range strings.Split(post.values["tranches"], "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		n++
		parts := strings.Fields(line)
		if len(parts) != 2 {
			f.Add("tranches", "line %d: write the milestone and its amount, such as design 200000", n)
			continue
		}
		amt, err := money.ParseDollars(parts[1])
		if err != nil {
			f.Add("tranches", "line %d: %q is not a dollar amount such as 200000 or 200,000.00", n, parts[1])
			continue
		}
		specs = append(specs, incentive.TrancheSpec{Milestone: parts[0], AmountCents: amt})
	}
	var project int64
	if s := strings.TrimSpace(post.values["project_id"]); s != "" {
		var err error
		if project, err = strconv.ParseInt(s, 10, 64); err != nil || project <= 0 {
			f.Add("project_id", "choose one of the listed projects")
		}
	}
	post.err = f.Err("web.grantPlan")
	h.grantStep(w, r, post, fmt.Sprintf("Disbursement planned in %d tranches.", len(specs)), func(ctx context.Context, tx *store.Tx, id int64) error {
		_, err := tx.PlanDisbursement(ctx, UserFromContext(ctx).Actor(), id, project, specs)
		return err
	})
}

// grantTrancheDocument attaches a tranche's evidence (POST
// /incentives/applications/{id}/tranches/{seq}/documents, multipart: file).
func (h *handler) grantTrancheDocument(w http.ResponseWriter, r *http.Request) {
	seq, err := trancheSeq(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	post := grantPost{kind: "attach", seq: seq}
	r.Body = http.MaxBytesReader(w, r.Body, store.MaxDocumentBytes+1<<20)
	var name, ctype string
	var content []byte
	err = r.ParseMultipartForm(1 << 20)
	if err == nil {
		defer r.MultipartForm.RemoveAll()
		file, hdr, ferr := r.FormFile("file")
		if ferr != nil {
			var f apperr.Fields
			f.Add("file", "choose the document to attach")
			err = f.Err("web.grantTrancheDocument")
		} else {
			defer file.Close()
			name = hdr.Filename
			if mt, _, perr := mime.ParseMediaType(hdr.Header.Get("Content-Type")); perr == nil {
				ctype = mt
			}
			content, err = io.ReadAll(file)
		}
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		var f apperr.Fields
		f.Add("file", "the document is larger than %d MiB", store.MaxDocumentBytes>>20)
		err = f.Err("web.grantTrancheDocument")
	} else if err != nil && apperr.KindOf(err) != apperr.Invalid {
		var f apperr.Fields
		f.Add("file", "the upload could not be read; choose the file again")
		err = f.Err("web.grantTrancheDocument")
	}
	post.err = err
	h.grantStep(w, r, post, fmt.Sprintf("%s attached to tranche %d.", name, seq), func(ctx context.Context, tx *store.Tx, id int64) error {
		_, err := tx.AttachTrancheDocument(ctx, UserFromContext(ctx).Actor(), id, seq, name, ctype, content, "")
		return err
	})
}

// trancheForm reads the approve and pay forms' on date (empty: today).
func trancheForm(r *http.Request, f *apperr.Fields) (calendar.Date, map[string]string) {
	values := map[string]string{"on": strings.TrimSpace(r.PostFormValue("on")), "amount": strings.TrimSpace(r.PostFormValue("amount")),
		"reference": strings.TrimSpace(r.PostFormValue("reference"))}
	var on calendar.Date
	if values["on"] != "" {
		var err error
		if on, err = calendar.ParseDate(values["on"]); err != nil {
			f.Add("on", "must be a date such as 2026-03-08")
		}
	}
	return on, values
}

// grantTrancheApprove approves a tranche's milestone and commits its
// amount (POST /incentives/applications/{id}/tranches/{seq}/approve: on,
// amount in dollars, empty for the planned amount).
func (h *handler) grantTrancheApprove(w http.ResponseWriter, r *http.Request) {
	seq, err := trancheSeq(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	var f apperr.Fields
	on, values := trancheForm(r, &f)
	var amount money.Cents
	if values["amount"] != "" {
		if amount, err = money.ParseDollars(values["amount"]); err != nil || amount <= 0 {
			f.Add("amount", "must be a positive dollar amount such as 200000.00, or empty for the planned amount")
		}
	}
	post := grantPost{kind: "approve", seq: seq, values: values, err: f.Err("web.grantTrancheApprove")}
	h.grantStep(w, r, post, fmt.Sprintf("Tranche %d approved.", seq), func(ctx context.Context, tx *store.Tx, id int64) error {
		_, err := tx.ApproveTranche(ctx, UserFromContext(ctx).Actor(), id, seq, amount, on, h.today())
		return err
	})
}

// grantTranchePay records an approved tranche's disbursement (POST
// /incentives/applications/{id}/tranches/{seq}/pay: on, reference).
func (h *handler) grantTranchePay(w http.ResponseWriter, r *http.Request) {
	seq, err := trancheSeq(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	var f apperr.Fields
	on, values := trancheForm(r, &f)
	post := grantPost{kind: "pay", seq: seq, values: values, err: f.Err("web.grantTranchePay")}
	h.grantStep(w, r, post, fmt.Sprintf("Tranche %d paid.", seq), func(ctx context.Context, tx *store.Tx, id int64) error {
		_, err := tx.PayTranche(ctx, UserFromContext(ctx).Actor(), id, seq, on, values["reference"], h.today())
		return err
	})
}

// grantRoutes registers the disbursement forms of a grant's page.
func (h *handler) grantRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /incentives/applications/{id}/disbursement", h.writersOnly(h.grantPlanCreate))
	mux.HandleFunc("POST /incentives/applications/{id}/tranches/{seq}/documents", h.writersOnly(h.grantTrancheDocument))
	mux.HandleFunc("POST /incentives/applications/{id}/tranches/{seq}/approve", h.writersOnly(h.grantTrancheApprove))
	mux.HandleFunc("POST /incentives/applications/{id}/tranches/{seq}/pay", h.writersOnly(h.grantTranchePay))
}

// planActions drops the workflow actions a grant paid in tranches refuses
// (its claim, approval, payment and expiry go through the tranches).
func planActions(page *ApplicationPage) {
	if page.Grant == nil || !page.Grant.Planned {
		return
	}
	page.Actions = slices.DeleteFunc(page.Actions, func(a Action) bool {
		switch incentive.Status(a.Status) {
		case incentive.ClaimSubmitted, incentive.QAInspection, incentive.Approved, incentive.PaymentPending, incentive.Paid, incentive.Expired:
			return true
		}
		return false
	})
}
