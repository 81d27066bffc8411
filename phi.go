package phigate

// Category is a kind of protected health information: one per Safe Harbor
// identifier of 45 CFR 164.514(b)(2). The string values are a stable
// interface: the CLI, the API, audit events and reports all use them.
type Category string

// The Safe Harbor categories.
const (
	NAME           Category = "NAME"           // names of the patient, relatives, employers, providers
	LOCATION       Category = "LOCATION"       // street, city, county, precinct, ZIP and geocodes; facility names
	DATE           Category = "DATE"           // date elements but the year (see Finding.YearOnly)
	AGE            Category = "AGE"            // ages over 89
	PHONE          Category = "PHONE"          // telephone numbers
	FAX            Category = "FAX"            // fax numbers
	EMAIL          Category = "EMAIL"          // e-mail addresses
	SSN            Category = "SSN"            // social security numbers
	MRN            Category = "MRN"            // medical record numbers
	HEALTH_PLAN_ID Category = "HEALTH_PLAN_ID" // health plan beneficiary numbers (including Medicare MBI)
	ACCOUNT        Category = "ACCOUNT"        // account numbers
	LICENSE        Category = "LICENSE"        // certificate and licence numbers (DEA, NPI where they identify a person)
	VEHICLE_ID     Category = "VEHICLE_ID"     // VINs, licence plates
	DEVICE_ID      Category = "DEVICE_ID"      // device serial numbers, UDIs
	URL            Category = "URL"            // web addresses
	IP             Category = "IP"             // IP addresses
	BIOMETRIC      Category = "BIOMETRIC"      // finger and voice prints
	PHOTO          Category = "PHOTO"          // full-face photographs and comparable images
	OTHER_ID       Category = "OTHER_ID"       // any other unique identifying number or code
)

// Categories lists every category in a fixed order.
var Categories = []Category{
	NAME, LOCATION, DATE, AGE, PHONE, FAX, EMAIL, SSN, MRN, HEALTH_PLAN_ID,
	ACCOUNT, LICENSE, VEHICLE_ID, DEVICE_ID, URL, IP, BIOMETRIC, PHOTO, OTHER_ID,
}

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if k == c {
			return true
		}
	}
	return false
}

// Finding is one span of PHI in a text. Offsets are bytes, Start inclusive
// and End exclusive, on UTF-8 boundaries. A Finding never holds the text it
// points at, so it can be logged and audited.
type Finding struct {
	Start      int      `json:"start"`
	End        int      `json:"end"`
	Category   Category `json:"category"`
	Confidence float32  `json:"confidence"`
	// Recognizer names the rule that fired ("title-name", "ssn", ...).
	Recognizer string `json:"recognizer"`
	// YearOnly marks a DATE that is a lone year: Safe Harbor allows keeping it.
	YearOnly bool `json:"year_only,omitempty"`
}

// Detector finds PHI in text. Implementations are safe for concurrent use.
type Detector interface {
	// Detect appends the findings in text to dst and returns it, sorted by
	// Start and not overlapping. An error means the text could not be
	// scanned; callers must then fail closed.
	Detect(dst []Finding, text []byte) ([]Finding, error)
}
