package meterdata

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
)

const opESPI = "meterdata.ParseESPI"

// ParseESPI reads a Green Button ESPI XML document (an Atom feed of ESPI
// objects, or a bare ESPI object) and returns one channel per MeterReading
// (two for a net MeterReading with export).
func ParseESPI(r io.Reader) (*File, error) { return parseESPI(r, new(int)) }

// parseESPI is ParseESPI counting the IntervalReadings read in *n.
func parseESPI(r io.Reader, n *int) (*File, error) {
	b := newESPIBuilder()
	b.nread = n
	if err := scanXML(r, b); err != nil {
		return nil, err
	}
	return b.file()
}

// elemID names the ESPI and Atom elements the builder cares about; every
// other element is eOther.
type elemID uint8

const (
	eOther elemID = iota
	eEntry
	eLink
	eUsagePoint
	eServiceCategory
	eKind
	eMeterReading
	eReadingType
	eFlowDirection
	eUOM
	ePower
	eIntervalLength
	eAccumulation
	eCommodity
	eIntervalBlock
	eInterval
	eIntervalReading
	eTimePeriod
	eStart
	eDuration
	eValue
	eReadingQuality
	eQuality
)

func elemOf(local []byte) elemID {
	switch string(local) {
	case "IntervalReading":
		return eIntervalReading
	case "timePeriod":
		return eTimePeriod
	case "start":
		return eStart
	case "duration":
		return eDuration
	case "value":
		return eValue
	case "ReadingQuality":
		return eReadingQuality
	case "quality":
		return eQuality
	case "IntervalBlock":
		return eIntervalBlock
	case "interval":
		return eInterval
	case "entry":
		return eEntry
	case "link":
		return eLink
	case "UsagePoint":
		return eUsagePoint
	case "ServiceCategory":
		return eServiceCategory
	case "kind":
		return eKind
	case "MeterReading":
		return eMeterReading
	case "ReadingType":
		return eReadingType
	case "flowDirection":
		return eFlowDirection
	case "uom":
		return eUOM
	case "powerOfTenMultiplier":
		return ePower
	case "intervalLength":
		return eIntervalLength
	case "accumulationBehaviour":
		return eAccumulation
	case "commodity":
		return eCommodity
	}
	return eOther
}

// leaf says which (element, parent) pairs carry a number the builder
// reads.
func leaf(id, parent elemID) bool {
	switch id {
	case eStart, eDuration:
		return parent == eTimePeriod || parent == eInterval
	case eValue:
		return parent == eIntervalReading
	case eQuality:
		return parent == eReadingQuality
	case eFlowDirection, eUOM, ePower, eIntervalLength, eAccumulation, eCommodity:
		return parent == eReadingType
	case eKind:
		return parent == eReadingType || parent == eServiceCategory
	}
	return false
}

type espiEntry struct {
	self, up string
	related  []string
}

// optInt is an integer field that may be absent.
type optInt struct {
	v   int64
	set bool
}

// inlineRT is the entry of a ReadingType written inside its MeterReading.
const inlineRT = -3

type espiReadingType struct {
	entry                                                 int // inlineRT when inline, -1 outside any entry
	flow, uom, pow, length, accumulation, kind, commodity optInt
}

type espiMeterReading struct {
	entry  int
	inline int // index of an inline ReadingType, or -1
}

type espiUsagePoint struct {
	entry int
	kind  optInt
}

// espiReading is an IntervalReading as written: start and duration are
// zero when it has no timePeriod.
type espiReading struct {
	start, dur int64
	hasPeriod  bool
	hasValue   bool
	value      int64
	quality    Quality
}

type espiBlock struct {
	entry      int
	start, dur optInt
	readings   []espiReading
}

