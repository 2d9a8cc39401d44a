package meterdata

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"

	"github.com/gridbook/gridbook/internal/apperr"
)

// Options control Read.
type Options struct {
	Format Format // FormatAuto or "" detects the layout
	// Progress, when set, is called about every ProgressEvery bytes of
	// input and once more when the input is parsed.
	Progress      func(Progress)
	ProgressEvery int64 // bytes between Progress calls; 0 means 4 MiB
}

// Progress says how far Read has got.
type Progress struct {
	Bytes int64 // input bytes read
	// Readings counts the IntervalReadings (ESPI) or CSV records read so
	// far; with Done it is the readings in the parsed file.
	Readings int
	Done     bool
}

// Digest identifies the bytes of an input file; importers record it so
// that a second import of the same file is recognised.
type Digest struct {
	SHA256 string // lower-case hex
	Bytes  int64
}

// Read parses an interval file like Parse and also returns the SHA-256
// and length of every byte of the input (read to its end even when the
// parser stops early), reporting progress as it goes.
func Read(r io.Reader, opt Options) (*File, Digest, error) {
	every := opt.ProgressEvery
	if every <= 0 {
		every = 4 << 20
	}
	n := new(int)
	pr := &hashReader{r: r, h: sha256.New(), every: every, next: every, fn: opt.Progress, readings: n}
	f, err := parse(pr, opt.Format, n)
	if err != nil {
		return nil, Digest{}, err
	}
	if _, err := io.Copy(io.Discard, pr); err != nil {
		return nil, Digest{}, apperr.E(apperr.Invalid, "meterdata.Read", "could not read the file", err)
	}
	d := Digest{SHA256: hex.EncodeToString(pr.h.Sum(nil)), Bytes: pr.n}
	if opt.Progress != nil {
		opt.Progress(Progress{Bytes: pr.n, Readings: f.Readings(), Done: true})
	}
	return f, d, nil
}

// hashReader hashes and counts what passes through it and reports
// progress every so many bytes.
type hashReader struct {
	r        io.Reader
	h        hash.Hash
	n        int64
	every    int64
	next     int64
	fn       func(Progress)
	readings *int
}

func (p *hashReader) Read(b []byte) (int, error) {
	k, err := p.r.Read(b)
	if k > 0 {
		p.h.Write(b[:k])
		p.n += int64(k)
		if p.fn != nil && p.n >= p.next {
			p.fn(Progress{Bytes: p.n, Readings: *p.readings})
			p.next = p.n + p.every
		}
	}
	return k, err
}
