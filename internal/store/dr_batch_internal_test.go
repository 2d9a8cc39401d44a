package store

import (
	"math/rand/v2"
	"testing"

	"github.com/gridbook/gridbook/internal/energy"
)

// TestUnpackRangeDecodesAsUnpackInto checks the batch read's inline
// varint decoding against unpackInto on blocks whose deltas take one to
// nine bytes (negative and positive, Missing included), stored whole and
// at offsets before, inside and after the output window; a truncated or
// overlong block is refused as unpackInto refuses it when the window
// reaches the block's end.
func TestUnpackRangeDecodesAsUnpackInto(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for _, scale := range []int64{50, 5_000, 500_000, 1 << 40} {
		vs := make([]energy.Wh, 2976)
		for i := range vs {
			switch r.IntN(20) {
			case 0:
				vs[i] = Missing
			default:
				vs[i] = energy.Wh(r.Int64N(scale))
			}
		}
		b := packValues(vs)
		want := make([]energy.Wh, len(vs))
		if err := unpackInto(want, b); err != nil {
			t.Fatal(err)
		}
		for _, off := range []int{0, -100, 100, -2976, 2976} {
			out := make([]energy.Wh, 1000)
			if err := unpackRange(out, off, b, len(vs)); err != nil {
				t.Fatalf("scale %d offset %d: %v", scale, off, err)
			}
			for j, v := range out {
				i := j - off
				exp := energy.Wh(-7)
				if i >= 0 && i < len(want) {
					exp = want[i]
				} else if v != 0 {
					t.Fatalf("scale %d offset %d: out[%d] = %d outside the block, want untouched", scale, off, j, v)
				}
				if i >= 0 && i < len(want) && v != exp {
					t.Fatalf("scale %d offset %d: out[%d] = %d, want %d", scale, off, j, v, exp)
				}
			}
		}
		// A block is checked to its end when the range reaches its end.
		if err := unpackRange(make([]energy.Wh, len(vs)), 0, b[:len(b)-1], len(vs)); err == nil {
			t.Errorf("scale %d: a truncated block was accepted", scale)
		}
		if err := unpackRange(make([]energy.Wh, 10), 10-len(vs), append(b[:len(b):len(b)], 0), len(vs)); err == nil {
			t.Errorf("scale %d: a block with a trailing byte was accepted", scale)
		}
	}
}
