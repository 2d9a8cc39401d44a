package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/tariff"
)

// TariffRecord is a stored tariff version.
type TariffRecord struct {
	ID       int64
	Version  tariff.Version
	SHA256   string
	Imported time.Time
}

// ExportTableRecord is a stored NBT export-price table.
type ExportTableRecord struct {
	ID       int64
	Table    tariff.ExportTable
	SHA256   string
	Imported time.Time
}

// TariffImport counts what an import stored and what it found already
// stored with the same content.
type TariffImport struct {
	Added, Unchanged             int
	TablesAdded, TablesUnchanged int
	// IDs and TableIDs are the stored ids of the imported versions and
	// tables, in the order given, whether added now or found unchanged.
	IDs, TableIDs []int64
}

// ImportTariffs stores tariff versions and export-price tables. Call it
// inside one transaction (db.InTx) so that a rejected item leaves nothing
// stored. Each item is validated; one whose content (SHA-256 of its JSON)
// is already stored is counted as unchanged, so repeating an import changes
// nothing. A different version of the same utility, code and start date,
// or a different table of the same utility and vintage, is a Conflict.
func (tx *Tx) ImportTariffs(ctx context.Context, actor auth.Actor, versions []tariff.Version, tables []tariff.ExportTable) (TariffImport, error) {
	const op = "store.ImportTariffs"
	var res TariffImport
	for i := range versions {
		v := &versions[i]
		if err := v.Validate(); err != nil {
			return res, err
		}
		doc, err := json.Marshal(v)
		if err != nil {
			return res, fmt.Errorf("store: tariff: %w", err)
		}
		hash, err := v.Hash()
		if err != nil {
			return res, fmt.Errorf("store: tariff: %w", err)
		}
		var id int64
		var have string
		err = tx.q.QueryRowContext(ctx, `SELECT id, content_sha256 FROM tariff_versions
			WHERE content_sha256 = $1 OR (utility = $2 AND code = $3 AND effective_from = $4) ORDER BY id LIMIT 1`,
			hash, v.Utility, v.Code, v.From.String()).Scan(&id, &have)
		switch {
		case err == nil && have == hash:
			res.Unchanged++
			res.IDs = append(res.IDs, id)
			continue
		case err == nil:
			return res, apperr.Conflictf(op, "a different version of %s %s effective %s is already stored", v.Utility, v.Code, v.From)
		case !errors.Is(err, sql.ErrNoRows):
			return res, fmt.Errorf("store: tariff: %w", err)
		}
		err = tx.q.QueryRowContext(ctx, `INSERT INTO tariff_versions (utility, code, name, effective_from, effective_to, source,
			content_sha256, document, imported_unix) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			v.Utility, v.Code, v.Name, v.From.String(), dateText(v.To), v.Source.Citation, hash, string(doc), tx.now().Unix()).Scan(&id)
		if err != nil {
			return res, fmt.Errorf("store: tariff: %w", mapErr(err))
		}
		res.Added++
		res.IDs = append(res.IDs, id)
		summary := map[string]string{"utility": v.Utility, "code": v.Code, "effective_from": v.From.String(), "sha256": hash}
		if err := tx.audit(ctx, actor, "import", "tariff_version", id, nil, summary); err != nil {
			return res, err
		}
	}
	for i := range tables {
		t := &tables[i]
		if err := t.Validate(); err != nil {
			return res, err
		}
		doc, err := json.Marshal(t)
		if err != nil {
			return res, fmt.Errorf("store: export table: %w", err)
		}
		hash, err := t.Hash()
		if err != nil {
			return res, fmt.Errorf("store: export table: %w", err)
		}
		var id int64
		var have string
		err = tx.q.QueryRowContext(ctx, `SELECT id, content_sha256 FROM export_price_tables
			WHERE content_sha256 = $1 OR (utility = $2 AND vintage = $3) ORDER BY id LIMIT 1`, hash, t.Utility, t.Vintage).Scan(&id, &have)
		switch {
		case err == nil && have == hash:
			res.TablesUnchanged++
			res.TableIDs = append(res.TableIDs, id)
			continue
		case err == nil:
			return res, apperr.Conflictf(op, "a different %s export-price table of vintage %d is already stored", t.Utility, t.Vintage)
		case !errors.Is(err, sql.ErrNoRows):
			return res, fmt.Errorf("store: export table: %w", err)
		}
		err = tx.q.QueryRowContext(ctx, `INSERT INTO export_price_tables (utility, vintage, first_year, last_year, source,
			content_sha256, document, imported_unix) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			t.Utility, t.Vintage, t.Years[0].Year, t.Years[len(t.Years)-1].Year, t.Source, hash, string(doc), tx.now().Unix()).Scan(&id)
		if err != nil {
			return res, fmt.Errorf("store: export table: %w", mapErr(err))
		}
		res.TablesAdded++
		res.TableIDs = append(res.TableIDs, id)
		summary := map[string]any{"utility": t.Utility, "vintage": t.Vintage, "sha256": hash}
		if err := tx.audit(ctx, actor, "import", "export_price_table", id, nil, summary); err != nil {
			return res, err
		}
	}
	return res, nil
}

