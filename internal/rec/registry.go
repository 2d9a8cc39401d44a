package rec

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/rps"
)

// State is what the registry reads and writes. Implementations run every
// call of one command inside one transaction; NotFound errors name the
// missing record. UpdateBlock and UpdateTransfer are compare-and-set: they
// fail with a Conflict when the row changed since it was read
// (optimistic concurrency).
type State interface {
	Account(ctx context.Context, id int64) (Account, error)
	Facility(ctx context.Context, id int64) (Facility, error)
	Block(ctx context.Context, id int64) (Block, error)
	Transfer(ctx context.Context, id int64) (Transfer, error)
	// LatestReport returns the highest revision of a facility's report
	// for a vintage, and false when there is none.
	LatestReport(ctx context.Context, facilityID int64, v rps.Month) (Report, bool, error)
	// Credited returns the Wh already credited to a facility's vintage
	// by earlier issuances, less 1,000,000 Wh for each of the vintage's
	// certificates withdrawn since, and how many issuances there were.
	Credited(ctx context.Context, facilityID int64, v rps.Month) (energy.Wh, int, error)
	// Carry returns the Wh remainder carried by the facility's latest
	// issuance (zero before the first).
	Carry(ctx context.Context, facilityID int64) (energy.Wh, error)
	// VintageIssuances returns every issuance of a facility's vintage,
	// issued here or imported, oldest first, each with the id of its
	// first block (BlockID, zero when it issued none).
	VintageIssuances(ctx context.Context, facilityID int64, v rps.Month) ([]Issuance, error)
	// IssuanceBlocks returns the blocks of an issuance, split ones
	// included, by first serial.
	IssuanceBlocks(ctx context.Context, issuanceID int64) ([]Block, error)
	// Head returns the last event's sequence number and hash (0 and
	// GenesisHash for an empty log); implementations lock it for the
	// transaction so that events are appended one at a time.
	Head(ctx context.Context) (int64, string, error)

	InsertAccount(ctx context.Context, a *Account) error
	InsertFacility(ctx context.Context, f *Facility) error
	UpdateFacility(ctx context.Context, f Facility) error
	InsertReport(ctx context.Context, r *Report) error
	InsertIssuance(ctx context.Context, i *Issuance) error
	InsertBlock(ctx context.Context, b *Block) error
	UpdateBlock(ctx context.Context, b Block, fromVersion int64) error
	InsertTransfer(ctx context.Context, t *Transfer) error
	UpdateTransfer(ctx context.Context, t Transfer, from TransferStatus) error
	InsertRetirement(ctx context.Context, r *Retirement) error
	InsertExport(ctx context.Context, e *Export) error
	AppendEvent(ctx context.Context, e *Event) error
}

// Registry runs registry commands against a State.
type Registry struct {
	State State
	// Now is the clock; retirements are dated by its Pacific date.
	Now func() time.Time
	// Anchor is the day the 36-month retirement window counts from.
	Anchor rps.Anchor
	// Actor is who runs the commands, as written to the event log.
	Actor string
	// Org, when set, is the one organization the commands act for (a
	// registry participant): they reach only the blocks, transfers and
	// facilities of its own accounts — anything else is answered as if it
	// did not exist — and the operator's commands (certification,
	// withdrawal, import) are refused. Empty for the operating retail
	// seller's staff, who act on every account.
	Org string
}

// sees reports whether the organization the registry acts for may see
// account id (always when it acts for the operator).
func (r *Registry) sees(ctx context.Context, accountID int64) (bool, error) {
	if r.Org == "" {
		return true, nil
	}
	a, err := r.State.Account(ctx, accountID)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	return err == nil && a.Org == r.Org, err
}

// operatorOnly refuses a command the registry operator alone runs when
// the registry acts for a participant.
func (r *Registry) operatorOnly(op, what string) error {
	if r.Org != "" {
		return apperr.Forbiddenf(op, "%s is the registry operator's to do; %s acts only on its own accounts", what, r.Org)
	}
	return nil
}

