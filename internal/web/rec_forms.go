package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/rec"
	"github.com/gridbook/gridbook/internal/store"
)

// The registry's write forms on an account page: transfer and retire.
// Their inputs are named "transfer.<field>" and "retire.<field>", where
// <field> is the name package rec reports a problem under (block_id,
// quantity, to_account_id, account_id, reason, compliance_year …), so a
// refusal lands next to its input even with both forms on one page. A
// refused command changes nothing: it runs in one transaction that is
// rolled back.

// RecTransferForm is the transfer form as typed.
type RecTransferForm struct {
	BlockID, Quantity, To, Note string
}

// RecRetireForm is the retirement form as typed.
type RecRetireForm struct {
	BlockID, Quantity, AccountID, Reason, Beneficiary, ComplianceYear string
}

// formNum reads a whole number input; empty is 0, anything else that is
// not a whole number adds a problem under field.
func formNum(f *apperr.Fields, field, s string) int64 {
	s = strings.TrimSpace(strings.ReplaceAll(s, ",", ""))
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f.Add(field, "%q is not a whole number", s)
	}
	return n
}

// prefixed returns err with each field problem renamed prefix+field, or
// err itself when it names no field.
func prefixed(err error, prefix, op string) error {
	fs := apperr.FieldsOf(err)
	if len(fs) == 0 || !apperr.Is(err, apperr.Invalid) {
		return err
	}
	var out apperr.Fields
	for _, f := range fs {
		if !strings.HasPrefix(f.Field, prefix) {
			f.Field = prefix + f.Field
		}
		out = append(out, f)
	}
	return out.Err(op)
}

// required adds a problem for each empty input.
func required(f *apperr.Fields, pairs ...string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			f.Add(pairs[i], "is required")
		}
	}
}

// recTransfer starts a transfer from the account (POST
// /rec/accounts/{id}/transfer): writing staff from any active account,
// participants from their own. The certificates stay pending until the
// receiver accepts.
func (h *handler) recTransfer(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathInt(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	const op = "web.recTransfer"
	fv := func(n string) string { return strings.TrimSpace(r.PostFormValue("transfer." + n)) }
	form := RecTransferForm{BlockID: fv("block_id"), Quantity: fv("quantity"), To: fv("to_account_id"), Note: fv("note")}
	var f apperr.Fields
	required(&f, "transfer.block_id", form.BlockID, "transfer.quantity", form.Quantity, "transfer.to_account_id", form.To)
	c := rec.TransferCmd{BlockID: formNum(&f, "transfer.block_id", form.BlockID), Quantity: formNum(&f, "transfer.quantity", form.Quantity),
		To: formNum(&f, "transfer.to_account_id", form.To), Note: form.Note}
	err = f.Err(op)
	var t rec.Transfer
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			if err := h.blockOfAccount(r, tx, id, c.BlockID, "transfer.block_id"); err != nil {
				return err
			}
			reg, err := h.registryFor(ctx, tx)
			if err != nil {
				return err
			}
			t, err = reg.InitiateTransfer(ctx, c)
			return prefixed(err, "transfer.", op)
		})
	}
	if err != nil {
		h.recAccountRefused(w, r, err, func(p *RecAccountPage) { p.Transfer = form })
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Transfer #%d of %s certificates is pending until the receiver accepts it.", t.ID, mwh(t.Quantity))})
	Redirect(w, r, fmt.Sprintf("/rec/accounts/%d", id))
}

// blockOfAccount checks that the account is one the user may act on and
// that the block is in it (a problem under field otherwise).
func (h *handler) blockOfAccount(r *http.Request, tx *store.Tx, accountID, blockID int64, field string) error {
	ctx := r.Context()
	if _, err := tx.RecAccountOf(ctx, UserFromContext(ctx).RegistryOrg(), accountID); err != nil {
		return err
	}
	b, err := tx.RecBlock(ctx, blockID)
	if err == nil && b.AccountID != accountID {
		err = apperr.NotFoundf("web", "no block %d", blockID)
	}
	if apperr.Is(err, apperr.NotFound) {
		var f apperr.Fields
		f.Add(field, "block %d is not in this account", blockID)
		return f.Err("web")
	}
	return err
}