// espiBuilder turns the element events of an ESPI document into channels.
type espiBuilder struct {
	stack   []elemID
	txt     []byte // text of the current leaf
	inLeaf  bool
	entries []espiEntry
	rts     []espiReadingType
	mrs     []espiMeterReading
	ups     []espiUsagePoint
	blocks  []espiBlock
	cur     espiReading // the IntervalReading being read
	curRT   int         // the ReadingType being read, or -1
	curBlk  int         // the IntervalBlock being read, or -1
	curUP   int
	nread   *int // IntervalReadings read so far
}

func newESPIBuilder() *espiBuilder {
	return &espiBuilder{stack: make([]elemID, 0, 16), curRT: -1, curBlk: -1, curUP: -1, nread: new(int)}
}

func (b *espiBuilder) parent() elemID {
	if n := len(b.stack); n > 0 {
		return b.stack[n-1]
	}
	return eOther
}

// entry returns the index of the Atom entry being read, or -1 for a bare
// ESPI document.
func (b *espiBuilder) entry() int {
	for _, id := range b.stack {
		if id == eEntry {
			return len(b.entries) - 1
		}
	}
	return -1
}

func (b *espiBuilder) start(local []byte) (bool, error) {
	id := elemOf(local)
	parent := b.parent()
	b.stack = append(b.stack, id)
	if b.inLeaf {
		return false, invalid(opESPI, "<%s> inside a number element", local)
	}
	if leaf(id, parent) {
		b.inLeaf, b.txt = true, b.txt[:0]
		return false, nil
	}
	switch id {
	case eIntervalReading:
		if parent == eIntervalBlock {
			b.cur = espiReading{}
		}
	case eIntervalBlock:
		b.blocks = append(b.blocks, espiBlock{entry: b.entry()})
		b.curBlk = len(b.blocks) - 1
	case eReadingType:
		rt := espiReadingType{entry: b.entry()}
		if parent == eMeterReading && len(b.mrs) > 0 {
			rt.entry = inlineRT
			b.mrs[len(b.mrs)-1].inline = len(b.rts)
		}
		b.rts = append(b.rts, rt)
		b.curRT = len(b.rts) - 1
	case eMeterReading:
		b.mrs = append(b.mrs, espiMeterReading{entry: b.entry(), inline: -1})
	case eUsagePoint:
		b.ups = append(b.ups, espiUsagePoint{entry: b.entry()})
		b.curUP = len(b.ups) - 1
	case eEntry:
		b.entries = append(b.entries, espiEntry{})
	case eLink:
		return parent == eEntry && len(b.entries) > 0, nil
	}
	return false, nil
}

func (b *espiBuilder) link(rel, href string) {
	e := &b.entries[len(b.entries)-1]
	switch rel {
	case "self":
		e.self = href
	case "up":
		e.up = href
	case "related":
		e.related = append(e.related, href)
	}
}

func (b *espiBuilder) text(t []byte) error {
	if b.inLeaf {
		b.txt = append(b.txt, t...)
	}
	return nil
}

func (b *espiBuilder) end() error {
	n := len(b.stack)
	id := b.stack[n-1]
	b.stack = b.stack[:n-1]
	parent := b.parent()
	if b.inLeaf {
		b.inLeaf = false
		v, err := parseInt(b.txt)
		if err != nil {
			return invalid(opESPI, "<%s> holds %q, not an integer", elemName(id), trimText(b.txt))
		}
		b.setLeaf(id, parent, v)
		return nil
	}
	switch id {
	case eIntervalReading:
		if parent == eIntervalBlock && b.curBlk >= 0 {
			blk := &b.blocks[b.curBlk]
			blk.readings = append(blk.readings, b.cur)
			*b.nread++
		}
	case eIntervalBlock:
		b.curBlk = -1
	case eReadingType:
		b.curRT = -1
	case eUsagePoint:
		b.curUP = -1
	}
	return nil
}

