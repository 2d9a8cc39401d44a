package api

import (
	"slices"
)

// portalRows pages through the few records a portal user may see: the
// distinct ids above the cursor in order, each fetched and kept when it
// matches, up to limit rows.
func portalRows[T any](ids []int64, after int64, limit int, fetch func(int64) (T, error), keep func(T) bool) ([]T, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var out []T
	for _, id := range ids {
		if id <= after || len(out) == limit {
			continue
		}
		v, err := fetch(id)
		if err != nil {
			return nil, err
		}
		if keep(v) {
			out = append(out, v)
		}
	}
	return out, nil
}
