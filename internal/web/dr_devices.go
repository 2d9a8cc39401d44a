package web

import (
	"net/http"
	"strconv"

	"github.com/gridbook/gridbook/internal/store"
)

// drDevicesPageSize is how many devices a devices page shows.
const drDevicesPageSize = 100

// DRDevicesPage is the Data of console/dr_devices.
type DRDevicesPage struct {
	Type    string
	Types   []Option
	Devices []store.DeviceRecord
	Total   int    // devices of the type, on every page
	Seen    int    // of those, heard from at least once
	First   bool   // no cursor: the first page
	NextURL string // "" on the last page
}

// drDevices lists registered devices (?type=, ?after= the last device id
// of the previous page): thermostats, chargers, batteries and the Smart
// Light Switch pilot's switches, with when each was last heard from.
func (h *handler) drDevices(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page := &DRDevicesPage{Type: q.Get("type"), Types: []Option{{"", "All devices"}, {"thermostat", "Thermostats"},
		{"ev_charger", "EV chargers"}, {"battery", "Batteries"}, {"light_switch", "Light switches"}}}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	page.First = after <= 0
	ds, err := h.db.Devices(r.Context(), store.DeviceFilter{Type: page.Type, AfterID: after, Limit: drDevicesPageSize + 1})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page.Devices, page.NextURL = cutPage(ds, drDevicesPageSize, func(d store.DeviceRecord) int64 { return d.ID }, "/dr/devices", "after", "type", page.Type)
	if page.Total, page.Seen, err = h.db.DeviceCounts(r.Context(), page.Type); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/dr_devices", &View{Title: "Devices", Nav: NavDR, Data: page})
}
