package savings

import (
	"encoding/csv"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
)

// ReadParticipants reads an evaluation's accounts from a CSV with columns
// id, treated (true/false or 1/0; optional before assignment),
// pre_kwh_per_day, post_kwh_per_day (optional) and active (optional,
// default true). Empty cells are unknown.
func ReadParticipants(r io.Reader) ([]Participant, error) {
	const op, field = "savings.ReadParticipants", "participants"
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, fieldErr(op, field, "no header: %v", err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, need := range []string{"id", "pre_kwh_per_day"} {
		if _, ok := col[need]; !ok {
			return nil, fieldErr(op, field, "the header lacks column %s (want id,treated,pre_kwh_per_day,post_kwh_per_day,active)", need)
		}
	}
	var out []Participant
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fieldErr(op, field, "%v", err)
		}
		if len(out) >= maxRows {
			return nil, fieldErr(op, field, "more than %d accounts", maxRows)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		p := Participant{Active: true, Pre: math.NaN(), Post: math.NaN()}
		if p.ID, err = strconv.ParseInt(get("id"), 10, 64); err != nil {
			return nil, fieldErr(op, field, "line %d, column id: %q is not a whole number", line, get("id"))
		}
		for _, b := range []struct {
			name string
			into *bool
		}{{"treated", &p.Treated}, {"active", &p.Active}} {
			if s := get(b.name); s != "" {
				if *b.into, err = strconv.ParseBool(s); err != nil {
					return nil, fieldErr(op, field, "line %d, column %s: %q is not true or false", line, b.name, s)
				}
			}
		}
		for _, v := range []struct {
			name string
			into *float64
		}{{"pre_kwh_per_day", &p.Pre}, {"post_kwh_per_day", &p.Post}} {
			if s := get(v.name); s != "" {
				x, err := strconv.ParseFloat(s, 64)
				if err != nil || math.IsInf(x, 0) || x < 0 {
					return nil, fieldErr(op, field, "line %d, column %s: %q is not a use in kWh per day", line, v.name, s)
				}
				*v.into = x
			}
		}
		out = append(out, p)
	}
}

// WriteParticipants writes accounts in the layout ReadParticipants reads.
func WriteParticipants(w io.Writer, ps []Participant) error {
	cw := csv.NewWriter(w)
	num := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	if err := cw.Write([]string{"id", "treated", "pre_kwh_per_day", "post_kwh_per_day", "active"}); err != nil {
		return err
	}
	for _, p := range ps {
		if err := cw.Write([]string{strconv.FormatInt(p.ID, 10), strconv.FormatBool(p.Treated), num(p.Pre), num(p.Post), strconv.FormatBool(p.Active)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
