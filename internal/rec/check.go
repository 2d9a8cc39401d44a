package rec

import (
	"fmt"
	"slices"
)

// CheckBlocks verifies the serial invariants of every issuance against
// its blocks (research/rps.md §6, invariants 1–2): the unsplit blocks of
// an issuance tile its serials exactly (1 to its quantity, or an imported
// range), with no gap and no overlap; every split block has exactly two children that tile its range;
// and every block's range is non-empty. It returns one line per problem.
func CheckBlocks(issuances []Issuance, blocks []Block) []string {
	var problems []string
	byIssuance := map[int64][]Block{}
	children := map[int64][]Block{}
	for _, b := range blocks {
		byIssuance[b.IssuanceID] = append(byIssuance[b.IssuanceID], b)
		if b.ParentID != 0 {
			children[b.ParentID] = append(children[b.ParentID], b)
		}
		if b.End < b.Start {
			problems = append(problems, fmt.Sprintf("block %d has an empty range %d–%d", b.ID, b.Start, b.End))
		}
	}
	for _, iss := range issuances {
		var live []Block
		for _, b := range byIssuance[iss.ID] {
			if b.Status != StatusSplit {
				live = append(live, b)
			}
		}
		slices.SortFunc(live, func(a, b Block) int { return int(a.Start - b.Start) })
		next := iss.FirstSerial()
		for _, b := range live {
			if b.Start != next {
				problems = append(problems, fmt.Sprintf("issuance %d: block %d starts at %d, want %d (gap or overlap)", iss.ID, b.ID, b.Start, next))
			}
			next = b.End + 1
		}
		if next-1 != iss.LastSerial() {
			problems = append(problems, fmt.Sprintf("issuance %d: unsplit blocks end at %d, issued %d to %d", iss.ID, next-1, iss.FirstSerial(), iss.LastSerial()))
		}
		delete(byIssuance, iss.ID)
	}
	for id := range byIssuance {
		problems = append(problems, fmt.Sprintf("blocks of unknown issuance %d", id))
	}
	// No serial is in two issuances: the ranges of one facility's vintage
	// and batch (issued here or imported) are disjoint.
	type batchKey struct {
		facility int64
		vintage  string
		batch    string
	}
	ranges := map[batchKey][]Issuance{}
	for _, iss := range issuances {
		if iss.Quantity > 0 {
			k := batchKey{iss.FacilityID, iss.Vintage.String(), iss.BatchLabel()}
			ranges[k] = append(ranges[k], iss)
		}
	}
	for _, list := range ranges {
		slices.SortFunc(list, func(a, b Issuance) int { return int(a.FirstSerial() - b.FirstSerial()) })
		for i := 1; i < len(list); i++ {
			if a, b := list[i-1], list[i]; b.FirstSerial() <= a.LastSerial() {
				problems = append(problems, fmt.Sprintf("issuances %d and %d of batch %s overlap (%d–%d and %d–%d)", a.ID, b.ID, b.BatchLabel(),
					a.FirstSerial(), a.LastSerial(), b.FirstSerial(), b.LastSerial()))
			}
		}
	}
	for _, b := range blocks {
		kids := children[b.ID]
		if b.Status != StatusSplit {
			if len(kids) > 0 {
				problems = append(problems, fmt.Sprintf("block %d has children but is %s", b.ID, b.Status))
			}
			continue
		}
		slices.SortFunc(kids, func(a, b Block) int { return int(a.Start - b.Start) })
		if len(kids) != 2 || kids[0].Start != b.Start || kids[0].End+1 != kids[1].Start || kids[1].End != b.End {
			problems = append(problems, fmt.Sprintf("split block %d (%d–%d) is not tiled by two children", b.ID, b.Start, b.End))
		}
	}
	slices.Sort(problems)
	return problems
}
