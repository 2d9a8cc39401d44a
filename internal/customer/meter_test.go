package customer

import "testing"

func TestMeterValidateFieldRules(t *testing.T) {
	tests := []struct {
		name   string
		meter  Meter
		fields string
	}{
		{"valid 15-minute meter", Meter{AccountID: 1, Serial: "M-0001", IntervalSeconds: 900, Installed: date(2024, 1, 1)}, ""},
		{"every supported interval: 300", Meter{AccountID: 1, Serial: "M1X", IntervalSeconds: 300, Installed: date(2024, 1, 1)}, ""},
		{"every supported interval: 1800", Meter{AccountID: 1, Serial: "M1X", IntervalSeconds: 1800, Installed: date(2024, 1, 1)}, ""},
		{"every supported interval: 3600", Meter{AccountID: 1, Serial: "M1X", IntervalSeconds: 3600, Installed: date(2024, 1, 1)}, ""},
		{"account is required", Meter{Serial: "M-0001", IntervalSeconds: 900, Installed: date(2024, 1, 1)}, "account_id"},
		{"serial of 2 characters", Meter{AccountID: 1, Serial: "M1", IntervalSeconds: 900, Installed: date(2024, 1, 1)}, "serial"},
		{"serial of 33 characters", Meter{AccountID: 1, Serial: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", IntervalSeconds: 900, Installed: date(2024, 1, 1)}, "serial"},
		{"serial with a space", Meter{AccountID: 1, Serial: "M 0001", IntervalSeconds: 900, Installed: date(2024, 1, 1)}, "serial"},
		{"10-minute interval", Meter{AccountID: 1, Serial: "M-0001", IntervalSeconds: 600, Installed: date(2024, 1, 1)}, "interval_seconds,channels"}, // the default channel inherits it,
		{"installed is required", Meter{AccountID: 1, Serial: "M-0001", IntervalSeconds: 900}, "installed"},
		{"removed on the install day", Meter{AccountID: 1, Serial: "M-0001", IntervalSeconds: 900, Installed: date(2024, 1, 1), Removed: date(2024, 1, 1)}, "removed"},
		{"removed after install", Meter{AccountID: 1, Serial: "M-0001", IntervalSeconds: 900, Installed: date(2024, 1, 1), Removed: date(2025, 1, 1)}, ""},
		{"delivered and received channels", Meter{AccountID: 1, Serial: "M-0001", IntervalSeconds: 900, Installed: date(2024, 1, 1),
			Channels: []Channel{{Direction: Delivered}, {Direction: Received}}}, ""},
		{"two delivered channels", Meter{AccountID: 1, Serial: "M-0001", IntervalSeconds: 900, Installed: date(2024, 1, 1),
			Channels: []Channel{{Direction: Delivered}, {Direction: Delivered}}}, "channels"},
		{"net is not a direction", Meter{AccountID: 1, Serial: "M-0001", IntervalSeconds: 900, Installed: date(2024, 1, 1),
			Channels: []Channel{{Direction: "net"}}}, "channels"},
		{"channel interval not supported", Meter{AccountID: 1, Serial: "M-0001", IntervalSeconds: 900, Installed: date(2024, 1, 1),
			Channels: []Channel{{Direction: Delivered, IntervalSeconds: 60}}}, "channels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.meter
			checkFields(t, m.Validate(), tt.fields)
		})
	}
}

func TestMeterWithoutChannelsGetsADeliveredChannel(t *testing.T) {
	m := Meter{AccountID: 1, Serial: "M-0001", IntervalSeconds: 900, Installed: date(2024, 1, 1)}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(m.Channels) != 1 || m.Channels[0].Direction != Delivered || m.Channels[0].IntervalSeconds != 900 {
		t.Fatalf("channels = %+v, want one delivered 900-second channel", m.Channels)
	}
}

func TestChannelIntervalDefaultsToMeters(t *testing.T) {
	m := Meter{AccountID: 1, Serial: "M-0001", IntervalSeconds: 3600, Installed: date(2024, 1, 1),
		Channels: []Channel{{Direction: Delivered}, {Direction: Received, IntervalSeconds: 900}}}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if m.Channels[0].IntervalSeconds != 3600 || m.Channels[1].IntervalSeconds != 900 {
		t.Fatalf("channel intervals = %d, %d; want 3600, 900", m.Channels[0].IntervalSeconds, m.Channels[1].IntervalSeconds)
	}
}
