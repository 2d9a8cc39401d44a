package evcharge

import (
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/lorenzodonini/ocpp-go/ocpp1.6/types"
)

// ChargingProfile turns a plan into one OCPP 1.6 TxProfile: an Absolute
// schedule starting at the first slot, one period per slot at its power
// in W and a zero-limit period for every pause, lasting until the last
// slot ends. Pushing the whole plan at once survives a lost connection
// better than evcc's re-sent single-period TxDefaultProfile
// (research/dr-ev.md §4.1). transactionID is the charge point's
// transaction (0: none yet); stackLevel orders profiles of one purpose.
func ChargingProfile(p Plan, profileID, transactionID, stackLevel int) (*types.ChargingProfile, error) {
	if len(p.Slots) == 0 {
		return nil, apperr.Invalidf("evcharge.ChargingProfile", "the plan has no slots to send")
	}
	start := p.Slots[0].Start
	var periods []types.ChargingSchedulePeriod
	at := start
	for _, s := range p.Slots {
		if s.Start.After(at) {
			periods = append(periods, types.NewChargingSchedulePeriod(int(at.Sub(start)/time.Second), 0))
		}
		if n := len(periods); n > 0 && periods[n-1].Limit == float64(s.W) && !s.Start.After(at) {
			at = s.End // continues the same power
			continue
		}
		periods = append(periods, types.NewChargingSchedulePeriod(int(s.Start.Sub(start)/time.Second), float64(s.W)))
		at = s.End
	}
	dur := int(at.Sub(start) / time.Second)
	sched := types.NewChargingSchedule(types.ChargingRateUnitWatts, periods...)
	sched.Duration = &dur
	sched.StartSchedule = types.NewDateTime(start)
	prof := types.NewChargingProfile(profileID, stackLevel, types.ChargingProfilePurposeTxProfile, types.ChargingProfileKindAbsolute, sched)
	prof.TransactionId = transactionID
	return prof, nil
}
