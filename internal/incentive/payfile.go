package incentive

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/money"
)

// Payment batch methods: how a batch pays and which file it writes.
const (
	BatchACH        = "ach"         // checks and ACH transfers to customers and member agencies: ACH-style CSV
	BatchBillCredit = "bill_credit" // credits on the customer's bill: the bill-credit file for billing
	BatchRetailer   = "retailer"    // reimbursement of redeemed instant coupons to retailers: ACH-style CSV
)

// BatchMethods lists the batch methods.
var BatchMethods = []string{BatchACH, BatchBillCredit, BatchRetailer}

// Payment is one line of a payment batch: an approved application or a
// redeemed coupon.
type Payment struct {
	ID            int64       `json:"id"`
	BatchID       int64       `json:"batch_id"`
	ApplicationID int64       `json:"application_id,omitempty"`
	CouponID      int64       `json:"coupon_id,omitempty"`
	ProgramID     string      `json:"program"`
	Payee         string      `json:"payee"`
	AccountNumber string      `json:"account_number"` // the service account (bill credits) or ""
	AmountCents   money.Cents `json:"amount_cents"`
	Status        string      `json:"status"` // pending, paid, returned
	Reference     string      `json:"reference"`
	Note          string      `json:"note"`
}

// BillCredit is what the billing engine consumes from a bill-credit
// batch: a credit of AmountCents (positive) on the next bill of the
// service account, labelled for the bill (e.g. "Smart thermostat rebate
// (HEER), application 42"). The file written by WritePaymentFile for
// BatchBillCredit has one BillCredit per line; billing adds each as a
// credit line and reports it back as paid in a results file.
type BillCredit struct {
	AccountNumber string      `json:"account_number"`
	AmountCents   money.Cents `json:"amount_cents"`
	ProgramID     string      `json:"program"`
	PaymentID     int64       `json:"payment_id"`
	Label         string      `json:"label"`
}

// BillCreditLabel is the label of a bill-credit line for payment p, as
// the bill-credit file gives it and the bill shows it:
// "heer-smart-thermostat, application 42".
func BillCreditLabel(p Payment) string {
	return fmt.Sprintf("%s, application %d", p.ProgramID, p.ApplicationID)
}

// dollars writes cents as a plain decimal ("750.00").
func dollars(c money.Cents) string {
	return fmt.Sprintf("%d.%02d", int64(c)/100, int64(c)%100)
}

// WritePaymentFile writes a batch's file. ACH and retailer batches:
// payment_id,payee,account_number,amount_usd,program,reference (one line
// per payment, amounts as dollars with two decimals). Bill-credit
// batches: payment_id,account_number,credit_cents,program,label — the
// BillCredit interface of the billing side.
func WritePaymentFile(w io.Writer, method string, ps []Payment) error {
	cw := csv.NewWriter(w)
	switch method {
	case BatchBillCredit:
		if err := cw.Write([]string{"payment_id", "account_number", "credit_cents", "program", "label"}); err != nil {
			return err
		}
		for _, p := range ps {
			if err := cw.Write([]string{strconv.FormatInt(p.ID, 10), p.AccountNumber, strconv.FormatInt(int64(p.AmountCents), 10), p.ProgramID, BillCreditLabel(p)}); err != nil {
				return err
			}
		}
	default:
		if err := cw.Write([]string{"payment_id", "payee", "account_number", "amount_usd", "program", "reference"}); err != nil {
			return err
		}
		for _, p := range ps {
			ref := fmt.Sprintf("application %d", p.ApplicationID)
			if p.CouponID != 0 {
				ref = fmt.Sprintf("coupon %d", p.CouponID)
			}
			if err := cw.Write([]string{strconv.FormatInt(p.ID, 10), p.Payee, p.AccountNumber, dollars(p.AmountCents), p.ProgramID, ref}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// PaymentResult is one line of a results file returned by the bank or
// the billing system: payment_id,status (paid or returned),reference,note.
type PaymentResult struct {
	PaymentID int64  `json:"payment_id"`
	Status    string `json:"status"`
	Reference string `json:"reference"`
	Note      string `json:"note"`
}

// ParseResults reads a results CSV with the header
// payment_id,status,reference,note. Problems name the line: line 3:
// status.
func ParseResults(r io.Reader) ([]PaymentResult, error) {
	const op = "incentive.ParseResults"
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	var f apperr.Fields
	if err != nil {
		f.Add("file", "is not CSV: %v", err)
		return nil, f.Err(op)
	}
	if len(recs) == 0 || strings.Join(recs[0], ",") != "payment_id,status,reference,note" {
		f.Add("file", "must start with the header payment_id,status,reference,note")
		return nil, f.Err(op)
	}
	var out []PaymentResult
	for i, rec := range recs[1:] {
		line := fmt.Sprintf("line %d", i+2)
		if len(rec) != 4 {
			f.Add(line, "has %d fields, want 4", len(rec))
			continue
		}
		id, err := strconv.ParseInt(strings.TrimSpace(rec[0]), 10, 64)
		if err != nil || id <= 0 {
			f.Add(line+": payment_id", "must be a payment id, got %q", rec[0])
		}
		st := strings.ToLower(strings.TrimSpace(rec[1]))
		if st != "paid" && st != "returned" {
			f.Add(line+": status", "must be paid or returned, got %q", rec[1])
		}
		out = append(out, PaymentResult{PaymentID: id, Status: st, Reference: strings.TrimSpace(rec[2]), Note: strings.TrimSpace(rec[3])})
	}
	if len(out) == 0 && len(f) == 0 {
		f.Add("file", "has no results")
	}
	return out, f.Err(op)
}
