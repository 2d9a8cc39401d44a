package rec

import (
	"fmt"
	"slices"
)

// CheckBlocks verifies the serial invariants of every issuance against
// its blocks (research/rps.md §6, invariants 1–2): the unsplit blocks of
// an issuance tile serials 1 to its quantity exactly, with no gap and no
// overlap; every split block has exactly two children that tile its range;
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
		next := int64(1)
		for _, b := range live {
			if b.Start != next {
				problems = append(problems, fmt.Sprintf("issuance %d: block %d starts at %d, want %d (gap or overlap)", iss.ID, b.ID, b.Start, next))
			}
			next = b.End + 1
		}
		if next-1 != iss.Quantity {
			problems = append(problems, fmt.Sprintf("issuance %d: unsplit blocks end at %d, issued %d", iss.ID, next-1, iss.Quantity))
		}
		delete(byIssuance, iss.ID)
	}
	for id := range byIssuance {
		problems = append(problems, fmt.Sprintf("blocks of unknown issuance %d", id))
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
