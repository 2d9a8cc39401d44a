package rec

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
)

// GenesisHash is the previous hash of the first event.
var GenesisHash = strings.Repeat("0", 64)

// ComputeHash returns the hash of e over its previous hash, sequence
// number, time (unix seconds), kind, actor and data, each on its own line.
func (e *Event) ComputeHash() string {
	h := sha256.New()
	for _, s := range []string{e.Prev, strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.At.Unix(), 10), e.Kind, e.Actor} {
		h.Write([]byte(s))
		h.Write([]byte{'\n'})
	}
	h.Write(e.Data)
	return hex.EncodeToString(h.Sum(nil))
}

// Break describes where a chain of events fails verification.
type Break struct {
	Seq    int64  `json:"seq"`
	Reason string `json:"reason"`
}

// VerifyChain checks events read in order, starting after the event whose
// hash is prev (GenesisHash for the first) and whose sequence number is
// prevSeq: consecutive numbers, each entry linked to the one before and
// its hash recomputed from its contents. It returns the first break, or
// nil when the chain is whole.
func VerifyChain(events []Event, prevSeq int64, prev string) *Break {
	for _, e := range events {
		switch {
		case e.Seq != prevSeq+1:
			return &Break{Seq: e.Seq, Reason: "sequence gap: expected " + strconv.FormatInt(prevSeq+1, 10)}
		case e.Prev != prev:
			return &Break{Seq: e.Seq, Reason: "previous-hash link does not match the entry before"}
		case e.ComputeHash() != e.Hash:
			return &Break{Seq: e.Seq, Reason: "contents do not match the stored hash"}
		}
		prevSeq, prev = e.Seq, e.Hash
	}
	return nil
}

// ErrChainBroken is the error kind callers get for a broken chain.
func chainError(b *Break) error {
	return apperr.Conflictf("rec.VerifyChain", "event log broken at entry %d: %s", b.Seq, b.Reason)
}

// ChainError returns an error describing b, or nil for a whole chain.
func ChainError(b *Break) error {
	if b == nil {
		return nil
	}
	return chainError(b)
}
