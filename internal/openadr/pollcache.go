package openadr

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultPollCache is how long an answer to a VEN's event poll may be
// served again to clients holding the same targets, when Options leave it
// zero. VENs poll about once a second (issue 6: 500 VENs at one request
// a second each); anything this VTN changes, or notifies, drops every
// kept answer at once, so the age only bounds how late a change made by
// another process (the console, a second server) is seen before Watch
// notices it.
const DefaultPollCache = time.Second

// maxPollEntries bounds the kept answers and target sets; past it the
// cache starts afresh.
const maxPollEntries = 4096

// pollCache keeps recent answers of GET /events and each client's
// targets. An entry is used only while it is younger than ttl and no
// change has happened since it was computed (gen).
type pollCache struct {
	ttl time.Duration // ≤ 0: nothing is kept
	now func() time.Time

	mu      sync.Mutex
	gen     uint64
	bodies  map[string]kept[[]byte]
	targets map[string]kept[targetSet]
}

// kept is one remembered value with the change count it was computed at
// and the time it stops being served.
type kept[V any] struct {
	v     V
	gen   uint64
	until time.Time
}

func newPollCache(ttl time.Duration) *pollCache {
	return &pollCache{ttl: ttl, now: time.Now, bodies: map[string]kept[[]byte]{}, targets: map[string]kept[targetSet]{}}
}

// generation is the change count an answer computed now belongs to.
func (c *pollCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// invalidate drops every kept answer and target set: something changed.
func (c *pollCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.bodies)
	clear(c.targets)
}

// body returns a kept answer for key.
func (c *pollCache) body(key string) ([]byte, bool) { return lookup(c, c.bodies, key) }

// putBody keeps an answer computed at generation gen (dropped if a change
// happened meanwhile).
func (c *pollCache) putBody(key string, gen uint64, b []byte) { keep(c, c.bodies, key, gen, b) }

// clientTargets returns a client's kept targets.
func (c *pollCache) clientTargets(clientID string) (targetSet, bool) {
	return lookup(c, c.targets, clientID)
}

// putTargets keeps a client's targets computed at generation gen.
func (c *pollCache) putTargets(clientID string, gen uint64, ts targetSet) {
	keep(c, c.targets, clientID, gen, ts)
}

// lookup returns m's value for key while it is current and young enough.
func lookup[V any](c *pollCache, m map[string]kept[V], key string) (V, bool) {
	var zero V
	if c.ttl <= 0 {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := m[key]
	if !ok || e.gen != c.gen || !c.now().Before(e.until) {
		return zero, false
	}
	return e.v, true
}

// keep stores v under key unless a change happened since generation gen;
// past maxPollEntries the map starts afresh.
func keep[V any](c *pollCache, m map[string]kept[V], key string, gen uint64, v V) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(m) >= maxPollEntries {
		clear(m)
	}
	m[key] = kept[V]{v: v, gen: gen, until: c.now().Add(c.ttl)}
}

// key names what an answer depends on: the query and the caller's
// targets (nil for a business client, which sees everything).
func (ts targetSet) key() string {
	if ts == nil {
		return "*"
	}
	return strings.Join(slices.Sorted(maps.Keys(ts)), "\x00")
}
