package meterdata

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"time"
)

// SyntheticFeed describes a generated Green Button feed: a net-metered
// home's delivered (flowDirection 1) and received (flowDirection 19)
// channels, one IntervalBlock per channel per UTC day, every
// IntervalReading with its timePeriod, laid out like the Green Button
// Alliance samples. It exists for benchmarks, load tests and
// demonstrations: the values are deterministic but carry no meaning.
type SyntheticFeed struct {
	Start           time.Time // first interval (UTC; aligned to IntervalSeconds)
	Days            int       // how many 24-hour days of readings
	IntervalSeconds int       // 900 or 3600 are typical
	// EstimatedEvery marks every n-th reading of the delivered channel
	// estimated (ReadingQuality 8); 0 marks none.
	EstimatedEvery int
}

// Readings returns how many readings the feed holds per channel.
func (s SyntheticFeed) Readings() int { return s.Days * 86400 / s.IntervalSeconds }

// SyntheticValue is the value of reading i of a synthetic channel
// (received when recv), so tests can check a feed without re-parsing it.
func SyntheticValue(i int, recv bool) int64 {
	if recv {
		return int64((i * 7919) % 613)
	}
	return int64(100 + (i*104729)%1900)
}

// WriteTo writes the feed as ESPI XML and returns the bytes written.
func (s SyntheticFeed) WriteTo(w io.Writer) (int64, error) {
	if s.IntervalSeconds <= 0 || 86400%s.IntervalSeconds != 0 || s.Days <= 0 {
		return 0, fmt.Errorf("meterdata: synthetic feed needs a positive day count and an interval dividing a day")
	}
	cw := &countWriter{w: w}
	bw := bufio.NewWriterSize(cw, 64<<10)
	const base = "https://example.invalid/espi/1_1/resource/RetailCustomer/1/UsagePoint/1"
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>urn:uuid:synthetic</id>
  <title>Synthetic Green Button feed</title>
  <entry>
    <link rel="self" href="%[1]s"/>
    <link rel="related" href="%[1]s/MeterReading"/>
    <content><UsagePoint xmlns="http://naesb.org/espi"><ServiceCategory><kind>0</kind></ServiceCategory></UsagePoint></content>
  </entry>
`, base)
	perDay := 86400 / s.IntervalSeconds
	start := s.Start.Unix()
	for ch, flow := range []int{flowForward, flowReverse} {
		mr := fmt.Sprintf("%s/MeterReading/%d", base, ch+1)
		fmt.Fprintf(bw, `  <entry>
    <link rel="self" href="%[1]s"/>
    <link rel="up" href="%[2]s/MeterReading"/>
    <link rel="related" href="%[1]s/IntervalBlock"/>
    <link rel="related" href="https://example.invalid/espi/1_1/resource/ReadingType/%[3]d"/>
    <content><MeterReading xmlns="http://naesb.org/espi"/></content>
  </entry>
  <entry>
    <link rel="self" href="https://example.invalid/espi/1_1/resource/ReadingType/%[3]d"/>
    <content>
      <ReadingType xmlns="http://naesb.org/espi">
        <accumulationBehaviour>4</accumulationBehaviour>
        <commodity>1</commodity>
        <flowDirection>%[4]d</flowDirection>
        <intervalLength>%[5]d</intervalLength>
        <kind>12</kind>
        <powerOfTenMultiplier>0</powerOfTenMultiplier>
        <uom>72</uom>
      </ReadingType>
    </content>
  </entry>
`, mr, base, ch+1, flow, s.IntervalSeconds)
		var line []byte
		for d := range s.Days {
			dayStart := start + int64(d)*86400
			fmt.Fprintf(bw, `  <entry>
    <link rel="self" href="%[1]s/IntervalBlock/%[2]d"/>
    <link rel="up" href="%[1]s/IntervalBlock"/>
    <content>
      <IntervalBlock xmlns="http://naesb.org/espi">
        <interval>
          <duration>86400</duration>
          <start>%[3]d</start>
        </interval>
`, mr, d+1, dayStart)
			for k := range perDay {
				i := d*perDay + k
				line = append(line[:0], "        <IntervalReading>\n"...)
				if ch == 0 && s.EstimatedEvery > 0 && i%s.EstimatedEvery == 0 {
					line = append(line, "          <ReadingQuality>\n            <quality>8</quality>\n          </ReadingQuality>\n"...)
				}
				line = append(line, "          <timePeriod>\n            <duration>"...)
				line = strconv.AppendInt(line, int64(s.IntervalSeconds), 10)
				line = append(line, "</duration>\n            <start>"...)
				line = strconv.AppendInt(line, dayStart+int64(k*s.IntervalSeconds), 10)
				line = append(line, "</start>\n          </timePeriod>\n          <value>"...)
				line = strconv.AppendInt(line, SyntheticValue(i, ch == 1), 10)
				line = append(line, "</value>\n        </IntervalReading>\n"...)
				bw.Write(line)
			}
			bw.WriteString("      </IntervalBlock>\n    </content>\n  </entry>\n")
		}
	}
	bw.WriteString("</feed>\n")
	err := bw.Flush()
	return cw.n, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}