// LoadShippedTariffs stores the tariffs and export-price tables built into
// gridbook (tariff.Shipped, tariff.ShippedExportTables) in one
// transaction; running it again stores nothing new.
func (db *DB) LoadShippedTariffs(ctx context.Context, actor auth.Actor) (TariffImport, error) {
	vs, err := tariff.Shipped()
	if err != nil {
		return TariffImport{}, err
	}
	tabs, err := tariff.ShippedExportTables()
	if err != nil {
		return TariffImport{}, err
	}
	var res TariffImport
	err = db.InTx(ctx, func(tx *Tx) error {
		var err error
		res, err = tx.ImportTariffs(ctx, actor, vs, tabs)
		return err
	})
	return res, err
}

// TariffFilter selects tariff versions; zero fields match everything.
type TariffFilter struct {
	Utility string
	Code    string
	On      calendar.Date // in effect on this date
	// Sector matches the version's sector (Residential, Commercial, …)
	// without regard to case.
	Sector string
	After  int64 // cursor: versions with id > After
	Limit  int
}

const tariffCols = `id, content_sha256, document, imported_unix`

// TariffVersions lists stored versions in id order, at most f.Limit
// (1000 when unset) of them.
func (q queries) TariffVersions(ctx context.Context, f TariffFilter) ([]TariffRecord, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	on := ""
	if !f.On.IsZero() {
		on = f.On.String()
	}
	// The sector lives only in the version's document, so it is matched
	// here rather than in SQL; tariff versions number in the hundreds, and
	// the scan stops once the page is full.
	rows, err := q.q.QueryContext(ctx, `SELECT `+tariffCols+` FROM tariff_versions
		WHERE ($1 = '' OR utility = $1) AND ($2 = '' OR code = $2)
		AND ($3 = '' OR (effective_from <= $3 AND (effective_to IS NULL OR effective_to > $3)))
		AND id > $4 ORDER BY id`, f.Utility, f.Code, on, f.After)
	if err != nil {
		return nil, fmt.Errorf("store: tariffs: %w", err)
	}
	defer rows.Close()
	var out []TariffRecord
	for len(out) < f.Limit && rows.Next() {
		r, err := scanTariff(rows)
		if err != nil {
			return nil, err
		}
		if f.Sector != "" && !strings.EqualFold(r.Version.Sector, f.Sector) {
			continue
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// TariffVersion returns the stored version with the given id.
func (q queries) TariffVersion(ctx context.Context, id int64) (TariffRecord, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+tariffCols+` FROM tariff_versions WHERE id = $1`, id)
	if err != nil {
		return TariffRecord{}, fmt.Errorf("store: tariff: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return TariffRecord{}, fmt.Errorf("store: tariff: %w", err)
		}
		return TariffRecord{}, apperr.NotFoundf("store.TariffVersion", "tariff version %d not found", id)
	}
	return scanTariff(rows)
}

// TariffOn returns the version of a tariff code in effect on a date: of
// the versions whose span holds the date, the one that started last.
// utility may be empty when the code is used by one utility only.
func (q queries) TariffOn(ctx context.Context, utility, code string, on calendar.Date) (TariffRecord, error) {
	const op = "store.TariffOn"
	rows, err := q.q.QueryContext(ctx, `SELECT `+tariffCols+`, utility FROM tariff_versions
		WHERE code = $1 AND ($2 = '' OR utility = $2) AND effective_from <= $3 AND (effective_to IS NULL OR effective_to > $3)
		ORDER BY effective_from DESC, id DESC`, code, utility, on.String())
	if err != nil {
		return TariffRecord{}, fmt.Errorf("store: tariff: %w", err)
	}
	defer rows.Close()
	var found []TariffRecord
	for rows.Next() {
		var r TariffRecord
		var doc string
		var imported int64
		var util string
		if err := rows.Scan(&r.ID, &r.SHA256, &doc, &imported, &util); err != nil {
			return r, fmt.Errorf("store: tariff: %w", err)
		}
		if err := json.Unmarshal([]byte(doc), &r.Version); err != nil {
			return r, fmt.Errorf("store: tariff %d: %w", r.ID, err)
		}
		r.Imported = time.Unix(imported, 0).UTC()
		found = append(found, r)
	}
	if err := rows.Err(); err != nil {
		return TariffRecord{}, err
	}
	if len(found) == 0 {
		return TariffRecord{}, apperr.NotFoundf(op, "no tariff %s in effect on %s", code, on)
	}
	for _, r := range found[1:] {
		if r.Version.Utility != found[0].Version.Utility {
			return TariffRecord{}, apperr.Invalidf(op, "tariff code %s is used by %s and %s; name the utility", code, found[0].Version.Utility, r.Version.Utility)
		}
	}
	return found[0], nil
}

func scanTariff(rows *sql.Rows) (TariffRecord, error) {
	var r TariffRecord
	var doc string
	var imported int64
	if err := rows.Scan(&r.ID, &r.SHA256, &doc, &imported); err != nil {
		return r, fmt.Errorf("store: tariffs: %w", err)
	}
	if err := json.Unmarshal([]byte(doc), &r.Version); err != nil {
		return r, fmt.Errorf("store: tariff %d: %w", r.ID, err)
	}
	r.Imported = time.Unix(imported, 0).UTC()
	return r, nil
}

// ExportTableSummary describes a stored export-price table without its
// prices.
type ExportTableSummary struct {
	ID                  int64
	Utility             string
	Vintage             int
	FirstYear, LastYear int
	Source              string
	SHA256              string
	Imported            time.Time
}

// ExportTableFilter selects export-price tables; zero fields match
// everything.
type ExportTableFilter struct {
	Utility string
	Vintage int
	After   int64 // cursor: tables with id > After
	Limit   int   // at most 1000; 1000 when unset
}

// ExportTableList lists stored export-price tables in id order without
// reading their prices.
func (q queries) ExportTableList(ctx context.Context, f ExportTableFilter) ([]ExportTableSummary, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	rows, err := q.q.QueryContext(ctx, `SELECT id, utility, vintage, first_year, last_year, source, content_sha256, imported_unix
		FROM export_price_tables WHERE ($1 = '' OR utility = $1) AND ($2 = 0 OR vintage = $2) AND id > $3 ORDER BY id LIMIT $4`,
		f.Utility, f.Vintage, f.After, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: export tables: %w", err)
	}
	defer rows.Close()
	var out []ExportTableSummary
	for rows.Next() {
		var s ExportTableSummary
		var imported int64
		if err := rows.Scan(&s.ID, &s.Utility, &s.Vintage, &s.FirstYear, &s.LastYear, &s.Source, &s.SHA256, &imported); err != nil {
			return nil, fmt.Errorf("store: export tables: %w", err)
		}
		s.Imported = time.Unix(imported, 0).UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// ExportTableByID returns the stored export-price table with the given id.
func (q queries) ExportTableByID(ctx context.Context, id int64) (ExportTableRecord, error) {
	r := ExportTableRecord{ID: id}
	var doc string
	var imported int64
	err := q.q.QueryRowContext(ctx, `SELECT content_sha256, document, imported_unix FROM export_price_tables WHERE id = $1`, id).
		Scan(&r.SHA256, &doc, &imported)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("store.ExportTableByID", "export-price table %d not found", id)
	}
	if err != nil {
		return r, fmt.Errorf("store: export table: %w", err)
	}
	t, err := tariff.ExportTableFromJSON([]byte(doc))
	if err != nil {
		return r, fmt.Errorf("store: export table %d: %w", id, err)
	}
	r.Table, r.Imported = *t, time.Unix(imported, 0).UTC()
	return r, nil
}

// ExportTables lists the stored export-price tables of a utility (all
// utilities when empty), by utility and vintage.
func (q queries) ExportTables(ctx context.Context, utility string) ([]ExportTableRecord, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, content_sha256, document, imported_unix FROM export_price_tables
		WHERE ($1 = '' OR utility = $1) ORDER BY utility, vintage`, utility)
	if err != nil {
		return nil, fmt.Errorf("store: export tables: %w", err)
	}
	defer rows.Close()
	var out []ExportTableRecord
	for rows.Next() {
		var r ExportTableRecord
		var doc string
		var imported int64
		if err := rows.Scan(&r.ID, &r.SHA256, &doc, &imported); err != nil {
			return nil, fmt.Errorf("store: export tables: %w", err)
		}
		t, err := tariff.ExportTableFromJSON([]byte(doc))
		if err != nil {
			return nil, fmt.Errorf("store: export table %d: %w", r.ID, err)
		}
		r.Table, r.Imported = *t, time.Unix(imported, 0).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// ExportTable returns the export-price table of a utility and vintage.
func (q queries) ExportTable(ctx context.Context, utility string, vintage int) (tariff.ExportTable, error) {
	var doc string
	err := q.q.QueryRowContext(ctx, `SELECT document FROM export_price_tables WHERE utility = $1 AND vintage = $2`, utility, vintage).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return tariff.ExportTable{}, apperr.NotFoundf("store.ExportTable", "no %s export-price table of vintage %d", utility, vintage)
	}
	if err != nil {
		return tariff.ExportTable{}, fmt.Errorf("store: export table: %w", err)
	}
	t, err := tariff.ExportTableFromJSON([]byte(doc))
	if err != nil {
		return tariff.ExportTable{}, err
	}
	return *t, nil
}