// Facility returns a facility the registry may see: for a participant,
// only one whose certificates go to its own account (NotFound otherwise).
func (r *Registry) Facility(ctx context.Context, id int64) (Facility, error) {
	f, err := r.State.Facility(ctx, id)
	if err != nil {
		return f, err
	}
	if ok, err := r.sees(ctx, f.AccountID); err != nil || !ok {
		return Facility{}, cmp.Or(err, apperr.NotFoundf("rec.Facility", "no facility %d", id))
	}
	return f, nil
}

func (r *Registry) now() time.Time { return r.Now().UTC().Truncate(time.Second) }

// emit appends one event for an accepted command, linked to the head.
func (r *Registry) emit(ctx context.Context, kind string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("rec: event %s: %w", kind, err)
	}
	seq, prev, err := r.State.Head(ctx)
	if err != nil {
		return err
	}
	e := Event{Seq: seq + 1, At: r.now(), Kind: kind, Actor: r.Actor, Data: b, Prev: prev}
	e.Hash = e.ComputeHash()
	return r.State.AppendEvent(ctx, &e)
}

// Record appends an event for a change made next to the registry in the
// same transaction, such as a compliance claim on retired certificates,
// so that every accepted command is in the one log.
func (r *Registry) Record(ctx context.Context, kind string, data any) error {
	return r.emit(ctx, kind, data)
}

// OpenAccount opens an account for an organization.
func (r *Registry) OpenAccount(ctx context.Context, a Account) (Account, error) {
	var f apperr.Fields
	a.Org, a.Name = strings.TrimSpace(a.Org), strings.TrimSpace(a.Name)
	if a.Org == "" {
		f.Add("org", "is required")
	}
	if a.Name == "" {
		f.Add("name", "is required")
	}
	if a.Kind != ActiveAccount && a.Kind != RetirementAccount && a.Kind != ExportAccount {
		f.Add("kind", "want active, retirement or export")
	}
	switch {
	case r.Org != "" && a.Org == "":
		a.Org = r.Org
		f = slices.DeleteFunc(f, func(e apperr.FieldError) bool { return e.Field == "org" })
	case r.Org != "" && a.Org != r.Org:
		f.Add("org", "%s opens accounts only for itself, not for %s", r.Org, a.Org)
	}
	if err := f.Err("rec.OpenAccount"); err != nil {
		return Account{}, err
	}
	a.ID, a.Created = 0, r.now()
	if err := r.State.InsertAccount(ctx, &a); err != nil {
		return Account{}, err
	}
	return a, r.emit(ctx, "account.opened", a)
}

// RegisterFacility registers a facility whose certificates go to an
// active account.
func (r *Registry) RegisterFacility(ctx context.Context, f Facility) (Facility, error) {
	if err := r.operatorOnly("rec.RegisterFacility", "registering a facility and its CEC certification"); err != nil {
		return Facility{}, err
	}
	if err := f.Facility.Validate(); err != nil {
		return Facility{}, err
	}
	if err := r.needAccount(ctx, "account_id", f.AccountID, ActiveAccount); err != nil {
		return Facility{}, err
	}
	f.ID = 0
	if err := r.State.InsertFacility(ctx, &f); err != nil {
		return Facility{}, err
	}
	return f, r.emit(ctx, "facility.registered", map[string]any{"facility_id": f.ID, "wregis_id": f.WREGISID, "name": f.Name,
		"technology": f.Technology, "nameplate_kw": f.NameplateKW, "account_id": f.AccountID, "certifications": f.Certifications})
}

// Certify appends a CEC certification record to a facility's history:
// the open record before it ends on the new record's first day. History
// is never rewritten: a record may not start before the last one.
func (r *Registry) Certify(ctx context.Context, facilityID int64, c rps.Certification) (Facility, error) {
	if err := r.operatorOnly("rec.Certify", "recording CEC certification"); err != nil {
		return Facility{}, err
	}
	f, err := r.State.Facility(ctx, facilityID)
	if err != nil {
		return Facility{}, err
	}
	if n := len(f.Certifications); n > 0 {
		last := &f.Certifications[n-1]
		if !c.From.After(last.From) {
			var fe apperr.Fields
			fe.Add("from", "must be after the latest record's start %v (history is appended, never rewritten)", last.From)
			return Facility{}, fe.Err("rec.Certify")
		}
		if last.To.IsZero() || last.To.After(c.From) {
			last.To = c.From
		}
	}
	f.Certifications = append(f.Certifications, c)
	if err := f.Facility.Validate(); err != nil {
		return Facility{}, err
	}
	if err := r.State.UpdateFacility(ctx, f); err != nil {
		return Facility{}, err
	}
	return f, r.emit(ctx, "facility.certification", map[string]any{"facility_id": f.ID, "certification": c})
}