func (b *espiBuilder) setLeaf(id, parent elemID, v int64) {
	set := func(o *optInt) { *o = optInt{v: v, set: true} }
	switch parent {
	case eTimePeriod:
		if id == eStart {
			b.cur.start, b.cur.hasPeriod = v, true
		} else {
			b.cur.dur = v
		}
	case eInterval:
		if b.curBlk >= 0 && b.grandparent() == eIntervalBlock {
			if id == eStart {
				set(&b.blocks[b.curBlk].start)
			} else {
				set(&b.blocks[b.curBlk].dur)
			}
		}
	case eIntervalReading:
		b.cur.value, b.cur.hasValue = v, true
	case eReadingQuality:
		b.cur.quality = max(b.cur.quality, espiQuality(v))
	case eServiceCategory:
		if b.curUP >= 0 {
			set(&b.ups[b.curUP].kind)
		}
	case eReadingType:
		if b.curRT < 0 {
			return
		}
		rt := &b.rts[b.curRT]
		switch id {
		case eFlowDirection:
			set(&rt.flow)
		case eUOM:
			set(&rt.uom)
		case ePower:
			set(&rt.pow)
		case eIntervalLength:
			set(&rt.length)
		case eAccumulation:
			set(&rt.accumulation)
		case eKind:
			set(&rt.kind)
		case eCommodity:
			set(&rt.commodity)
		}
	}
}

func (b *espiBuilder) grandparent() elemID {
	if n := len(b.stack); n > 1 {
		return b.stack[n-2]
	}
	return eOther
}

var elemNames = map[elemID]string{eStart: "start", eDuration: "duration", eValue: "value", eQuality: "quality",
	eFlowDirection: "flowDirection", eUOM: "uom", ePower: "powerOfTenMultiplier", eIntervalLength: "intervalLength",
	eAccumulation: "accumulationBehaviour", eCommodity: "commodity", eKind: "kind"}

func elemName(id elemID) string { return elemNames[id] }

func trimText(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

// parseInt reads an optionally signed decimal integer surrounded by XML
// white space.
func parseInt(b []byte) (int64, error) {
	i, j := 0, len(b)
	for i < j && isSpace(b[i]) {
		i++
	}
	for j > i && isSpace(b[j-1]) {
		j--
	}
	b = b[i:j]
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg, b = b[0] == '-', b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, errBadInt
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, errBadInt
		}
		n = n*10 + uint64(c-'0')
	}
	if n > math.MaxInt64 {
		return 0, errBadInt
	}
	if neg {
		return -int64(n), nil
	}
	return int64(n), nil
}

var errBadInt = fmt.Errorf("not an integer")

// Codes from the ESPI ReadingType (research/billing.md §5.1; NAESB REQ.21
// UnitSymbolKind, FlowDirectionKind, AccumulationKind, CommodityKind).
const (
	uomWh             = 72
	flowForward       = 1  // delivered to the customer
	flowReverse       = 19 // received from the customer
	flowNet           = 4
	accumDeltaData    = 4
	commodityElecSec  = 1 // electricity, secondary metered
	commodityElecPrim = 2 // electricity, primary metered
	serviceElectric   = 0 // UsagePoint ServiceCategory kind
)

var uomNames = map[int64]string{38: "W", 61: "VA", 63: "VAr", 71: "VAh", 72: "Wh", 73: "VArh", 42: "m³", 119: "ft³", 169: "therm", 132: "Btu"}

var serviceNames = map[int64]string{0: "electricity", 1: "gas", 2: "water", 3: "time", 4: "heat", 5: "refuse", 6: "sewerage", 7: "rates", 8: "tvLicense", 9: "internet"}

