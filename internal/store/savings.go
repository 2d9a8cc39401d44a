package store

import (
	"context"
	"math"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/savings"
)

// SavingsInputs are what the savings models need of a stored meter: its
// usage as Pacific days and the hourly temperature of its premise's CZ2010
// weather station (by ZIP, from reference's climate-zone table).
type SavingsInputs struct {
	Meter       customer.Meter
	Premise     customer.Premise
	StationCode string // USAF/WBAN number of the premise's CZ2010 weather file
	StationName string
	Solar       bool          // the meter has a received channel with exports: usage is net
	Usage       savings.Usage // Pacific days
	Hourly      savings.Usage // clock hours, for CalTRACK hourly
	Temperature savings.Temperature
}

// SavingsInputs reads a meter's delivered (less received, when it has a
// received channel) energy over [from, to) as daily kWh, and the premise
// station's temperature over the same span. A premise whose station has
// no stored weather is a NotFound error naming the station.
func (q queries) SavingsInputs(ctx context.Context, meterID int64, from, to time.Time) (SavingsInputs, error) {
	return q.savingsInputs(ctx, meterID, from, to, true, nil)
}

// savingsInputs is SavingsInputs, with the clock-hour usage only when
// hourly, and the station's weather through wc when it is not nil.
func (q queries) savingsInputs(ctx context.Context, meterID int64, from, to time.Time, hourly bool, wc *weatherCache) (SavingsInputs, error) {
	const op = "store.SavingsInputs"
	var in SavingsInputs
	m, err := q.Meter(ctx, meterID)
	if err != nil {
		return in, err
	}
	in.Meter = m
	acct, err := q.Account(ctx, m.AccountID)
	if err != nil {
		return in, err
	}
	if in.Premise, err = q.Premise(ctx, acct.PremiseID); err != nil {
		return in, err
	}
	cz, err := q.db.ref.ClimateZone(in.Premise.ZIP)
	if err != nil {
		return in, err
	}
	in.StationCode, in.StationName = cz.StationID, cz.Station
	step := time.Duration(m.IntervalSeconds) * time.Second
	if step <= 0 {
		return in, apperr.Invalidf(op, "meter %d has no interval length", meterID)
	}
	from, to = from.Truncate(step), to.Truncate(step)
	kwh := make([]float64, int(to.Sub(from)/step))
	for i := range kwh {
		kwh[i] = math.NaN()
	}
	for _, ch := range m.Channels {
		sign := 1.0
		if ch.Direction == customer.Received {
			sign = -1
		}
		for lo := from; lo.Before(to); lo = lo.Add(360 * 24 * time.Hour) {
			hi := lo.Add(360 * 24 * time.Hour)
			if hi.After(to) {
				hi = to
			}
			s, err := q.Intervals(ctx, ch.ID, lo, hi)
			if err != nil {
				return in, err
			}
			off := int(lo.Sub(from) / step)
			for i, v := range s.Values {
				if v == Missing {
					continue
				}
				k := off + i
				if ch.Direction == customer.Received && v > 0 {
					in.Solar = true
				}
				if math.IsNaN(kwh[k]) {
					kwh[k] = 0
				}
				kwh[k] += sign * float64(v) / 1000
			}
		}
	}
	in.Usage = savings.DailyUsage(from, step, kwh)
	if hourly {
		in.Hourly = savings.HourlyUsage(from, step, kwh)
	}
	st, err := wc.station(ctx, q, in.StationCode)
	if err != nil {
		return in, apperr.NotFoundf(op, "no weather is stored for station %s (%s), the CZ2010 station of ZIP %s; import it with gridbook weather import",
			in.StationCode, in.StationName, in.Premise.ZIP)
	}
	in.StationName = st.Name
	in.Temperature, err = q.weather(ctx, st, from, to, wc)
	return in, err
}

// weatherCache keeps the stations and monthly weather blocks a portfolio
// run has read, so meters sharing a station read its weather once. A nil
// cache reads every time. It is used by one goroutine at a time.
type weatherCache struct {
	stations map[string]WeatherStation
	blocks   map[weatherKey][]int64
}

type weatherKey struct {
	station int64
	month   string
}

func newWeatherCache() *weatherCache {
	return &weatherCache{stations: map[string]WeatherStation{}, blocks: map[weatherKey][]int64{}}
}

// station returns the station with code.
func (wc *weatherCache) station(ctx context.Context, q queries, code string) (WeatherStation, error) {
	if wc == nil {
		return q.WeatherStationByCode(ctx, code)
	}
	if st, ok := wc.stations[code]; ok {
		return st, nil
	}
	st, err := q.WeatherStationByCode(ctx, code)
	if err == nil {
		wc.stations[code] = st
	}
	return st, err
}

// block returns a station's month of hourly readings (n hours).
func (wc *weatherCache) block(ctx context.Context, q queries, stationID int64, month time.Time, n int) ([]int64, error) {
	if wc == nil {
		return q.weatherBlock(ctx, stationID, month, n)
	}
	k := weatherKey{stationID, month.Format("2006-01")}
	if b, ok := wc.blocks[k]; ok && len(b) == n {
		return b, nil
	}
	b, err := q.weatherBlock(ctx, stationID, month, n)
	if err == nil {
		wc.blocks[k] = b
	}
	return b, err
}

// MeterSavings reads a stored meter's usage and its station's weather over
// the calculation's window and evaluates o on them (o.Solar is set when
// the meter exports). Options are checked before anything is read; the
// billing methods are refused naming method, a stored meter being read as
// days or hours, not bills.
func (q queries) MeterSavings(ctx context.Context, meterID int64, o savings.CalcOptions) (*savings.CalcResult, SavingsInputs, error) {
	err := savings.CheckOptions(&o)
	if o.Method == savings.MethodCalTRACKBilling || o.Method == savings.MethodBilling {
		var f apperr.Fields
		f.Add("method", "%s models bills; a stored meter is modelled on its days or hours: use caltrack-daily, caltrack-hourly or daily", o.Method)
		err = f.Err("store.MeterSavings")
	}
	if err != nil {
		return nil, SavingsInputs{}, err
	}
	from, to := savings.Window(o)
	in, err := q.savingsInputs(ctx, meterID, from, to, o.Method == savings.MethodCalTRACKHourly, nil)
	if err != nil {
		return nil, in, err
	}
	res, err := in.evaluate(o)
	return res, in, err
}

// evaluate runs o on the inputs: days, or clock hours for CalTRACK
// hourly, with o.Solar set when the meter exports.
func (in SavingsInputs) evaluate(o savings.CalcOptions) (*savings.CalcResult, error) {
	o.Solar = o.Solar || in.Solar
	usage := in.Usage
	if o.Method == savings.MethodCalTRACKHourly {
		usage = in.Hourly
	}
	return savings.Evaluate(usage, in.Temperature, o)
}