func (r *Registry) needAccount(ctx context.Context, field string, id int64, kind AccountKind) error {
	a, err := r.State.Account(ctx, id)
	if err == nil && r.Org != "" && a.Org != r.Org {
		err = apperr.NotFoundf("rec", "no account %d", id)
	}
	if apperr.Is(err, apperr.NotFound) {
		var f apperr.Fields
		f.Add(field, "no account %d", id)
		return f.Err("rec")
	}
	if err != nil {
		return err
	}
	if a.Kind != kind {
		var f apperr.Fields
		f.Add(field, "account %d is a %s account; want %s", id, a.Kind, kind)
		return f.Err("rec")
	}
	return nil
}

// SubmitReport records a month's generation. The month must be over; the
// generation may not exceed the nameplate running every hour of the month
// (a feasibility check, as registries make); hourly values, when given,
// cover each clock hour and add up to the total. A report for a month
// already reported must carry the next revision number: one without it
// overlaps the earlier report and is refused.
func (r *Registry) SubmitReport(ctx context.Context, rep Report) (Report, error) {
	const op = "rec.SubmitReport"
	var f apperr.Fields
	fac, err := r.Facility(ctx, rep.FacilityID)
	if apperr.Is(err, apperr.NotFound) {
		f.Add("facility_id", "no facility %d", rep.FacilityID)
		return Report{}, f.Err(op)
	}
	if err != nil {
		return Report{}, err
	}
	today := calendar.DateOf(r.now())
	switch {
	case !rep.Vintage.Valid():
		f.Add("vintage", "want YYYY-MM")
	case !rep.Vintage.Last().Before(today):
		f.Add("vintage", "%v is not over yet; report it from %v", rep.Vintage, rep.Vintage.Last().Next())
	}
	if len(rep.Hourly) > 0 && rep.Vintage.Valid() {
		var sum energy.Wh
		for _, v := range rep.Hourly {
			if v < 0 {
				f.Add("hourly_wh", "values must not be negative")
				break
			}
			sum += v
		}
		switch {
		case len(rep.Hourly) != rep.Vintage.Hours():
			f.Add("hourly_wh", "%v has %d clock hours in Pacific time, not %d", rep.Vintage, rep.Vintage.Hours(), len(rep.Hourly))
		case rep.Wh == 0:
			rep.Wh = sum
		case rep.Wh != sum:
			f.Add("hourly_wh", "adds up to %s kWh, not the reported %s kWh", sum.KWhString(), rep.Wh.KWhString())
		}
	}
	if rep.Wh < 0 {
		f.Add("generation_wh", "must not be negative")
	} else if rep.Vintage.Valid() {
		if limit := energy.Wh(fac.NameplateKW) * energy.WhPerKWh * energy.Wh(rep.Vintage.Hours()); rep.Wh > limit {
			f.Add("generation_wh", "%s kWh is more than the %d kW nameplate can generate in %v", rep.Wh.KWhString(), fac.NameplateKW, rep.Vintage)
		}
	}
	if err := f.Err(op); err != nil {
		return Report{}, err
	}
	prev, ok, err := r.State.LatestReport(ctx, rep.FacilityID, rep.Vintage)
	if err != nil {
		return Report{}, err
	}
	switch {
	case ok && rep.Revision != prev.Revision+1:
		f.Add("revision", "%v of %s is already reported (report %d, revision %d): a new report must be revision %d",
			rep.Vintage, fac.Name, prev.ID, prev.Revision, prev.Revision+1)
	case !ok && rep.Revision != 0:
		f.Add("revision", "the first report of %v is revision 0, not %d", rep.Vintage, rep.Revision)
	}
	if err := f.Err(op); err != nil {
		return Report{}, err
	}
	rep.ID, rep.Received = 0, r.now()
	if err := r.State.InsertReport(ctx, &rep); err != nil {
		return Report{}, err
	}
	return rep, r.emit(ctx, "generation.reported", map[string]any{"report_id": rep.ID, "facility_id": rep.FacilityID,
		"vintage": rep.Vintage, "generation_wh": rep.Wh, "hourly": len(rep.Hourly) > 0, "revision": rep.Revision, "source": rep.Source})
}

