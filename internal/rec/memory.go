package rec

import (
	"cmp"
	"context"
	"slices"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/rps"
)

// Memory is a State held in maps, for tests, benchmarks and stateless
// tools. It is not safe for concurrent use and has no transactions: a
// refused command may leave earlier writes of the same command (the
// Registry checks everything it can before its first write).
type Memory struct {
	Accounts    map[int64]Account
	Facilities  map[int64]Facility
	Blocks      map[int64]Block
	Transfers   map[int64]Transfer
	Reports     []Report
	Issuances   []Issuance
	Retirements []Retirement
	Exports     []Export
	Events      []Event
	next        int64
	// indexes for the per-vintage reads
	latest   map[vintageKey]int // Reports index of the highest revision
	credit   map[vintageKey]energy.Wh
	issued   map[vintageKey]int
	carry    map[int64]energy.Wh
	vintages map[vintageKey][]int // Issuances indexes
	issuance map[int64]int        // Issuances index by id
}

type vintageKey struct {
	facility int64
	vintage  rps.Month
}

// NewMemory returns an empty registry state.
func NewMemory() *Memory {
	return &Memory{Accounts: map[int64]Account{}, Facilities: map[int64]Facility{}, Blocks: map[int64]Block{}, Transfers: map[int64]Transfer{},
		latest: map[vintageKey]int{}, credit: map[vintageKey]energy.Wh{}, issued: map[vintageKey]int{}, carry: map[int64]energy.Wh{},
		vintages: map[vintageKey][]int{}, issuance: map[int64]int{}}
}

func (m *Memory) id() int64 { m.next++; return m.next }

func get[T any](table map[int64]T, id int64, what string) (T, error) {
	v, ok := table[id]
	if !ok {
		return v, apperr.NotFoundf("rec.Memory", "no %s %d", what, id)
	}
	return v, nil
}

// Account implements State.
func (m *Memory) Account(_ context.Context, id int64) (Account, error) {
	return get(m.Accounts, id, "account")
}

// Facility implements State.
func (m *Memory) Facility(_ context.Context, id int64) (Facility, error) {
	f, err := get(m.Facilities, id, "facility")
	f.Certifications = slices.Clone(f.Certifications)
	return f, err
}

// Block implements State.
func (m *Memory) Block(_ context.Context, id int64) (Block, error) { return get(m.Blocks, id, "block") }

// Transfer implements State.
func (m *Memory) Transfer(_ context.Context, id int64) (Transfer, error) {
	return get(m.Transfers, id, "transfer")
}

// LatestReport implements State.
func (m *Memory) LatestReport(_ context.Context, facilityID int64, v rps.Month) (Report, bool, error) {
	i, ok := m.latest[vintageKey{facilityID, v}]
	if !ok {
		return Report{}, false, nil
	}
	return m.Reports[i], true, nil
}

// Credited implements State.
func (m *Memory) Credited(_ context.Context, facilityID int64, v rps.Month) (energy.Wh, int, error) {
	k := vintageKey{facilityID, v}
	return m.credit[k], m.issued[k], nil
}

// VintageIssuances implements State.
func (m *Memory) VintageIssuances(_ context.Context, facilityID int64, v rps.Month) ([]Issuance, error) {
	var out []Issuance
	for _, i := range m.vintages[vintageKey{facilityID, v}] {
		out = append(out, m.Issuances[i])
	}
	return out, nil
}

