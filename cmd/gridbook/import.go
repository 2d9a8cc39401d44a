package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/store"
)

// progressMin is the file size from which import prints a progress line.
const progressMin = 8 << 20

// runImportIntervals parses interval files (Green Button ESPI XML, SCE or
// PG&E Green Button CSV, plain CSV) and stores them for a meter in one
// transaction: a bad file stores nothing, and importing a file again
// changes nothing.
func runImportIntervals(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "import intervals")
	dsn := dbFlag(e, fs, "gridbook.db")
	meterArg := fs.String("meter", "", "meter id or serial (default: the meter of the account the file names)")
	formatArg := fs.String("format", "auto", "auto, espi, sce-csv, pge-csv or plain-csv")
	asJSON := fs.Bool("json", false, "print the import summaries as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errUsage
	}
	format, err := meterdata.ParseFormat(*formatArg)
	if err != nil {
		return err
	}
	type parsed struct {
		name string
		file *meterdata.File
		dg   meterdata.Digest
	}
	var files []parsed
	for _, name := range fs.Args() {
		f, dg, err := readIntervalFile(e, name, format)
		if err != nil {
			return err
		}
		files = append(files, parsed{filepath.Base(name), f, dg})
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var sums []store.ImportSummary
	err = db.InTx(ctx, func(tx *store.Tx) error {
		meterID, err := resolveMeter(ctx, tx, *meterArg)
		if err != nil {
			return err
		}
		for _, p := range files {
			s, err := tx.ImportIntervals(ctx, cliActor(e), store.IntervalImport{MeterID: meterID, FileName: p.name, Digest: p.dg, File: p.file})
			if err != nil {
				return fileError(p.name, err)
			}
			sums = append(sums, s)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, sums)
	}
	for _, s := range sums {
		printImportSummary(e.stdout, s)
	}
	return nil
}

// readIntervalFile parses one file, showing a progress line on stderr for
// large files.
func readIntervalFile(e *env, name string, format meterdata.Format) (*meterdata.File, meterdata.Digest, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, meterdata.Digest{}, apperr.E(apperr.Invalid, "import intervals", fmt.Sprintf("cannot read %s", name), err)
	}
	defer fh.Close()
	opt := meterdata.Options{Format: format}
	if st, err := fh.Stat(); err == nil && st.Size() >= progressMin {
		total, base := st.Size(), filepath.Base(name)
		opt.Progress = func(p meterdata.Progress) {
			fmt.Fprintf(e.stderr, "\r%s: %s / %s read (%d%%), %d readings", base, mb(p.Bytes), mb(total), p.Bytes*100/total, p.Readings)
			if p.Done {
				fmt.Fprintln(e.stderr)
			}
		}
	}
	f, dg, err := meterdata.Read(fh, opt)
	if err != nil {
		if opt.Progress != nil {
			fmt.Fprintln(e.stderr)
		}
		return nil, dg, fileError(filepath.Base(name), err)
	}
	return f, dg, nil
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// resolveMeter turns --meter (an id or a serial) into a meter id; "" is
// 0, letting the import find the meter from the file.
func resolveMeter(ctx context.Context, tx *store.Tx, arg string) (int64, error) {
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return 0, nil
	}
	if id, err := strconv.ParseInt(arg, 10, 64); err == nil && id > 0 {
		if _, err := tx.Meter(ctx, id); err != nil {
			return 0, meterFlagError("no meter with id %d", id)
		}
		return id, nil
	}
	ms, err := tx.MeterList(ctx, store.MeterFilter{Serial: arg, Limit: 1})
	if err != nil {
		return 0, err
	}
	if len(ms) == 0 {
		return 0, meterFlagError("no meter with id or serial %q", arg)
	}
	return ms[0].ID, nil
}

func meterFlagError(format string, args ...any) error {
	var f apperr.Fields
	f.Add("meter", format, args...)
	return f.Err("import intervals")
}

// printImportSummary writes one import's summary for a person.
func printImportSummary(w io.Writer, s store.ImportSummary) {
	fmt.Fprintf(w, "%s (%s, %d bytes, sha256 %s): meter %s, import %d\n", s.FileName, s.Format, s.Bytes, s.SHA256[:12], s.MeterSerial, s.ID)
	if s.PreviousImportID != 0 {
		fmt.Fprintf(w, "  identical to import %d\n", s.PreviousImportID)
	}
	for _, c := range s.Channels {
		net := ""
		if c.NetOnly {
			net = ", net-only source"
		}
		fmt.Fprintf(w, "  %-9s channel %d, %ds%s: %d intervals %s – %s, %d Wh\n", c.Direction, c.ChannelID, c.IntervalSeconds, net,
			c.Intervals, c.From.Format(time.RFC3339), c.To.Format(time.RFC3339), c.TotalWh)
		fmt.Fprintf(w, "            added %d, replaced %d, unchanged %d; gaps %d, duplicates %d, overlaps %d, estimated %d\n",
			c.Added, c.Replaced, c.Unchanged, c.Gaps, c.Duplicates, c.Overlaps, c.Estimated)
		if r := c.Replacement; r != nil {
			fmt.Fprintf(w, "            replaced %d intervals %s – %s: %d Wh before, %d Wh after\n", r.Intervals,
				r.From.Format(time.RFC3339), r.To.Format(time.RFC3339), r.BeforeWh, r.AfterWh)
		}
	}
	fmt.Fprintf(w, "  %d intervals changed (%d added, %d replaced), %d unchanged\n", s.Changed(), s.Added, s.Replaced, s.Unchanged)
}
