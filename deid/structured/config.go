package structured

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/phigate/phigate"
)

// Action is what a rule does to a value.
type Action string

// The actions.
const (
	Keep         Action = "keep"         // leave the value as it is
	Redact       Action = "redact"       // remove it (an empty CSV cell)
	DateShift    Action = "date-shift"   // move a date by the patient's offset
	Generalise   Action = "generalise"   // coarsen it; Rule.As says how
	Pseudonymise Action = "pseudonymise" // a random code, the same for the same value within a run
	Scan         Action = "scan"         // de-identify it as free text with the PHI engine
)

// Actions lists the actions.
var Actions = []Action{Keep, Redact, DateShift, Generalise, Pseudonymise, Scan}

// Generalisations for Rule.As.
const (
	AsYear      = "year"       // a date to its year
	AsBirthYear = "birth-year" // a birth date to its year, removed if it shows an age over 89
	AsZIP3      = "zip3"       // a ZIP code to its first three digits, 000 where HHS restricts them
	AsAge       = "age"        // ages over 89 to "90+" (FHIR: 90 with comparator >=)
	AsAgeBand   = "age-band:"  // "age-band:10": ages in bands of 10 years, over 89 "90+"
)

// Rule says what to do with the values one selector picks. For CSV the
// selector is Column; for JSON lines a dotted path from the record's root
// ("patient.name", array indices left out); for FHIR a path that starts
// with a resource or data type ("Patient.birthDate", "Address.state",
// "Resource.id") or a lone type ("HumanName", "date"), matching that node
// and everything under it. The first rule that matches a value or one of
// its ancestors applies.
type Rule struct {
	Column string `json:"column,omitempty"`
	Path   string `json:"path,omitempty"`
	Action Action `json:"action"`
	As     string `json:"as,omitempty"`
}

// target names what r selects, for reports.
func (r Rule) target() string {
	if r.Column != "" {
		return r.Column
	}
	return r.Path
}

// Config is a de-identification configuration.
type Config struct {
	// Profile adds a built-in profile's rules after Rules: "safe-harbor"
	// or "" for none. With no profile, values no rule matches are kept.
	Profile string `json:"profile,omitempty"`
	// Fields declares the kind of data in CSV columns and JSON paths
	// ("name", "zip", "birth-date", "mrn", "text", ...; see Kinds), which
	// the profile turns into rules.
	Fields map[string]string `json:"fields,omitempty"`
	// Patient is the CSV column or JSON path that holds the patient's id:
	// it scopes date shifts. FHIR finds the patient itself.
	Patient string `json:"patient,omitempty"`
	// Rules come first, in order.
	Rules []Rule `json:"rules,omitempty"`
}

// SafeHarbor is the name of the built-in Safe Harbor profile.
const SafeHarbor = "safe-harbor"

// ParseConfig reads a JSON configuration and checks it. Codes: EINVALID.
func ParseConfig(r io.Reader) (*Config, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, phigate.E(phigate.EINVALID, "structured.ParseConfig", fmt.Errorf("decode configuration: %w", err))
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Validate checks the profile, the kinds and the rules. Codes: EINVALID.
func (c *Config) Validate() error {
	const op = "structured.Config.Validate"
	if c.Profile != "" && c.Profile != SafeHarbor {
		return phigate.Errorf(phigate.EINVALID, op, "unknown profile %q", c.Profile)
	}
	for f, k := range c.Fields {
		if _, ok := kindRules[k]; !ok {
			return phigate.Errorf(phigate.EINVALID, op, "field %q: unknown kind %q", f, k)
		}
	}
	for i, r := range c.Rules {
		if err := r.validate(); err != nil {
			return phigate.E(phigate.EINVALID, op, fmt.Errorf("rule %d: %w", i+1, err))
		}
	}
	return nil
}

func (r Rule) validate() error {
	switch {
	case (r.Column == "") == (r.Path == ""):
		return fmt.Errorf("give exactly one of column and path")
	case !validAction(r.Action):
		return fmt.Errorf("unknown action %q", r.Action)
	case r.Action == Generalise && !validAs(r.As):
		return fmt.Errorf("generalise needs as: year, birth-year, zip3, age or age-band:N")
	case r.Action != Generalise && r.As != "":
		return fmt.Errorf("as applies only to generalise")
	}
	return nil
}

func validAction(a Action) bool {
	for _, x := range Actions {
		if x == a {
			return true
		}
	}
	return false
}

func validAs(as string) bool {
	switch as {
	case AsYear, AsBirthYear, AsZIP3, AsAge:
		return true
	}
	_, ok := bandWidth(as)
	return ok
}

// bandWidth parses "age-band:N".
func bandWidth(as string) (int, bool) {
	rest, ok := strings.CutPrefix(as, AsAgeBand)
	if !ok {
		return 0, false
	}
	n := 0
	for _, c := range rest {
		if c < '0' || c > '9' || n > 1000 {
			return 0, false
		}
		n = 10*n + int(c-'0')
	}
	return n, n > 0
}

// kindRules maps each field kind to what the Safe Harbor profile does.
var kindRules = map[string]Rule{
	"name": {Action: Redact}, "address": {Action: Redact}, "city": {Action: Redact},
	"county": {Action: Redact}, "geocode": {Action: Redact},
	"zip":   {Action: Generalise, As: AsZIP3},
	"state": {Action: Keep}, "country": {Action: Keep},
	"date":       {Action: Generalise, As: AsYear},
	"birth-date": {Action: Generalise, As: AsBirthYear},
	"age":        {Action: Generalise, As: AsAge},
	"phone":      {Action: Redact}, "fax": {Action: Redact}, "email": {Action: Redact},
	"ssn": {Action: Redact}, "license": {Action: Redact}, "vehicle-id": {Action: Redact},
	"device-id": {Action: Redact}, "url": {Action: Redact}, "ip": {Action: Redact},
	"biometric": {Action: Redact}, "photo": {Action: Redact},
	"mrn": {Action: Pseudonymise}, "health-plan-id": {Action: Pseudonymise},
	"account": {Action: Pseudonymise}, "other-id": {Action: Pseudonymise},
	"patient-id": {Action: Pseudonymise},
	"text":       {Action: Scan},
	"keep":       {Action: Keep},
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Kinds lists the field kinds Config.Fields accepts.
func Kinds() []string {
	ks := make([]string, 0, len(kindRules))
	for k := range kindRules {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