// IssuanceBlocks implements State.
func (m *Memory) IssuanceBlocks(_ context.Context, issuanceID int64) ([]Block, error) {
	var out []Block
	for _, b := range m.Blocks {
		if b.IssuanceID == issuanceID {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b Block) int { return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// Carry implements State.
func (m *Memory) Carry(_ context.Context, facilityID int64) (energy.Wh, error) {
	return m.carry[facilityID], nil
}

// Head implements State.
func (m *Memory) Head(context.Context) (int64, string, error) {
	if len(m.Events) == 0 {
		return 0, GenesisHash, nil
	}
	e := m.Events[len(m.Events)-1]
	return e.Seq, e.Hash, nil
}

// InsertAccount implements State.
func (m *Memory) InsertAccount(_ context.Context, a *Account) error {
	a.ID = m.id()
	m.Accounts[a.ID] = *a
	return nil
}

// InsertFacility implements State.
func (m *Memory) InsertFacility(_ context.Context, f *Facility) error {
	for _, o := range m.Facilities {
		if o.WREGISID == f.WREGISID {
			return apperr.Conflictf("rec.Memory", "facility %s is already registered", f.WREGISID)
		}
	}
	f.ID = m.id()
	f.Facility.ID = f.ID
	m.Facilities[f.ID] = *f
	return nil
}

// UpdateFacility implements State.
func (m *Memory) UpdateFacility(_ context.Context, f Facility) error {
	m.Facilities[f.ID] = f
	return nil
}

// InsertReport implements State.
func (m *Memory) InsertReport(_ context.Context, r *Report) error {
	r.ID = m.id()
	m.Reports = append(m.Reports, *r)
	m.latest[vintageKey{r.FacilityID, r.Vintage}] = len(m.Reports) - 1
	return nil
}

// InsertIssuance implements State.
func (m *Memory) InsertIssuance(_ context.Context, i *Issuance) error {
	i.ID = m.id()
	m.Issuances = append(m.Issuances, *i)
	k := vintageKey{i.FacilityID, i.Vintage}
	m.vintages[k] = append(m.vintages[k], len(m.Issuances)-1)
	m.issuance[i.ID] = len(m.Issuances) - 1
	if i.Origin == OriginImported {
		return nil // imported certificates credit no generation here
	}
	m.credit[k] += i.CreditedWh
	m.issued[k]++
	m.carry[i.FacilityID] = i.CarryOut
	return nil
}

// InsertBlock implements State.
func (m *Memory) InsertBlock(_ context.Context, b *Block) error {
	b.ID = m.id()
	if b.Version == 0 {
		b.Version = 1
	}
	if b.Status == StatusWithdrawn && b.Batch == "" {
		m.credit[vintageKey{b.FacilityID, b.Vintage}] -= energy.Wh(b.Quantity()) * energy.WhPerMWh
	}
	if i, ok := m.issuance[b.IssuanceID]; ok && b.ParentID == 0 && m.Issuances[i].BlockID == 0 {
		m.Issuances[i].BlockID = b.ID
	}
	m.Blocks[b.ID] = *b
	return nil
}

// UpdateBlock implements State: only status, account and version change.
func (m *Memory) UpdateBlock(_ context.Context, b Block, fromVersion int64) error {
	cur, ok := m.Blocks[b.ID]
	if !ok || cur.Version != fromVersion {
		return apperr.Conflictf("rec.Memory", "block %d changed concurrently", b.ID)
	}
	if b.Status == StatusWithdrawn && cur.Status != StatusWithdrawn && cur.Batch == "" {
		m.credit[vintageKey{cur.FacilityID, cur.Vintage}] -= energy.Wh(cur.Quantity()) * energy.WhPerMWh
	}
	cur.Status, cur.AccountID, cur.Version = b.Status, b.AccountID, b.Version
	m.Blocks[b.ID] = cur
	return nil
}

// InsertTransfer implements State.
func (m *Memory) InsertTransfer(_ context.Context, t *Transfer) error {
	t.ID = m.id()
	m.Transfers[t.ID] = *t
	return nil
}

// UpdateTransfer implements State.
func (m *Memory) UpdateTransfer(_ context.Context, t Transfer, from TransferStatus) error {
	if m.Transfers[t.ID].Status != from {
		return apperr.Conflictf("rec.Memory", "transfer %d changed concurrently", t.ID)
	}
	m.Transfers[t.ID] = t
	return nil
}

// InsertRetirement implements State.
func (m *Memory) InsertRetirement(_ context.Context, r *Retirement) error {
	r.ID = m.id()
	m.Retirements = append(m.Retirements, *r)
	return nil
}

// InsertExport implements State.
func (m *Memory) InsertExport(_ context.Context, e *Export) error {
	e.ID = m.id()
	m.Exports = append(m.Exports, *e)
	return nil
}

// AppendEvent implements State.
func (m *Memory) AppendEvent(_ context.Context, e *Event) error {
	m.Events = append(m.Events, *e)
	return nil
}

// AllBlocks returns every block, for invariant checks.
func (m *Memory) AllBlocks() []Block {
	out := make([]Block, 0, len(m.Blocks))
	for _, b := range m.Blocks {
		out = append(out, b)
	}
	return out
}
