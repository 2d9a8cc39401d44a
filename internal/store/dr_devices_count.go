package store

import (
	"context"
	"fmt"
)

// DeviceCounts returns how many devices of a type ("" for every type) are
// registered and how many of them have been heard from (TouchDevice).
func (q queries) DeviceCounts(ctx context.Context, deviceType string) (total, seen int, err error) {
	err = q.q.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(CASE WHEN last_seen_unix > 0 THEN 1 END) FROM dr_devices WHERE ($1 = '' OR device_type = $1)`,
		deviceType).Scan(&total, &seen)
	if err != nil {
		return 0, 0, fmt.Errorf("store: device counts: %w", err)
	}
	return total, seen, nil
}
