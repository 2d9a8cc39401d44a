package openadr

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/store"
)

// kind describes one family of VTN-stored objects.
type kind struct {
	kind, path  string // objectTypes value, URL path
	read, write string // scopes
}

var (
	venKind          = kind{"VEN", "vens", ReadVenObjects, WriteVens}
	resourceKind     = kind{"RESOURCE", "resources", ReadVenObjects, WriteVens}
	subscriptionKind = kind{"SUBSCRIPTION", "subscriptions", ReadVenObjects, WriteSubscriptions}
	reportKind       = kind{"REPORT", "reports", ReadVenObjects, WriteReports}
)

// nameRE bounds the spec's user-generated strings (venName, clientName,
// resourceName: 1–128 characters).
var nameRE = regexp.MustCompile(`^.{1,128}$`)

// check validates a request body of kind k from caller c and returns the
// stored object's lookup columns. Existing is the stored object on PUT.
func (v *VTN) check(ctx context.Context, k kind, c caller, body map[string]any, o *store.OADRObject) error {
	var f apperr.Fields
	str := func(name string) string {
		s, _ := body[name].(string)
		return s
	}
	need := func(name string) string {
		s := str(name)
		if !nameRE.MatchString(s) {
			f.Add(name, "is required, 1 to 128 characters")
		}
		return s
	}
	ot := str("objectType")
	switch k {
	case venKind:
		o.Name = need("venName")
		switch {
		case ot == "VEN_VEN_REQUEST" && !c.bl():
		case ot == "BL_VEN_REQUEST" && c.bl():
			o.ClientID = need("clientID")
		default:
			f.Add("objectType", "a VEN sends VEN_VEN_REQUEST and business logic BL_VEN_REQUEST")
		}
	case resourceKind:
		o.Name = need("resourceName")
		o.VenID = need("venID")
		switch {
		case ot == "VEN_RESOURCE_REQUEST" && !c.bl():
		case ot == "BL_RESOURCE_REQUEST" && c.bl():
			o.ClientID = need("clientID")
		default:
			f.Add("objectType", "a VEN sends VEN_RESOURCE_REQUEST and business logic BL_RESOURCE_REQUEST")
		}
	case subscriptionKind:
		need("clientName")
		o.ProgramID = str("programID")
		ops, _ := body["objectOperations"].([]any)
		if len(ops) == 0 {
			f.Add("objectOperations", "at least one is required")
		}
		for _, x := range ops {
			op, _ := x.(map[string]any)
			cb, _ := op["callbackUrl"].(string)
			if u, err := url.Parse(cb); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				f.Add("objectOperations.callbackUrl", "must be an http or https URL")
			}
			objs, _ := op["objects"].([]any)
			opsList, _ := op["operations"].([]any)
			if len(objs) == 0 || len(opsList) == 0 {
				f.Add("objectOperations", "each names objects and operations")
			}
		}
	case reportKind:
		need("clientName")
		o.EventID = need("eventID")
		if rs, ok := body["resources"].([]any); !ok || rs == nil {
			f.Add("resources", "is required (a list)")
		}
	}
	if err := f.Err("openadr." + k.path); err != nil {
		return err
	}
	if k == resourceKind {
		ven, err := v.db.OADRObjectByID(ctx, venKind.kind, o.VenID)
		if err != nil {
			return apperr.Invalidf("openadr", "venID %s is not a VEN of this VTN", o.VenID)
		}
		if !c.bl() && ven.ClientID != c.ClientID {
			return apperr.Forbiddenf("openadr", "VEN %s belongs to another client", o.VenID)
		}
		o.ClientID = ven.ClientID
	}
	if k == reportKind {
		ev, err := v.anyEvent(ctx, o.EventID)
		if err != nil {
			return apperr.Invalidf("openadr", "eventID %s is not an event of this VTN", o.EventID)
		}
		ts, err := v.targetsOf(ctx, c)
		if err != nil {
			return err
		}
		if !ts.sees(ev) {
			return apperr.Forbiddenf("openadr", "event %s targets another VEN", o.EventID)
		}
	}
	if o.ClientID == "" {
		o.ClientID = c.ClientID
	}
	return nil
}

// visible reports whether c may see object o: business logic sees
// everything, a VEN only what belongs to its own client.
func visible(c caller, o store.OADRObject) bool { return c.bl() || o.ClientID == c.ClientID }

// objectJSON is the stored body with the VTN's metadata.
func objectJSON(k kind, o store.OADRObject) map[string]any {
	var body map[string]any
	json.Unmarshal(o.Body, &body)
	body["id"], body["createdDateTime"], body["modificationDateTime"], body["objectType"] = o.ID, stamp(o.Created), stamp(o.Modified), k.kind
	if k != subscriptionKind || body["clientID"] == nil {
		body["clientID"] = o.ClientID
	}
	return body
}