// file resolves the links between the objects read and builds channels.
func (b *espiBuilder) file() (*File, error) {
	f := &File{Format: FormatESPI}
	if len(b.blocks) == 0 && len(b.mrs) == 0 && len(b.rts) == 0 {
		return nil, invalid(opESPI, "no ESPI MeterReading, ReadingType or IntervalBlock found: this is not Green Button data")
	}
	// A MeterReading entry names its ReadingType among its related links;
	// an IntervalBlock's up link is the MeterReading's IntervalBlock
	// collection (research/billing.md §5.1: hrefs are opaque, compared as
	// strings).
	mrs := b.mrs
	if len(mrs) == 0 && len(b.rts) == 1 {
		// No MeterReading: a document of one ReadingType and its blocks.
		mrs = []espiMeterReading{{entry: -2, inline: 0}}
	}
	if len(mrs) == 0 {
		return nil, invalid(opESPI, "the file has IntervalBlocks but no MeterReading or ReadingType, so their units and direction are unknown")
	}
	owner := make([]int, len(b.blocks))
	for i, blk := range b.blocks {
		owner[i] = -1
		var be espiEntry
		if blk.entry >= 0 {
			be = b.entries[blk.entry]
		}
		for m, mr := range mrs {
			if mr.entry < 0 {
				continue
			}
			me := b.entries[mr.entry]
			if me.self != "" && (containsStr(me.related, be.up) && be.up != "" || be.up == me.self+"/IntervalBlock" ||
				strings.HasPrefix(be.self, me.self+"/")) {
				owner[i] = m
				break
			}
		}
		if owner[i] < 0 {
			if len(mrs) != 1 {
				return nil, invalid(opESPI, "IntervalBlock %s belongs to none of the %d MeterReadings (no matching link)", orUnnamed(be.self), len(mrs))
			}
			owner[i] = 0
		}
	}
	for m, mr := range mrs {
		rt, src, err := b.readingType(mr, len(mrs))
		if err != nil {
			return nil, err
		}
		if err := b.checkUsagePoint(mr); err != nil {
			return nil, err
		}
		rc, err := b.rawChannel(rt, src)
		if err != nil {
			return nil, err
		}
		for i, blk := range b.blocks {
			if owner[i] != m {
				continue
			}
			if err := b.addBlock(rc, blk, rt); err != nil {
				return nil, err
			}
		}
		chs, err := rc.build(opESPI)
		if err != nil {
			return nil, err
		}
		f.Channels = append(f.Channels, chs...)
	}
	return f, nil
}

