package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/store"
)

// drParticipantsPageSize is how many enrollments a participants page shows.
const drParticipantsPageSize = 100

// DRParticipantRow is one enrollment on console/dr_participants.
type DRParticipantRow struct {
	store.DREnrollment
	ProgramName string
}

// DRParticipantsPage is the Data of console/dr_participants.
type DRParticipantsPage struct {
	Program  string
	Programs []Option
	Rows     []DRParticipantRow
	First    bool   // no cursor: the first page
	NextURL  string // "" on the last page
}

// drParticipants lists the enrollments in the DR programs (?program=,
// ?after= the last enrollment id of the previous page): account, program,
// track, enrolled from and to, and the devices the account registered to
// the program.
func (h *handler) drParticipants(w http.ResponseWriter, r *http.Request) {
	cat, err := h.drCatalog()
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	page := &DRParticipantsPage{Program: q.Get("program"), Programs: []Option{{"", "All programs"}}}
	names := map[string]string{}
	var codes []string
	for _, p := range cat.Programs() {
		names[p.Code] = p.Name
		codes = append(codes, p.Code)
		page.Programs = append(page.Programs, Option{Value: p.Code, Label: p.Name})
	}
	if _, ok := names[page.Program]; page.Program != "" && !ok {
		h.rd.Error(w, r, apperr.NotFoundf("web", "There is no program %q.", page.Program))
		return
	}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	page.First = after <= 0
	es, err := h.db.DREnrollments(r.Context(), store.DREnrollmentFilter{Programs: codes, Program: page.Program, AfterID: after, Limit: drParticipantsPageSize + 1})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	es, page.NextURL = cutPage(es, drParticipantsPageSize, func(e store.DREnrollment) int64 { return e.ID }, "/dr/participants", "after", "program", page.Program)
	for _, e := range es {
		page.Rows = append(page.Rows, DRParticipantRow{DREnrollment: e, ProgramName: names[e.Program]})
	}
	h.rd.Render(w, r, http.StatusOK, "console/dr_participants", &View{Title: "Participants", Nav: NavDR, Data: page})
}

// VENRow is one VEN on console/openadr_vens.
type VENRow struct {
	ID, Name, ClientID string
	Targets            string // the VEN's targets, comma-separated
	Resources          []string
	Created            time.Time
	// ClientDisabled is when an administrator disabled the VEN's OpenADR
	// client (zero: enabled).
	ClientDisabled time.Time
}

// openADRVENs lists the VENs registered with the VTN, read from the
// stored OpenADR objects, with their targets and resources.
func (h *handler) openADRVENs(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	vens, err := h.db.OADRObjects(ctx, store.OADRFilter{Kind: "VEN"})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	res, err := h.db.OADRObjects(ctx, store.OADRFilter{Kind: "RESOURCE"})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	clients, err := h.db.OADRClients(ctx)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	disabled := map[string]time.Time{}
	for _, c := range clients {
		disabled[c.ClientID] = c.Disabled
	}
	byVEN := map[string][]string{}
	for _, o := range res {
		byVEN[o.VenID] = append(byVEN[o.VenID], o.Name)
	}
	rows := make([]VENRow, 0, len(vens))
	for _, o := range vens {
		var body struct {
			Targets json.RawMessage `json:"targets"`
		}
		_ = json.Unmarshal(o.Body, &body) // a body the VTN stored is JSON; no targets shows as none
		rows = append(rows, VENRow{ID: o.ID, Name: o.Name, ClientID: o.ClientID, Targets: targetsText(body.Targets), Resources: byVEN[o.ID], Created: o.Created,
			ClientDisabled: disabled[o.ClientID]})
	}
	h.rd.Render(w, r, http.StatusOK, "console/openadr_vens", &View{Title: "OpenADR VENs", Nav: NavDR, Data: rows})
}

// targetsText renders OpenADR targets: 3.1.0's array of strings, or
// 3.0.1's array of valuesMap objects ({"type": …, "values": […]}).
func targetsText(raw json.RawMessage) string {
	var strs []string
	if json.Unmarshal(raw, &strs) == nil {
		return strings.Join(strs, ", ")
	}
	var maps []struct {
		Type   string `json:"type"`
		Values []any  `json:"values"`
	}
	if json.Unmarshal(raw, &maps) != nil {
		return ""
	}
	var parts []string
	for _, m := range maps {
		var vs []string
		for _, v := range m.Values {
			vs = append(vs, fmt.Sprint(v))
		}
		parts = append(parts, m.Type+": "+strings.Join(vs, ", "))
	}
	return strings.Join(parts, "; ")
}
