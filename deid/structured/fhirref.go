package structured

import "strings"

// identifierDomain codes identifiers (MRNs, account and plan numbers) in
// every format alike, so records of one person link across CSV, JSON and
// FHIR within a run.
const identifierDomain = "identifier"

// kindDomain is the pseudonym domain of a declared field kind: patient ids
// share FHIR Patient ids' codes, identifiers share Identifier.value's.
func kindDomain(kind string) string {
	switch kind {
	case "patient-id":
		return "fhir:Patient"
	case "mrn", "account", "health-plan-id", "other-id":
		return identifierDomain
	}
	return "kind:" + kind
}

// neutralBase replaces the server in absolute references: the real base
// may name the institution.
const neutralBase = "https://example.invalid/fhir/"

// pseudonymise replaces an id, a reference or an identifier with a random
// code, keeping references consistent with the ids they point at.
func (w *fhirWalk) pseudonymise(v *value, st []frame, r Rule) (bool, error) {
	f, parent := st[len(st)-1], st[len(st)-2].typ
	var out string
	var ok bool
	var err error
	switch {
	case len(st) == 2 && f.key == "id" && st[0].key == containedKey:
		out, err = w.e.pseudo.Code("contained", v.str, FormToken) // "#id" references follow
		ok = true
	case len(st) == 2 && f.key == "id":
		out, err = w.e.pseudo.Code("fhir:"+st[0].typ, v.str, FormToken)
		ok = true
	case parent == "Reference" && f.key == "reference",
		parent == "Bundle.Entry" && f.key == "fullUrl",
		parent == "Bundle.Entry.Request" && f.key == "url",
		parent == "Bundle.Entry.Response" && f.key == "location":
		out, ok, err = w.reference(v.str)
	case parent == "Identifier" && f.key == "value":
		out, err = w.e.pseudo.Code(identifierDomain, v.str, FormToken)
		ok = true
	default:
		out, err = w.e.pseudo.Code("value:"+f.base, v.str, FormToken)
		ok = true
	}
	if err != nil {
		return false, err
	}
	if !ok {
		w.stats.change(r.target(), Redact)
		return false, nil
	}
	if out != v.str {
		w.stats.change(r.target(), Pseudonymise)
	}
	v.str = out
	return true, nil
}

// reference rewrites a reference with the codes of the ids it names:
// "Patient/123" → "Patient/<code>", "urn:uuid:…" → "urn:uuid:<random
// uuid>", "http://server/fhir/Patient/123" → neutralBase+"Patient/<code>".
// Local references ("#x", to contained resources) follow the contained
// ids; anything else (searches, other URNs) goes.
func (w *fhirWalk) reference(ref string) (string, bool, error) {
	switch {
	case ref == "#":
		return ref, true, nil // the container itself
	case strings.HasPrefix(ref, "#"):
		code, err := w.e.pseudo.Code("contained", ref[1:], FormToken)
		return "#" + code, true, err
	case strings.HasPrefix(ref, "urn:uuid:"):
		code, err := w.e.pseudo.Code("urn:uuid", strings.ToLower(ref[len("urn:uuid:"):]), FormUUID)
		return "urn:uuid:" + code, true, err
	}
	base, typ, id, ok := splitReference(ref)
	if !ok {
		return "", false, nil
	}
	code, err := w.e.pseudo.Code("fhir:"+typ, id, FormToken)
	if base != "" {
		return neutralBase + typ + "/" + code, true, err
	}
	return typ + "/" + code, true, err
}

// splitReference splits "[base/]Type/id[/_history/v]".
func splitReference(ref string) (base, typ, id string, ok bool) {
	if strings.ContainsAny(ref, "?#") {
		return "", "", "", false
	}
	if i := strings.Index(ref, "/_history/"); i >= 0 {
		ref = ref[:i]
	}
	parts := strings.Split(ref, "/")
	if len(parts) < 2 {
		return "", "", "", false
	}
	typ, id = parts[len(parts)-2], parts[len(parts)-1]
	if !IsResourceType(typ) || id == "" {
		return "", "", "", false
	}
	base = strings.Join(parts[:len(parts)-2], "/")
	if base != "" && !strings.Contains(base, "://") {
		return "", "", "", false
	}
	return base, typ, id, true
}

// patientKeys are the elements that point at a resource's patient.
var patientKeys = []string{"subject", "patient", "beneficiary", "individual", "for"}

// patientOf returns the id of the patient a resource is about, before any
// pseudonym: its own id for a Patient, else the Patient its subject (or
// patient, beneficiary, ...) references; "" if none. Date shifts are
// scoped to it.
func (w *fhirWalk) patientOf(v *value, rt string) string {
	if rt == "Patient" {
		return v.stringAt("id")
	}
	for _, k := range patientKeys {
		ref := v.get(k)
		if ref != nil && ref.kind == jArray && len(ref.arr) > 0 {
			ref = ref.arr[0]
		}
		if id := w.patientRef(ref.stringAt("reference")); id != "" {
			return id
		}
	}
	return ""
}

// patientRef returns the patient id a reference names, or "".
func (w *fhirWalk) patientRef(ref string) string {
	if r, ok := w.urls[ref]; ok {
		ref = r
	}
	if _, typ, id, ok := splitReference(ref); ok && typ == "Patient" {
		return id
	}
	return ""
}

// indexBundle maps a Bundle's fullUrls to the resources they name, so
// that "urn:uuid:" references find their patient.
func (w *fhirWalk) indexBundle(b *value) {
	entries := b.get("entry")
	if entries == nil || entries.kind != jArray {
		return
	}
	if w.urls == nil {
		w.urls = map[string]string{}
	}
	for _, e := range entries.arr {
		res := e.get("resource")
		if u := e.stringAt("fullUrl"); u != "" && res != nil {
			w.urls[u] = res.stringAt("resourceType") + "/" + res.stringAt("id")
		}
	}
}
