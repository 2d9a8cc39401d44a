package web

import (
	"net/url"
	"strconv"
)

// cutPage cuts rows, fetched with a limit of size+1, to size and, when
// there was a further row, returns the URL of the next page: path with the
// non-empty filters (name, value pairs) and the cursor parameter set to the
// ID of the last row kept. On the last page it returns "".
func cutPage[T any](rows []T, size int, id func(T) int64, path, cursor string, filters ...string) ([]T, string) {
	if len(rows) <= size {
		return rows, ""
	}
	rows = rows[:size]
	v := url.Values{}
	for i := 0; i+1 < len(filters); i += 2 {
		if filters[i+1] != "" {
			v.Set(filters[i], filters[i+1])
		}
	}
	v.Set(cursor, strconv.FormatInt(id(rows[size-1]), 10))
	return rows, path + "?" + v.Encode()
}