// eligibleWh returns the part of a report that may create certificates and
// why the rest may not: only days on which the facility is certified
// (with hourly data a mid-month certification counts from its first hour;
// without, the whole month is ineligible: research/rps.md T25), scaled by
// the eligibility share of package rps (de minimis fuel, hydro
// increments), and nothing from an ineligible facility.
func eligibleWh(f *rps.Facility, rep *Report) (energy.Wh, string) {
	from, ok := f.CertifiedFrom(rep.Vintage)
	if !ok {
		return 0, fmt.Sprintf("not CEC-certified on %v", rep.Vintage.Last())
	}
	wh := rep.Wh
	note := ""
	if from.After(rep.Vintage.First()) {
		if len(rep.Hourly) == 0 {
			return 0, fmt.Sprintf("certified only from %v; without hourly data the whole month is ineligible", from)
		}
		skip := int(from.Start().Sub(rep.Vintage.First().Start()) / time.Hour)
		wh = 0
		for _, v := range rep.Hourly[skip:] {
			wh += v
		}
		note = fmt.Sprintf("certified from %v: hours before are ineligible", from)
	}
	d := rps.Eligibility(f, rep.Vintage.Last(), "")
	if !d.Eligible {
		return 0, d.Reason()
	}
	if d.Share.Cmp(big.NewRat(1, 1)) != 0 {
		num := new(big.Int).Mul(big.NewInt(int64(wh)), d.Share.Num())
		wh = energy.Wh(num.Quo(num, d.Share.Denom()).Int64())
		for _, x := range d.Findings {
			if strings.Contains(x.Detail, "only") {
				note = strings.TrimPrefix(note+"; "+x.Detail, "; ")
			}
		}
	}
	return wh, note
}

// Issue creates the certificates of a facility's vintage from its latest
// report: whole MWh of the eligible Wh plus the remainder carried from
// the facility's previous issuance, the new remainder carried forward
// (energy.SplitMWh). A revised report issues only what it adds; a
// revision that lowers eligible generation after issuance is refused
// until the difference is withdrawn. The certificates form one block in
// the facility's account.
func (r *Registry) Issue(ctx context.Context, facilityID int64, v rps.Month) (Issuance, error) {
	const op = "rec.Issue"
	fac, err := r.Facility(ctx, facilityID)
	if err != nil {
		return Issuance{}, err
	}
	rep, ok, err := r.State.LatestReport(ctx, facilityID, v)
	if err != nil {
		return Issuance{}, err
	}
	if !ok {
		return Issuance{}, apperr.NotFoundf(op, "%s has no generation report for %v", fac.Name, v)
	}
	prior, err := r.State.VintageIssuances(ctx, facilityID, v)
	if err != nil {
		return Issuance{}, err
	}
	for _, e := range prior {
		if e.Origin == OriginImported {
			return Issuance{}, apperr.Conflictf(op, "certificates of %v of %s were imported from another registry (issuance %d, batch %s): issuing its generation here too would count it twice",
				v, fac.Name, e.ID, e.Batch)
		}
	}
	eligible, note := eligibleWh(&fac.Facility, &rep)
	credited, n, err := r.State.Credited(ctx, facilityID, v)
	if err != nil {
		return Issuance{}, err
	}
	delta := eligible - credited
	switch {
	case delta < 0:
		n := (-delta + energy.WhPerMWh - 1) / energy.WhPerMWh
		return Issuance{}, apperr.Conflictf(op, "revision %d of %v lowers eligible generation by %s kWh after issuance: withdraw %d certificate(s) of the vintage first",
			rep.Revision, v, (-delta).KWhString(), n)
	case delta == 0 && n > 0:
		return Issuance{}, apperr.Conflictf(op, "%v of %s is already issued for revision %d: nothing to add", v, fac.Name, rep.Revision)
	}
	carry, err := r.State.Carry(ctx, facilityID)
	if err != nil {
		return Issuance{}, err
	}
	q, rest := energy.SplitMWh(carry + delta)
	iss := Issuance{Origin: OriginIssued, FacilityID: facilityID, ReportID: rep.ID, First: 1, Revision: rep.Revision, Vintage: v, AccountID: fac.AccountID,
		ReportedWh: rep.Wh, EligibleWh: eligible, CreditedWh: delta, CarryIn: carry, CarryOut: rest, Quantity: q, Note: note, Issued: r.now()}
	if err := r.State.InsertIssuance(ctx, &iss); err != nil {
		return Issuance{}, err
	}
	if q > 0 {
		b := Block{IssuanceID: iss.ID, FacilityID: facilityID, Vintage: v, AccountID: fac.AccountID, Start: 1, End: q, Status: StatusActive}
		if err := r.State.InsertBlock(ctx, &b); err != nil {
			return Issuance{}, err
		}
		iss.BlockID = b.ID
	}
	return iss, r.emit(ctx, "certificates.issued", iss)
}

