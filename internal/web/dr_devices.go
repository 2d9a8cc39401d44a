package web

import (
	"net/http"

	"github.com/gridbook/gridbook/internal/store"
)

// DRDevicesPage is the Data of console/dr_devices.
type DRDevicesPage struct {
	Type    string
	Types   []Option
	Devices []store.DeviceRecord
	Seen    int // heard from at least once
}

// drDevices lists registered devices (?type=): thermostats, chargers,
// batteries and the Smart Light Switch pilot's switches, with when each
// was last heard from.
func (h *handler) drDevices(w http.ResponseWriter, r *http.Request) {
	page := &DRDevicesPage{Type: r.URL.Query().Get("type"), Types: []Option{{"", "All devices"}, {"thermostat", "Thermostats"},
		{"ev_charger", "EV chargers"}, {"battery", "Batteries"}, {"light_switch", "Light switches"}}}
	ds, err := h.db.Devices(r.Context(), store.DeviceFilter{Type: page.Type, Limit: 5000})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page.Devices = ds
	for _, d := range ds {
		if !d.LastSeen.IsZero() {
			page.Seen++
		}
	}
	h.rd.Render(w, r, http.StatusOK, "console/dr_devices", &View{Title: "Devices", Nav: NavDR, Data: page})
}
