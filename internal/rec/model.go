package rec

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/rps"
)

// AccountKind is the kind of a registry account (WREGIS active and
// retirement sub-accounts; an export account for certificates leaving for
// another registry).
type AccountKind string

// Account kinds.
const (
	ActiveAccount     AccountKind = "active"
	RetirementAccount AccountKind = "retirement"
	ExportAccount     AccountKind = "export"
)

// Account is a registry account of an organization.
type Account struct {
	ID      int64       `json:"id"`
	Org     string      `json:"org"`
	Name    string      `json:"name"`
	Kind    AccountKind `json:"kind"`
	Created time.Time   `json:"created"`
}

// Status is a block's state.
type Status string

// Block statuses. Only active blocks can be transferred, retired,
// exported or withdrawn; pending blocks await the receiver; the others
// are final.
const (
	StatusActive    Status = "active"
	StatusPending   Status = "pending"
	StatusSplit     Status = "split"
	StatusRetired   Status = "retired"
	StatusExported  Status = "exported"
	StatusWithdrawn Status = "withdrawn"
)

// Block is a range of serial-numbered certificates of one issuance held
// in one account. Start and End are inclusive serials; they never change
// once the block exists.
type Block struct {
	ID         int64     `json:"id"`
	IssuanceID int64     `json:"issuance_id"`
	ParentID   int64     `json:"parent_id,omitempty"`
	FacilityID int64     `json:"facility_id"`
	Vintage    rps.Month `json:"vintage"`
	AccountID  int64     `json:"account_id"`
	Start      int64     `json:"serial_start"`
	End        int64     `json:"serial_end"`
	Status     Status    `json:"status"`
	Version    int64     `json:"version"`
	// Batch is the issuance batch of imported certificates as the other
	// registry numbered it; empty for certificates issued here, whose
	// batch is their issuance's id.
	Batch string `json:"batch,omitempty"`
}

// Quantity is the number of certificates (MWh) in the block.
func (b Block) Quantity() int64 { return b.End - b.Start + 1 }

// BatchLabel is the batch part of the block's serial numbers: the other
// registry's batch for imported certificates, else the issuance id.
func (b Block) BatchLabel() string {
	if b.Batch != "" {
		return b.Batch
	}
	return strconv.FormatInt(b.IssuanceID, 10)
}

// Serials names the block's certificates in the WREGIS style for
// facility f (SerialLabel).
func (b Block) Serials(f rps.Facility) string {
	return SerialLabel(f.WREGISID, f.State, b.Vintage, b.BatchLabel(), b.Start, b.End)
}

// Facility is a generating facility registered in the registry, with the
// active account its certificates are issued into.
type Facility struct {
	rps.Facility
	AccountID int64 `json:"account_id"`
}

// Report is a generator's report of one month's generation. A later
// report of the same facility and month must carry the next revision
// number and supersedes the earlier one.
type Report struct {
	ID         int64     `json:"id"`
	FacilityID int64     `json:"facility_id"`
	Vintage    rps.Month `json:"vintage"`
	Wh         energy.Wh `json:"generation_wh"`
	// Hourly, when given, holds one value per clock hour of the month in
	// Pacific time (743 in March and 721 in November, when
	// daylight saving time starts and ends); it lets
	// issuance count only hours on or after a mid-month certification and
	// allows hourly matching.
	Hourly   []energy.Wh `json:"hourly_wh,omitempty"`
	Revision int         `json:"revision"`
	Source   string      `json:"source"`
	Received time.Time   `json:"received"`
}

// Origin is where an issuance's certificates come from.
type Origin string

// Origins.
const (
	// OriginIssued certificates were issued here from a generation report.
	OriginIssued Origin = "issued"
	// OriginImported certificates were issued by another registry and
	// brought in from its holdings or retirements report, their serial
	// range and batch preserved.
	OriginImported Origin = "imported"
)

// Issuance is the certificates created from a facility's generation for
// one vintage — serials 1 to Quantity, and the Wh carried to the next —
// or, for imported certificates, the serial range First to
// First+Quantity−1 of another registry's batch.
type Issuance struct {
	ID         int64     `json:"id"`
	Origin     Origin    `json:"origin"`
	FacilityID int64     `json:"facility_id"`
	ReportID   int64     `json:"report_id,omitempty"`
	Revision   int       `json:"revision"`
	Vintage    rps.Month `json:"vintage"`
	AccountID  int64     `json:"account_id"`
	// ReportedWh is the report's generation; EligibleWh the part
	// eligible for certificates; CreditedWh what this issuance added to
	// the vintage (the eligible Wh less what earlier revisions credited).
	ReportedWh energy.Wh `json:"reported_wh"`
	EligibleWh energy.Wh `json:"eligible_wh"`
	CreditedWh energy.Wh `json:"credited_wh"`
	CarryIn    energy.Wh `json:"carry_in_wh"`
	CarryOut   energy.Wh `json:"carry_out_wh"`
	Quantity   int64     `json:"quantity"`
	BlockID    int64     `json:"block_id,omitempty"`
	// Note says why generation was not eligible, when some was not, or
	// where imported certificates came from.
	Note   string    `json:"note,omitempty"`
	Issued time.Time `json:"issued"`
	// Batch and First are an imported range's batch in the other
	// registry and its first serial (empty and 1 when issued here).
	Batch string `json:"batch,omitempty"`
	First int64  `json:"first_serial,omitempty"`
}