// take moves qty certificates of block b to a new status and account. All
// of the block: the block itself changes (compare-and-set on its
// version). Part of it: the block is marked split and two children are
// created — the first qty serials moved, the rest staying active where
// they were — so no range is ever edited (research/rps.md T18: 1–1000,
// 250 moved, gives 1–250 and 251–1000).
func (r *Registry) take(ctx context.Context, b Block, qty int64, status Status, account int64) (taken Block, rest *Block, err error) {
	if qty == b.Quantity() {
		from := b.Version
		b.Status, b.AccountID, b.Version = status, account, b.Version+1
		return b, nil, r.State.UpdateBlock(ctx, b, from)
	}
	parent := b
	parent.Status, parent.Version = StatusSplit, b.Version+1
	if err := r.State.UpdateBlock(ctx, parent, b.Version); err != nil {
		return Block{}, nil, err
	}
	taken = Block{IssuanceID: b.IssuanceID, ParentID: b.ID, FacilityID: b.FacilityID, Vintage: b.Vintage, AccountID: account,
		Start: b.Start, End: b.Start + qty - 1, Status: status, Batch: b.Batch}
	left := Block{IssuanceID: b.IssuanceID, ParentID: b.ID, FacilityID: b.FacilityID, Vintage: b.Vintage, AccountID: b.AccountID,
		Start: b.Start + qty, End: b.End, Status: StatusActive, Batch: b.Batch}
	if err := r.State.InsertBlock(ctx, &taken); err != nil {
		return Block{}, nil, err
	}
	if err := r.State.InsertBlock(ctx, &left); err != nil {
		return Block{}, nil, err
	}
	return taken, &left, nil
}

// activeBlock loads a block that a command may move: it exists, is
// active, holds at least qty certificates and, when expectVersion is
// set, is still at that version.
func (r *Registry) activeBlock(ctx context.Context, op string, id, qty, expectVersion int64) (Block, error) {
	var f apperr.Fields
	b, err := r.State.Block(ctx, id)
	if err == nil {
		if ok, serr := r.sees(ctx, b.AccountID); serr != nil || !ok {
			err = cmp.Or(serr, apperr.NotFoundf(op, "no block %d", id))
		}
	}
	if apperr.Is(err, apperr.NotFound) {
		f.Add("block_id", "no block %d", id)
		return Block{}, f.Err(op)
	}
	if err != nil {
		return Block{}, err
	}
	switch {
	case b.Status != StatusActive:
		return Block{}, apperr.Conflictf(op, "block %d is %s: only active certificates can move", id, b.Status)
	case expectVersion != 0 && b.Version != expectVersion:
		return Block{}, apperr.Conflictf(op, "block %d changed (version %d, expected %d): read it again", id, b.Version, expectVersion)
	case qty <= 0:
		f.Add("quantity", "must be at least 1")
	case qty > b.Quantity():
		f.Add("quantity", "block %d holds %d certificates, not %d", id, b.Quantity(), qty)
	}
	return b, f.Err(op)
}

