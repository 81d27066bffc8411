package structured

// safeHarborFHIR is the FHIR part of the safe-harbor profile. The first
// rule that matches a value or one of its ancestors applies, so specific
// paths come first, then dates, then whole data types, then the defaults
// for each primitive type. Every value is covered: strings nobody named
// are scanned as free text; codes, URIs, numbers and booleans are kept.
// Dates keep their year only, as Safe Harbor requires (shifting dates is
// an Expert Determination method: add date-shift rules before these).
var safeHarborFHIR = []Rule{
	// Ids and references: random pseudonyms, consistent across resources.
	{Path: "Resource.id", Action: Pseudonymise},
	{Path: "Reference.reference", Action: Pseudonymise},
	{Path: "Reference.display", Action: Redact},
	{Path: "Bundle.entry.fullUrl", Action: Pseudonymise},
	{Path: "Bundle.entry.request.url", Action: Pseudonymise},
	{Path: "Bundle.entry.response.location", Action: Pseudonymise},
	{Path: "Bundle.link.url", Action: Redact},
	{Path: "Identifier.value", Action: Pseudonymise},
	{Path: "Coverage.subscriberId", Action: Pseudonymise},
	{Path: "ImagingStudy.series.uid", Action: Pseudonymise},
	{Path: "ImagingStudy.series.instance.uid", Action: Pseudonymise},
	// Parts of names, addresses and contacts that identify nobody.
	{Path: "HumanName.use", Action: Keep},
	{Path: "Address.use", Action: Keep},
	{Path: "Address.type", Action: Keep},
	{Path: "Address.state", Action: Keep},
	{Path: "Address.country", Action: Keep},
	{Path: "Address.postalCode", Action: Generalise, As: AsZIP3},
	{Path: "ContactPoint.system", Action: Keep},
	{Path: "ContactPoint.use", Action: Keep},
	{Path: "ContactPoint.rank", Action: Keep},
	// Birth dates and ages: year only, nothing that shows an age over 89.
	{Path: "Patient.birthDate", Action: Generalise, As: AsBirthYear},
	{Path: "Person.birthDate", Action: Generalise, As: AsBirthYear},
	{Path: "Practitioner.birthDate", Action: Generalise, As: AsBirthYear},
	{Path: "RelatedPerson.birthDate", Action: Generalise, As: AsBirthYear},
	{Path: "FamilyMemberHistory.bornDate", Action: Generalise, As: AsBirthYear},
	{Path: "Age.value", Action: Generalise, As: AsAge},
	// Photographs, biometrics, device and network identifiers, locations.
	{Path: "Patient.photo", Action: Redact},
	{Path: "Person.photo", Action: Redact},
	{Path: "Practitioner.photo", Action: Redact},
	{Path: "RelatedPerson.photo", Action: Redact},
	{Path: "Media.content", Action: Redact},
	{Path: "Attachment.data", Action: Redact},
	{Path: "Attachment.url", Action: Redact},
	{Path: "Attachment.hash", Action: Redact},
	{Path: "Device.udiCarrier", Action: Redact},
	{Path: "Device.distinctIdentifier", Action: Redact},
	{Path: "Device.serialNumber", Action: Redact},
	{Path: "Device.lotNumber", Action: Redact},
	{Path: "Coverage.dependent", Action: Redact},
	{Path: "Location.position", Action: Redact},
	{Path: "AuditEvent.agent.network.address", Action: Redact},
	{Path: "Meta.source", Action: Redact},
	{Path: "Annotation.authorString", Action: Redact},
	{Path: "Coding.display", Action: Keep},
	// Narrative renders the structured data (which the rules here
	// de-identify) as XHTML; it goes whole. To scan it instead, add a rule
	// {"path": "Narrative.div", "action": "scan"}.
	{Path: "Narrative.status", Action: Keep},
	{Path: "Narrative", Action: Redact},
	{Path: "Coding.version", Action: Keep},
	// Every other date: the year only; instants cannot be cut to a year.
	{Path: "date", Action: Generalise, As: AsYear},
	{Path: "dateTime", Action: Generalise, As: AsYear},
	{Path: "instant", Action: Redact},
	// Whatever is left of names, addresses and contacts.
	{Path: "HumanName", Action: Redact},
	{Path: "Address", Action: Redact},
	{Path: "ContactPoint", Action: Redact},
	// Defaults by primitive type.
	{Path: "base64Binary", Action: Redact},
	{Path: "url", Action: Redact},
	{Path: "xhtml", Action: Scan},
	{Path: "string", Action: Scan},
	{Path: "markdown", Action: Scan},
	{Path: "code", Action: Keep},
	{Path: "uri", Action: Keep},
	{Path: "canonical", Action: Keep},
	{Path: "id", Action: Keep},
	{Path: "oid", Action: Keep},
	{Path: "uuid", Action: Keep},
	{Path: "boolean", Action: Keep},
	{Path: "integer", Action: Keep},
	{Path: "decimal", Action: Keep},
	{Path: "positiveInt", Action: Keep},
	{Path: "unsignedInt", Action: Keep},
	{Path: "time", Action: Keep},
}

// profileRules returns the rules of c's profile for FHIR, or nil.
func profileFHIR(c *Config) []Rule {
	if c.Profile == SafeHarbor {
		return safeHarborFHIR
	}
	return nil
}

// fieldRule returns the profile's rule for a CSV column or JSON path with
// the given declared kind ("" when undeclared), and whether there is one.
// Undeclared fields are scanned under the safe-harbor profile.
func fieldRule(c *Config, field string) (Rule, bool) {
	if c.Profile != SafeHarbor {
		return Rule{}, false
	}
	k, ok := c.Fields[field]
	if !ok {
		return Rule{Path: field, Action: Scan}, true
	}
	r := kindRules[k]
	r.Path = field
	return r, true
}