func (v *VTN) listObjects(k kind) func(http.ResponseWriter, *http.Request, caller) {
	return func(w http.ResponseWriter, r *http.Request, c caller) {
		q := r.URL.Query()
		f := store.OADRFilter{Kind: k.kind, ProgramID: q.Get("programID"), EventID: q.Get("eventID"), VenID: q.Get("venID")}
		switch k {
		case venKind:
			f.Name = q.Get("venName")
		}
		if !c.bl() {
			f.ClientID = c.ClientID
		}
		objs, err := v.db.OADRObjects(r.Context(), f)
		if err != nil {
			v.fail(w, r, err)
			return
		}
		var all []map[string]any
		for _, o := range objs {
			j := objectJSON(k, o)
			if cn := q.Get("clientName"); cn != "" && j["clientName"] != cn {
				continue
			}
			if rn := q.Get("resourceName"); k == resourceKind && rn != "" && j["resourceName"] != rn {
				continue
			}
			all = append(all, j)
		}
		out, err := page(r, all)
		if err != nil {
			v.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

func (v *VTN) createObject(k kind) func(http.ResponseWriter, *http.Request, caller) {
	return func(w http.ResponseWriter, r *http.Request, c caller) {
		var body map[string]any
		if err := decode(r, &body); err != nil {
			v.fail(w, r, err)
			return
		}
		now := v.db.Now()
		o := store.OADRObject{ID: store.NewOADRID(k.kind), Kind: k.kind, Created: now, Modified: now}
		if err := v.check(r.Context(), k, c, body, &o); err != nil {
			v.fail(w, r, err)
			return
		}
		for _, meta := range []string{"id", "createdDateTime", "modificationDateTime"} {
			delete(body, meta)
		}
		o.Body, _ = json.Marshal(body)
		charges, err := v.reportCharges(r.Context(), k, c, o)
		if err != nil {
			v.fail(w, r, err)
			return
		}
		err = v.db.InTx(r.Context(), func(tx *store.Tx) error { return putWithCharges(r.Context(), tx, c, o, charges) })
		if apperr.Is(err, apperr.Conflict) && k == venKind {
			// POST /vens declares no 409 in 3.1.0: a taken venName is a bad request.
			err = apperr.Invalidf("openadr", "venName %q is already registered", o.Name)
		}
		if err != nil {
			v.fail(w, r, err)
			return
		}
		obj := objectJSON(k, o)
		writeJSON(w, http.StatusCreated, obj)
		v.notify(context.WithoutCancel(r.Context()), k.kind, "CREATE", o.ProgramID, obj)
	}
}

// reportCharges returns the battery charge readings a report object
// carries that c may give (none for other kinds).
func (v *VTN) reportCharges(ctx context.Context, k kind, c caller, o store.OADRObject) ([]chargeReading, error) {
	if k != reportKind {
		return nil, nil
	}
	return v.heldCharges(ctx, c, o.Body)
}

// putWithCharges stores an object with the charge readings it carries.
func putWithCharges(ctx context.Context, tx *store.Tx, c caller, o store.OADRObject, charges []chargeReading) error {
	if err := tx.PutOADRObject(ctx, c.actor(), o); err != nil {
		return err
	}
	return recordCharges(ctx, tx, c, charges)
}

// owned returns the object with id of kind k if c may see it: 404 when
// there is none, 403 when it belongs to another client.
func (v *VTN) owned(r *http.Request, k kind, c caller) (store.OADRObject, error) {
	o, err := v.db.OADRObjectByID(r.Context(), k.kind, r.PathValue("id"))
	if err != nil {
		return o, err
	}
	if !visible(c, o) {
		return o, apperr.Forbiddenf("openadr", "%s %s belongs to another client", k.path, o.ID)
	}
	return o, nil
}

func (v *VTN) getObject(k kind) func(http.ResponseWriter, *http.Request, caller) {
	return func(w http.ResponseWriter, r *http.Request, c caller) {
		o, err := v.owned(r, k, c)
		if err != nil {
			v.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, objectJSON(k, o))
	}
}

func (v *VTN) putObject(k kind) func(http.ResponseWriter, *http.Request, caller) {
	return func(w http.ResponseWriter, r *http.Request, c caller) {
		o, err := v.owned(r, k, c)
		if err != nil {
			v.fail(w, r, err)
			return
		}
		var body map[string]any
		if err := decode(r, &body); err != nil {
			v.fail(w, r, err)
			return
		}
		owner := o.ClientID
		o.ClientID = ""
		if err := v.check(r.Context(), k, c, body, &o); err != nil {
			v.fail(w, r, err)
			return
		}
		if !c.bl() {
			o.ClientID = owner
		}
		for _, meta := range []string{"id", "createdDateTime", "modificationDateTime"} {
			delete(body, meta)
		}
		o.Body, _ = json.Marshal(body)
		o.Modified = v.db.Now()
		charges, err := v.reportCharges(r.Context(), k, c, o)
		if err != nil {
			v.fail(w, r, err)
			return
		}
		if err := v.db.InTx(r.Context(), func(tx *store.Tx) error { return putWithCharges(r.Context(), tx, c, o, charges) }); err != nil {
			v.fail(w, r, err)
			return
		}
		obj := objectJSON(k, o)
		writeJSON(w, http.StatusOK, obj)
		v.notify(context.WithoutCancel(r.Context()), k.kind, "UPDATE", o.ProgramID, obj)
	}
}

func (v *VTN) deleteObject(k kind) func(http.ResponseWriter, *http.Request, caller) {
	return func(w http.ResponseWriter, r *http.Request, c caller) {
		o, err := v.owned(r, k, c)
		if err != nil {
			v.fail(w, r, err)
			return
		}
		if err := v.db.InTx(r.Context(), func(tx *store.Tx) error { return tx.DeleteOADRObject(r.Context(), c.actor(), k.kind, o.ID) }); err != nil {
			v.fail(w, r, err)
			return
		}
		obj := objectJSON(k, o)
		writeJSON(w, http.StatusOK, obj)
		v.notify(context.WithoutCancel(r.Context()), k.kind, "DELETE", o.ProgramID, obj)
	}
}