// accountOf loads an account that must be of kind and, when org is not
// empty, of that organization.
func (r *Registry) accountOf(ctx context.Context, op, field string, id int64, kind AccountKind, org string) (Account, error) {
	var f apperr.Fields
	a, err := r.State.Account(ctx, id)
	switch {
	case apperr.Is(err, apperr.NotFound):
		f.Add(field, "no account %d", id)
	case err != nil:
		return Account{}, err
	case a.Kind != kind:
		f.Add(field, "account %d is a %s account; want %s", id, a.Kind, kind)
	case org != "" && a.Org != org:
		f.Add(field, "account %d belongs to %s, not %s", id, a.Org, org)
	}
	return a, f.Err(op)
}

// toOwnAccount loads a block that may move and checks that the target
// account is of kind and belongs to the holder's organization (an
// organization retires and exports only its own certificates).
func (r *Registry) toOwnAccount(ctx context.Context, op string, blockID, qty, expectVersion, target int64, kind AccountKind) (Block, Account, error) {
	b, err := r.activeBlock(ctx, op, blockID, qty, expectVersion)
	if err != nil {
		return Block{}, Account{}, err
	}
	holder, err := r.accountOf(ctx, op, "block_id", b.AccountID, ActiveAccount, "")
	if err != nil {
		return Block{}, Account{}, err
	}
	if _, err := r.accountOf(ctx, op, "account_id", target, kind, holder.Org); err != nil {
		return Block{}, Account{}, err
	}
	return b, holder, nil
}

// TransferCmd asks to move certificates to another active account.
type TransferCmd struct {
	BlockID       int64  `json:"block_id"`
	Quantity      int64  `json:"quantity"`
	To            int64  `json:"to_account_id"`
	ExpectVersion int64  `json:"expect_version,omitempty"`
	Note          string `json:"note,omitempty"`
}

// InitiateTransfer starts a two-phase transfer: the certificates become a
// pending block that the receiver accepts or rejects, or the sender
// cancels.
func (r *Registry) InitiateTransfer(ctx context.Context, c TransferCmd) (Transfer, error) {
	const op = "rec.Transfer"
	b, err := r.activeBlock(ctx, op, c.BlockID, c.Quantity, c.ExpectVersion)
	if err != nil {
		return Transfer{}, err
	}
	if _, err := r.accountOf(ctx, op, "block_id", b.AccountID, ActiveAccount, ""); err != nil {
		return Transfer{}, err
	}
	if _, err := r.accountOf(ctx, op, "to_account_id", c.To, ActiveAccount, ""); err != nil {
		return Transfer{}, err
	}
	if c.To == b.AccountID {
		var f apperr.Fields
		f.Add("to_account_id", "the block is already in account %d", c.To)
		return Transfer{}, f.Err(op)
	}
	taken, rest, err := r.take(ctx, b, c.Quantity, StatusPending, b.AccountID)
	if err != nil {
		return Transfer{}, err
	}
	t := Transfer{BlockID: taken.ID, From: b.AccountID, To: c.To, Quantity: c.Quantity, Status: TransferPending, Note: c.Note, Initiated: r.now()}
	if err := r.State.InsertTransfer(ctx, &t); err != nil {
		return Transfer{}, err
	}
	return t, r.emit(ctx, "transfer.initiated", map[string]any{"transfer": t, "from_block_id": b.ID, "split": splitOf(b, taken, rest)})
}

// splitOf describes a split for the event log (nil when none).
func splitOf(parent, taken Block, rest *Block) any {
	if rest == nil {
		return nil
	}
	return map[string]any{"parent_id": parent.ID, "moved_block_id": taken.ID, "moved": [2]int64{taken.Start, taken.End},
		"remaining_block_id": rest.ID, "remaining": [2]int64{rest.Start, rest.End}}
}