// FirstSerial is the issuance's first serial number (1 unless imported).
func (i Issuance) FirstSerial() int64 { return max(i.First, 1) }

// LastSerial is the issuance's last serial number.
func (i Issuance) LastSerial() int64 { return i.FirstSerial() + i.Quantity - 1 }

// BatchLabel is the batch of the issuance's serial numbers: the other
// registry's batch when imported, else the issuance id.
func (i Issuance) BatchLabel() string {
	if i.Batch != "" {
		return i.Batch
	}
	return strconv.FormatInt(i.ID, 10)
}

// TransferStatus is the state of a two-phase transfer.
type TransferStatus string

// Transfer statuses.
const (
	TransferPending   TransferStatus = "pending"
	TransferAccepted  TransferStatus = "accepted"
	TransferRejected  TransferStatus = "rejected"
	TransferCancelled TransferStatus = "cancelled"
)

// Transfer moves a block from one active account to another once the
// receiver accepts; until then the block is pending.
type Transfer struct {
	ID        int64          `json:"id"`
	BlockID   int64          `json:"block_id"`
	From      int64          `json:"from_account_id"`
	To        int64          `json:"to_account_id"`
	Quantity  int64          `json:"quantity"`
	Status    TransferStatus `json:"status"`
	Note      string         `json:"note,omitempty"`
	Initiated time.Time      `json:"initiated"`
	Resolved  time.Time      `json:"resolved,omitzero"`
}

// Reason is why certificates are retired.
type Reason string

// Retirement reasons. Only RPS retirements within the 36-month window
// count toward an RPS requirement (§399.21(a)(7)); the others are
// voluntary claims (§399.21(a)(2): a REC counts once, for the RPS or a
// retail product claim).
const (
	ReasonRPS          Reason = "rps"
	ReasonVoluntary    Reason = "voluntary"
	ReasonGreenProduct Reason = "green_product"
	ReasonOther        Reason = "other"
)

// Retirement is certificates retired for good.
type Retirement struct {
	ID             int64         `json:"id"`
	BlockID        int64         `json:"block_id"`
	AccountID      int64         `json:"account_id"` // the retirement account
	FromAccount    int64         `json:"from_account_id"`
	FacilityID     int64         `json:"facility_id"`
	Vintage        rps.Month     `json:"vintage"`
	Quantity       int64         `json:"quantity"`
	Reason         Reason        `json:"reason"`
	Beneficiary    string        `json:"beneficiary"`
	ComplianceYear int           `json:"compliance_year,omitempty"`
	RetiredOn      calendar.Date `json:"retired_on"`
	// Deadline is the last day the vintage could be retired for RPS;
	// RPSEligible is whether this retirement counts for RPS.
	Deadline    calendar.Date `json:"deadline"`
	RPSEligible bool          `json:"rps_eligible"`
}

// Export is certificates sent to another registry.
type Export struct {
	ID          int64  `json:"id"`
	BlockID     int64  `json:"block_id"`
	AccountID   int64  `json:"account_id"` // the export account
	Quantity    int64  `json:"quantity"`
	Destination string `json:"destination"`
}

// Event is one entry of the append-only event log. Hash is SHA-256 over
// the previous entry's hash and this entry's fields, so changing,
// removing or reordering any entry breaks every later hash.
type Event struct {
	Seq   int64           `json:"seq"`
	At    time.Time       `json:"at"`
	Kind  string          `json:"kind"`
	Actor string          `json:"actor"`
	Data  json.RawMessage `json:"data"`
	Prev  string          `json:"prev_hash"`
	Hash  string          `json:"hash"`
}

// SerialLabel names a block's certificates in the WREGIS style: facility
// ID, state, vintage month and year, issuance batch, serials:
// "W1234-CA-03-2021-17-1 to 250".
func SerialLabel(wregisID, state string, v rps.Month, batch string, start, end int64) string {
	if state == "" {
		state = "CA"
	}
	return fmt.Sprintf("%s-%s-%02d-%04d-%s-%d to %d", wregisID, state, int(v.Month), v.Year, batch, start, end)
}