func orUnnamed(s string) string {
	if s == "" {
		return "(no self link)"
	}
	return s
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// readingType finds the ReadingType of a MeterReading: inline, else the
// ReadingType entry among its related links, else the only one in the file.
func (b *espiBuilder) readingType(mr espiMeterReading, nmr int) (espiReadingType, string, error) {
	name := "MeterReading"
	if mr.entry >= 0 && b.entries[mr.entry].self != "" {
		name = "MeterReading " + b.entries[mr.entry].self
	}
	if mr.inline >= 0 {
		return b.rts[mr.inline], name, nil
	}
	if mr.entry >= 0 {
		for _, rt := range b.rts {
			if rt.entry >= 0 && b.entries[rt.entry].self != "" && containsStr(b.entries[mr.entry].related, b.entries[rt.entry].self) {
				return rt, name, nil
			}
		}
	}
	var entryRTs []espiReadingType
	for _, rt := range b.rts {
		if rt.entry != inlineRT {
			entryRTs = append(entryRTs, rt)
		}
	}
	if len(entryRTs) == 1 && nmr == 1 {
		return entryRTs[0], name, nil
	}
	return espiReadingType{}, "", invalid(opESPI, "%s has no ReadingType in the file, so its units and direction are unknown", name)
}

// checkUsagePoint refuses MeterReadings of a UsagePoint that is not an
// electricity service.
func (b *espiBuilder) checkUsagePoint(mr espiMeterReading) error {
	for _, up := range b.ups {
		if !up.kind.set || up.kind.v == serviceElectric {
			continue
		}
		if len(b.ups) == 1 || (up.entry >= 0 && mr.entry >= 0 && b.linked(up.entry, mr.entry)) {
			name, ok := serviceNames[up.kind.v]
			if !ok {
				name = fmt.Sprintf("kind %d", up.kind.v)
			}
			return invalid(opESPI, "the UsagePoint is a %s service (ServiceCategory kind %d), not electricity", name, up.kind.v)
		}
	}
	return nil
}

// linked reports whether a UsagePoint entry and a MeterReading entry are
// related by their links.
func (b *espiBuilder) linked(up, mr int) bool {
	u, m := b.entries[up], b.entries[mr]
	return u.self != "" && (containsStr(u.related, m.up) || containsStr(u.related, m.self) || strings.HasPrefix(m.self, u.self+"/"))
}

// rawChannel checks a ReadingType's units and direction.
func (b *espiBuilder) rawChannel(rt espiReadingType, src string) (*rawChannel, error) {
	if !rt.uom.set || rt.uom.v != uomWh {
		unit := "none"
		if rt.uom.set {
			unit = fmt.Sprintf("%d", rt.uom.v)
			if n, ok := uomNames[rt.uom.v]; ok {
				unit += " (" + n + ")"
			}
		}
		return nil, invalid(opESPI, "%s: ReadingType uom is %s; only uom 72 (Wh, real energy) interval data can be imported", src, unit)
	}
	if rt.accumulation.set && rt.accumulation.v != accumDeltaData && rt.accumulation.v != 0 {
		return nil, invalid(opESPI, "%s: ReadingType accumulationBehaviour is %d; only 4 (deltaData, energy per interval) can be imported, not register readings",
			src, rt.accumulation.v)
	}
	if rt.commodity.set && rt.commodity.v != 0 && rt.commodity.v != commodityElecSec && rt.commodity.v != commodityElecPrim {
		return nil, invalid(opESPI, "%s: ReadingType commodity %d is not electricity", src, rt.commodity.v)
	}
	if !rt.length.set || rt.length.v <= 0 || rt.length.v > 31*86400 {
		return nil, invalid(opESPI, "%s: ReadingType intervalLength is missing or not a positive number of seconds", src)
	}
	pow := int64(0)
	if rt.pow.set {
		pow = rt.pow.v
	}
	if pow < -18 || pow > 18 {
		return nil, invalid(opESPI, "%s: ReadingType powerOfTenMultiplier %d is out of range", src, pow)
	}
	rc := &rawChannel{step: int(rt.length.v), pow: int(pow), espiPow: int(pow), source: src}
	flow := int64(flowForward) // absent: forward, the usual consumption meter
	if rt.flow.set {
		flow = rt.flow.v
	}
	switch flow {
	case flowForward:
		rc.dir = customer.Delivered
	case flowReverse:
		rc.dir = customer.Received
	case flowNet:
		rc.dir, rc.net, rc.declaredNet = customer.Delivered, true, true
	default:
		return nil, invalid(opESPI, "%s: ReadingType flowDirection %d is neither 1 (delivered), 19 (received) nor 4 (net)", src, flow)
	}
	rc.source = fmt.Sprintf("%s (flowDirection %d)", src, flow)
	return rc, nil
}

// addBlock adds a block's readings, placing those without a timePeriod
// after the previous one (or at the block's start) with the channel's
// interval length.
func (b *espiBuilder) addBlock(rc *rawChannel, blk espiBlock, rt espiReadingType) error {
	next, haveNext := blk.start.v, blk.start.set
	for _, r := range blk.readings {
		start, dur := r.start, r.dur
		if !r.hasPeriod {
			if !haveNext {
				return invalid(opESPI, "%s: an IntervalReading has no timePeriod and its IntervalBlock no interval start", rc.source)
			}
			start = next
		}
		if dur == 0 {
			dur = rt.length.v
		}
		if dur <= 0 || dur > math.MaxInt32 {
			return invalid(opESPI, "%s: an IntervalReading has duration %d s", rc.source, dur)
		}
		if start < -1<<40 || start > 1<<40 {
			return invalid(opESPI, "%s: an IntervalReading starts at %d, not a plausible Unix time", rc.source, start)
		}
		next, haveNext = start+dur, true
		if !r.hasValue {
			rc.skipped++
			continue
		}
		rc.rs = append(rc.rs, Reading{StartUnix: start, Seconds: int32(dur), Quality: r.quality, Wh: energy.Wh(r.value)})
	}
	return nil
}