// recRetire retires certificates of a block of the account (POST
// /rec/accounts/{id}/retire) with reason, beneficiary and compliance
// year. An RPS retirement past the 36-month deadline is refused next to
// the reason with the deadline shown; nothing is stored on refusal.
func (h *handler) recRetire(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathInt(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	const op = "web.recRetire"
	fv := func(n string) string { return strings.TrimSpace(r.PostFormValue("retire." + n)) }
	form := RecRetireForm{BlockID: fv("block_id"), Quantity: fv("quantity"), AccountID: fv("account_id"), Reason: fv("reason"),
		Beneficiary: fv("beneficiary"), ComplianceYear: fv("compliance_year")}
	var f apperr.Fields
	required(&f, "retire.block_id", form.BlockID, "retire.quantity", form.Quantity, "retire.account_id", form.AccountID, "retire.reason", form.Reason)
	c := rec.RetireCmd{BlockID: formNum(&f, "retire.block_id", form.BlockID), Quantity: formNum(&f, "retire.quantity", form.Quantity),
		AccountID: formNum(&f, "retire.account_id", form.AccountID), Reason: rec.Reason(form.Reason), Beneficiary: form.Beneficiary,
		ComplianceYear: int(formNum(&f, "retire.compliance_year", form.ComplianceYear))}
	if y := c.ComplianceYear; y != 0 && (y < 2000 || y > 2100) {
		f.Add("retire.compliance_year", "%d is not a compliance year", y)
	}
	err = f.Err(op)
	var ret rec.Retirement
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			if err := h.blockOfAccount(r, tx, id, c.BlockID, "retire.block_id"); err != nil {
				return err
			}
			reg, err := h.registryFor(ctx, tx)
			if err != nil {
				return err
			}
			ret, err = reg.Retire(ctx, c)
			return prefixed(err, "retire.", op)
		})
	}
	if err != nil {
		h.recAccountRefused(w, r, err, func(p *RecAccountPage) { p.Retire = form })
		return
	}
	msg := fmt.Sprintf("Retired %s certificates of %v (%s) for %s.", mwh(ret.Quantity), ret.Vintage, ret.Reason, ret.Beneficiary)
	if ret.RPSEligible {
		msg += " They count for RPS compliance year " + strconv.Itoa(ret.ComplianceYear) + "."
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: msg})
	Redirect(w, r, fmt.Sprintf("/rec/accounts/%d", id))
}

// recAccountRefused shows the account page again with the refused form as
// typed and its problems next to their inputs (400), or the conflict above
// the forms (409). Other errors are the error page.
func (h *handler) recAccountRefused(w http.ResponseWriter, r *http.Request, err error, keep func(*RecAccountPage)) {
	status := map[apperr.Kind]int{apperr.Invalid: http.StatusBadRequest, apperr.Conflict: http.StatusConflict}[apperr.KindOf(err)]
	if status == 0 {
		h.rd.Error(w, r, err)
		return
	}
	page, perr := h.recAccountPage(r)
	if perr != nil {
		h.rd.Error(w, r, perr)
		return
	}
	keep(&page)
	v := &View{Title: page.Account.Name, Nav: NavRPS, Data: page}
	v.SetError(err)
	if status == http.StatusConflict {
		v.Message = "Nothing was changed: " + v.Message
	}
	h.rd.Render(w, r, status, "console/rec_account", v)
}

// recForms fills the account page's form choices: the account's active
// blocks, the active accounts certificates may go to, and the defaults.
func (h *handler) recForms(r *http.Request, page *RecAccountPage, accts []rec.Account) error {
	ctx := r.Context()
	a := page.Account
	if !UserFromContext(ctx).CanCommand() || a.Kind != rec.ActiveAccount {
		return nil
	}
	blocks, err := h.db.RecBlocks(ctx, store.BlockFilter{AccountID: a.ID, Status: rec.StatusActive, Limit: 500})
	if err != nil {
		return err
	}
	facs, err := facilitiesByID(ctx, h.db)
	if err != nil {
		return err
	}
	page.Blocks4Form = []Option{{"", "Choose a block…"}}
	for _, b := range blocks {
		f := facs[b.FacilityID]
		page.Blocks4Form = append(page.Blocks4Form, Option{Value: strconv.FormatInt(b.ID, 10),
			Label: fmt.Sprintf("Block %d · %s · %v · %s certificates", b.ID, f.Name, b.Vintage, mwh(b.Quantity()))})
	}
	page.Destinations = []Option{{"", "Choose an account…"}}
	for _, x := range accts {
		if x.Kind == rec.ActiveAccount && x.ID != a.ID {
			page.Destinations = append(page.Destinations, Option{Value: strconv.FormatInt(x.ID, 10), Label: x.Org + " · " + x.Name})
		}
	}
	page.CanTransfer = len(blocks) > 0 && len(page.Destinations) > 1
	page.CanRetire = len(blocks) > 0 && len(page.Retirements) > 0
	page.Reasons = []Option{{"rps", "RPS compliance"}, {"voluntary", "Voluntary"}, {"green_product", "Green product"}, {"other", "Other"}}
	if q := r.URL.Query().Get("block"); q != "" && slices.ContainsFunc(page.Blocks4Form, func(o Option) bool { return o.Value == q }) {
		page.Transfer.BlockID, page.Retire.BlockID = q, q
	}
	page.Retire.Reason, page.Retire.ComplianceYear = "rps", strconv.Itoa(page.ThisYear)
	if len(page.Retirements) == 1 {
		page.Retire.AccountID = page.Retirements[0].Value
	}
	return nil
}
