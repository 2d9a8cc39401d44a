package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
)

const premiseCols = `id, address, city, zip, county_fips, member_agency, tract_geoid, climate_zone, climate_zone_override,
	climate_zone_reason, climate_zone_table, dac, dac_category, dac_table, hftd_tier, created_unix, updated_unix,
	dwelling_type, heating_fuel, floor_area_sqft, year_built, lat_microdeg, lon_microdeg, location_source`

func scanPremise(s interface{ Scan(...any) error }) (customer.Premise, error) {
	var p customer.Premise
	var ov, dac, cr, up int64
	var lat, lon sql.NullInt64
	var src string
	h := &p.Home
	err := s.Scan(&p.ID, &p.Address, &p.City, &p.ZIP, &p.CountyFIPS, &p.MemberAgency, &p.TractGEOID, &p.ClimateZone, &ov,
		&p.ClimateZoneReason, &p.ClimateZoneTable, &dac, &p.DACCategory, &p.DACTable, &p.HFTDTier, &cr, &up,
		&h.DwellingType, &h.HeatingFuel, &h.FloorAreaSqFt, &h.YearBuilt, &lat, &lon, &src)
	p.ClimateZoneOverride, p.DAC = ov == 1, dac == 1
	p.Created, p.Updated = time.Unix(cr, 0).UTC(), time.Unix(up, 0).UTC()
	if lat.Valid && lon.Valid {
		h.Location = &customer.Location{Lat: customer.FromMicro(lat.Int64), Lon: customer.FromMicro(lon.Int64), Source: src}
	}
	return p, err
}

// homeArgs are a home's column values: dwelling type, heating fuel, floor
// area, year built, latitude and longitude in micro-degrees (NULL when
// unknown) and the location's source.
func homeArgs(h customer.Home) []any {
	var lat, lon any
	src := ""
	if l := h.Location; l != nil {
		lat, lon, src = customer.Micro(l.Lat), customer.Micro(l.Lon), l.Source
	}
	return []any{h.DwellingType, h.HeatingFuel, h.FloorAreaSqFt, h.YearBuilt, lat, lon, src}
}

// insertPremise is the one INSERT of a premise (CreatePremise and Bulk).
const insertPremise = `INSERT INTO premises (address, city, zip, county_fips, member_agency, tract_geoid, climate_zone,
	climate_zone_override, climate_zone_reason, climate_zone_table, dac, dac_category, dac_table, hftd_tier, created_unix, updated_unix,
	dwelling_type, heating_fuel, floor_area_sqft, year_built, lat_microdeg, lon_microdeg, location_source)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16, $17, $18, $19, $20, $21, $22) RETURNING id`

// premiseArgs are the values of insertPremise.
func premiseArgs(p *customer.Premise, now time.Time) []any {
	return append([]any{p.Address, p.City, p.ZIP, p.CountyFIPS, p.MemberAgency, p.TractGEOID, p.ClimateZone, b2i(p.ClimateZoneOverride),
		p.ClimateZoneReason, p.ClimateZoneTable, b2i(p.DAC), p.DACCategory, p.DACTable, p.HFTDTier, now.Unix()}, homeArgs(p.Home)...)
}

// CreatePremise resolves p against the reference tables (climate zone from
// ZIP, DAC from tract), validates it with its home attributes and inserts
// it.
func (tx *Tx) CreatePremise(ctx context.Context, actor auth.Actor, p *customer.Premise) error {
	now := tx.now()
	if err := p.ResolveOn(tx.db.ref, calendar.DateOf(now)); err != nil {
		return err
	}
	p.Created, p.Updated = now, now
	err := tx.q.QueryRowContext(ctx, insertPremise, premiseArgs(p, now)...).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("store: create premise: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "create", "premise", p.ID, nil, p)
}

// UpdatePremise re-resolves and saves p over the stored premise.
func (tx *Tx) UpdatePremise(ctx context.Context, actor auth.Actor, p *customer.Premise) error {
	before, err := tx.Premise(ctx, p.ID)
	if err != nil {
		return err
	}
	if err := p.ResolveOn(tx.db.ref, calendar.DateOf(tx.now())); err != nil {
		return err
	}
	p.Created, p.Updated = before.Created, tx.now()
	_, err = tx.q.ExecContext(ctx, `UPDATE premises SET address = $2, city = $3, zip = $4, county_fips = $5, member_agency = $6,
		tract_geoid = $7, climate_zone = $8, climate_zone_override = $9, climate_zone_reason = $10, climate_zone_table = $11,
		dac = $12, dac_category = $13, dac_table = $14, hftd_tier = $15, updated_unix = $16, dwelling_type = $17, heating_fuel = $18,
		floor_area_sqft = $19, year_built = $20, lat_microdeg = $21, lon_microdeg = $22, location_source = $23 WHERE id = $1`,
		append([]any{p.ID, p.Address, p.City, p.ZIP, p.CountyFIPS, p.MemberAgency, p.TractGEOID, p.ClimateZone, b2i(p.ClimateZoneOverride),
			p.ClimateZoneReason, p.ClimateZoneTable, b2i(p.DAC), p.DACCategory, p.DACTable, p.HFTDTier, p.Updated.Unix()}, homeArgs(p.Home)...)...)
	if err != nil {
		return fmt.Errorf("store: update premise: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "update", "premise", p.ID, before, p)
}

// Premise returns the premise with the given ID.
func (q queries) Premise(ctx context.Context, id int64) (customer.Premise, error) {
	p, err := scanPremise(q.q.QueryRowContext(ctx, `SELECT `+premiseCols+` FROM premises WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFoundf("store.Premise", "premise %d not found", id)
	}
	if err != nil {
		return p, fmt.Errorf("store: premise %d: %w", id, err)
	}
	return p, nil
}

// PremiseFilter selects premises.
type PremiseFilter struct {
	ZIP          string
	MemberAgency string
	DAC          *bool
	HFTDTier     *int
	After        int64
	Limit        int
}

// Premises lists premises in ID order after the cursor.
func (q queries) Premises(ctx context.Context, f PremiseFilter) ([]customer.Premise, error) {
	dac, hftd := int64(-1), int64(-1)
	if f.DAC != nil {
		dac = b2i(*f.DAC)
	}
	if f.HFTDTier != nil {
		hftd = int64(*f.HFTDTier)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT `+premiseCols+` FROM premises WHERE id > $1 AND ($2 = '' OR zip = $2)
		AND ($3 = '' OR member_agency = $3) AND ($4 < 0 OR dac = $4) AND ($5 < 0 OR hftd_tier = $5) ORDER BY id LIMIT $6`,
		f.After, f.ZIP, f.MemberAgency, dac, hftd, clampLimit(f.Limit))
	if err != nil {
		return nil, fmt.Errorf("store: premises: %w", err)
	}
	defer rows.Close()
	var out []customer.Premise
	for rows.Next() {
		p, err := scanPremise(rows)
		if err != nil {
			return nil, fmt.Errorf("store: premises: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