// ResolveTransfer accepts, rejects or cancels a pending transfer. On
// acceptance the block becomes active in the receiving account; on
// rejection or cancellation it returns to the sender, active.
func (r *Registry) ResolveTransfer(ctx context.Context, id int64, to TransferStatus, note string) (Transfer, error) {
	const op = "rec.ResolveTransfer"
	if to != TransferAccepted && to != TransferRejected && to != TransferCancelled {
		var f apperr.Fields
		f.Add("status", "want accepted, rejected or cancelled")
		return Transfer{}, f.Err(op)
	}
	t, err := r.State.Transfer(ctx, id)
	if err != nil {
		return Transfer{}, err
	}
	if err := r.mayResolve(ctx, op, t, to); err != nil {
		return Transfer{}, err
	}
	if t.Status != TransferPending {
		return Transfer{}, apperr.Conflictf(op, "transfer %d is already %s", id, t.Status)
	}
	b, err := r.State.Block(ctx, t.BlockID)
	if err != nil {
		return Transfer{}, err
	}
	if b.Status != StatusPending {
		return Transfer{}, apperr.Conflictf(op, "block %d of transfer %d is %s, not pending", b.ID, id, b.Status)
	}
	from := b.Version
	b.Status, b.Version = StatusActive, b.Version+1
	if to == TransferAccepted {
		b.AccountID = t.To
	}
	if err := r.State.UpdateBlock(ctx, b, from); err != nil {
		return Transfer{}, err
	}
	t.Status, t.Resolved = to, r.now()
	if note != "" {
		t.Note = strings.TrimSpace(t.Note + "\n" + note)
	}
	if err := r.State.UpdateTransfer(ctx, t, TransferPending); err != nil {
		return Transfer{}, err
	}
	return t, r.emit(ctx, "transfer."+string(to), map[string]any{"transfer_id": t.ID, "block_id": b.ID, "account_id": b.AccountID, "note": note})
}

// mayResolve checks that the organization the registry acts for may
// resolve transfer t: a transfer neither from nor to its accounts does not
// exist for it; only the receiver accepts or rejects, only the sender
// cancels.
func (r *Registry) mayResolve(ctx context.Context, op string, t Transfer, to TransferStatus) error {
	if r.Org == "" {
		return nil
	}
	from, err := r.sees(ctx, t.From)
	if err != nil {
		return err
	}
	recv, err := r.sees(ctx, t.To)
	switch {
	case err != nil:
		return err
	case !from && !recv:
		return apperr.NotFoundf(op, "no transfer %d", t.ID)
	case to == TransferCancelled && !from:
		return apperr.Forbiddenf(op, "only the sender cancels transfer %d", t.ID)
	case to != TransferCancelled && !recv:
		return apperr.Forbiddenf(op, "only the receiving organization may %s transfer %d", map[TransferStatus]string{TransferAccepted: "accept", TransferRejected: "reject"}[to], t.ID)
	}
	return nil
}

// RetireCmd asks to retire certificates.
type RetireCmd struct {
	BlockID        int64  `json:"block_id"`
	Quantity       int64  `json:"quantity"`
	AccountID      int64  `json:"account_id"` // the organization's retirement account
	Reason         Reason `json:"reason"`
	Beneficiary    string `json:"beneficiary"`
	ComplianceYear int    `json:"compliance_year,omitempty"`
	ExpectVersion  int64  `json:"expect_version,omitempty"`
}

// Retire retires certificates into the holder's retirement account. An
// RPS retirement must name the compliance year and fall within 36 months
// of the vintage (§399.21(a)(7)); after the deadline it is refused with
// the deadline shown, and the certificates may be retired as voluntary.
func (r *Registry) Retire(ctx context.Context, c RetireCmd) (Retirement, error) {
	const op = "rec.Retire"
	b, holder, err := r.toOwnAccount(ctx, op, c.BlockID, c.Quantity, c.ExpectVersion, c.AccountID, RetirementAccount)
	if err != nil {
		return Retirement{}, err
	}
	var f apperr.Fields
	if !slices.Contains([]Reason{ReasonRPS, ReasonVoluntary, ReasonGreenProduct, ReasonOther}, c.Reason) {
		f.Add("reason", "want rps, voluntary, green_product or other")
	}
	c.Beneficiary = strings.TrimSpace(c.Beneficiary)
	if c.Beneficiary == "" {
		c.Beneficiary = holder.Org
	}
	today := calendar.DateOf(r.now())
	deadline := rps.RetirementDeadline(b.Vintage, r.Anchor)
	if c.Reason == ReasonRPS {
		switch {
		case c.ComplianceYear == 0:
			f.Add("compliance_year", "an RPS retirement names its compliance year")
		case c.ComplianceYear < b.Vintage.Year:
			f.Add("compliance_year", "%d is before the vintage %v", c.ComplianceYear, b.Vintage)
		}
		if today.After(deadline) {
			f.Add("reason", "vintage %v could be retired for RPS until %v (36 months, Pub. Util. Code §399.21(a)(7)); retire it as voluntary instead",
				b.Vintage, deadline)
		}
	}
	if err := f.Err(op); err != nil {
		return Retirement{}, err
	}
	taken, rest, err := r.take(ctx, b, c.Quantity, StatusRetired, c.AccountID)
	if err != nil {
		return Retirement{}, err
	}
	ret := Retirement{BlockID: taken.ID, AccountID: c.AccountID, FromAccount: b.AccountID, FacilityID: b.FacilityID, Vintage: b.Vintage,
		Quantity: c.Quantity, Reason: c.Reason, Beneficiary: c.Beneficiary, ComplianceYear: c.ComplianceYear, RetiredOn: today,
		Deadline: deadline, RPSEligible: c.Reason == ReasonRPS}
	if err := r.State.InsertRetirement(ctx, &ret); err != nil {
		return Retirement{}, err
	}
	return ret, r.emit(ctx, "certificates.retired", map[string]any{"retirement": ret, "from_block_id": b.ID, "split": splitOf(b, taken, rest)})
}

