package web

import "strings"

// badgeTone maps a status or program label to the CSS tone of its badge
// ("badge-" + tone). Program flags get their own tones so that they can be
// told apart in a dense table; states share a few tones by meaning. Unknown
// labels are neutral.
func badgeTone(label string) string {
	s := strings.ToLower(strings.TrimSpace(label))
	switch s {
	case "care", "fera", "dac":
		return s
	case "medical baseline":
		return "medical"
	}
	// CPUC High Fire-Threat District map: Tier 2 (elevated) and Tier 3
	// (extreme) fire-threat areas (CPUC D.17-12-024).
	if strings.HasPrefix(s, "hftd") {
		if strings.Contains(s, "3") {
			return "hftd3"
		}
		return "hftd2"
	}
	switch s {
	case "eligible", "active", "approved", "paid", "completed", "complete", "enrolled", "succeeded", "ok", "retired":
		return "ok"
	case "pending", "queued", "running", "submitted", "scheduled", "in review", "review", "open", "payable":
		return "info"
	case "draft", "on hold", "held", "waitlisted", "expiring", "retryable", "warning":
		return "warn"
	case "not eligible", "rejected", "failed", "denied", "cancelled", "canceled", "discarded", "overdue", "error", "refused":
		return "danger"
	}
	return "neutral"
}