// ExportCmd asks to send certificates to another registry.
type ExportCmd struct {
	BlockID       int64  `json:"block_id"`
	Quantity      int64  `json:"quantity"`
	AccountID     int64  `json:"account_id"` // the organization's export account
	Destination   string `json:"destination"`
	ExpectVersion int64  `json:"expect_version,omitempty"`
}

// Export moves certificates to the holder's export account, bound for
// another registry; they can never come back as the same certificates.
func (r *Registry) Export(ctx context.Context, c ExportCmd) (Export, error) {
	const op = "rec.Export"
	b, _, err := r.toOwnAccount(ctx, op, c.BlockID, c.Quantity, c.ExpectVersion, c.AccountID, ExportAccount)
	if err != nil {
		return Export{}, err
	}
	if c.Destination = strings.TrimSpace(c.Destination); c.Destination == "" {
		var f apperr.Fields
		f.Add("destination", "name the registry the certificates go to")
		return Export{}, f.Err(op)
	}
	taken, rest, err := r.take(ctx, b, c.Quantity, StatusExported, c.AccountID)
	if err != nil {
		return Export{}, err
	}
	x := Export{BlockID: taken.ID, AccountID: c.AccountID, Quantity: c.Quantity, Destination: c.Destination}
	if err := r.State.InsertExport(ctx, &x); err != nil {
		return Export{}, err
	}
	return x, r.emit(ctx, "certificates.exported", map[string]any{"export": x, "from_block_id": b.ID, "split": splitOf(b, taken, rest)})
}

// WithdrawCmd asks the registry administrator to withdraw certificates
// (a downward generation revision, an error at issuance).
type WithdrawCmd struct {
	BlockID       int64  `json:"block_id"`
	Quantity      int64  `json:"quantity"`
	Reason        string `json:"reason"`
	ExpectVersion int64  `json:"expect_version,omitempty"`
}

// Withdraw removes certificates from circulation. The withdrawn Wh are
// taken back from the vintage's credit, so a corrected report can issue
// again.
func (r *Registry) Withdraw(ctx context.Context, c WithdrawCmd) (Block, error) {
	const op = "rec.Withdraw"
	if err := r.operatorOnly(op, "withdrawing certificates"); err != nil {
		return Block{}, err
	}
	b, err := r.activeBlock(ctx, op, c.BlockID, c.Quantity, c.ExpectVersion)
	if err != nil {
		return Block{}, err
	}
	if c.Reason = strings.TrimSpace(c.Reason); c.Reason == "" {
		var f apperr.Fields
		f.Add("reason", "say why the certificates are withdrawn")
		return Block{}, f.Err(op)
	}
	taken, rest, err := r.take(ctx, b, c.Quantity, StatusWithdrawn, b.AccountID)
	if err != nil {
		return Block{}, err
	}
	return taken, r.emit(ctx, "certificates.withdrawn", map[string]any{"block_id": taken.ID, "quantity": c.Quantity, "reason": c.Reason,
		"facility_id": b.FacilityID, "vintage": b.Vintage, "from_block_id": b.ID, "split": splitOf(b, taken, rest)})
}
