package phi

import (
	"github.com/phigate/phigate"
)

// idContext maps a word before an identifier to the identifier's category.
var idContext = map[string]phigate.Category{
	"mrn": phigate.MRN, "mr": phigate.MRN, "record": phigate.MRN, "mr#": phigate.MRN,
	"acct": phigate.ACCOUNT, "account": phigate.ACCOUNT, "acc": phigate.ACCOUNT, "billing": phigate.ACCOUNT,
	"fin": phigate.ACCOUNT, "encounter": phigate.ACCOUNT, "visit": phigate.ACCOUNT, "invoice": phigate.ACCOUNT,
	"member": phigate.HEALTH_PLAN_ID, "policy": phigate.HEALTH_PLAN_ID, "subscriber": phigate.HEALTH_PLAN_ID,
	"medicaid": phigate.HEALTH_PLAN_ID, "medicare": phigate.HEALTH_PLAN_ID, "insurance": phigate.HEALTH_PLAN_ID,
	"plan": phigate.HEALTH_PLAN_ID, "group": phigate.HEALTH_PLAN_ID, "hicn": phigate.HEALTH_PLAN_ID, "mbi": phigate.HEALTH_PLAN_ID,
	"beneficiary": phigate.HEALTH_PLAN_ID, "insured": phigate.HEALTH_PLAN_ID,
	"license": phigate.LICENSE, "licence": phigate.LICENSE, "lic": phigate.LICENSE, "dl": phigate.LICENSE,
	"dea": phigate.LICENSE, "npi": phigate.LICENSE, "certificate": phigate.LICENSE, "cert": phigate.LICENSE,
	"vin": phigate.VEHICLE_ID, "plate": phigate.VEHICLE_ID, "plates": phigate.VEHICLE_ID, "vehicle": phigate.VEHICLE_ID,
	"serial": phigate.DEVICE_ID, "sn": phigate.DEVICE_ID, "udi": phigate.DEVICE_ID, "device": phigate.DEVICE_ID,
	"implant": phigate.DEVICE_ID, "model": phigate.DEVICE_ID, "lot": phigate.DEVICE_ID,
	"ssn": phigate.SSN, "ss": phigate.SSN, "social": phigate.SSN,
	"ref": phigate.OTHER_ID, "reference": phigate.OTHER_ID, "case": phigate.OTHER_ID, "claim": phigate.OTHER_ID,
	"id": phigate.OTHER_ID, "identifier": phigate.OTHER_ID, "confirmation": phigate.OTHER_ID, "ticket": phigate.OTHER_ID,
	"badge": phigate.OTHER_ID, "passport": phigate.OTHER_ID, "employee": phigate.OTHER_ID, "accession": phigate.OTHER_ID,
	"specimen": phigate.OTHER_ID, "order": phigate.OTHER_ID, "requisition": phigate.OTHER_ID, "tracking": phigate.OTHER_ID,
	"job": phigate.OTHER_ID, "dictation": phigate.OTHER_ID, "transcription": phigate.OTHER_ID,
	"fingerprint": phigate.BIOMETRIC, "voiceprint": phigate.BIOMETRIC, "retinal": phigate.BIOMETRIC, "iris": phigate.BIOMETRIC,
	"biometric": phigate.BIOMETRIC, "palmprint": phigate.BIOMETRIC,
}

// contextCategory returns the identifier category named by a keyword
// among the 4 tokens before i, skipping "#", ":", "no", "number". A
// generic "ID" defers to a more specific word before it ("member ID").
func (st *state) contextCategory(i int) phigate.Category {
	var generic phigate.Category
	for k := i - 1; k >= i-5 && k >= 0; k-- {
		t := &st.toks[k]
		if t.kind == kPunct {
			if st.punct(k, '.') && (k == 0 || st.toks[k-1].end-st.toks[k-1].start > 4 || st.toks[k].newline) {
				return generic // a sentence ends here
			}
			if st.punct(k, ',') && k < i-1 {
				return generic
			}
			continue
		}
		if t.kind != kWord {
			return generic
		}
		w := lowerInto(st.buf[:0], st.word(k))
		if string(w) == "id" || string(w) == "identifier" {
			generic = phigate.OTHER_ID
			continue
		}
		if c, ok := idContext[string(w)]; ok {
			return c
		}
		if string(w) == "unit" && k+1 < i && (st.is(k+1, "no") || st.is(k+1, "number") || st.punct(k+1, '#')) {
			return phigate.MRN // "Unit No: 4417-203-88", a hospital's record number
		}
		switch string(w) {
		case "no", "number", "num", "nbr", "code", "is", "was", "of", "s", "n", "scan", "print", "template":
			continue
		}
		return generic
	}
	return generic
}

// idLike reports whether token i looks like an identifier: at least 4
// characters of which at least 4 digits ("83yo" and "20fr" are not).
func (st *state) idLike(i int) bool {
	t := &st.toks[i]
	if t.end-t.start < 4 {
		return false
	}
	d := 0
	for _, c := range st.word(i) {
		if isDigit(c) {
			d++
		}
	}
	return d >= 4
}

// findID finds identifiers at token i by format (MBI, DEA, NPI, VIN) or
// by a keyword before them.
func (st *state) findID(i int) {
	w := st.word(i)
	switch {
	case validMBI(w):
		st.add(i, i, phigate.HEALTH_PLAN_ID, 0.9, "mbi")
		return
	case validDEA(w):
		st.add(i, i, phigate.LICENSE, 0.9, "dea")
		return
	case len(w) == 17 && validVIN(w):
		st.add(i, i, phigate.VEHICLE_ID, 0.9, "vin")
		return
	}
	j := st.idEnd(i)
	s := i
	c := st.contextCategory(i)
	if i >= 2 && st.punct(i-1, '-') && st.adjacent(i-1) && st.adjacent(i-2) && st.toks[i-2].kind == kWord &&
		st.toks[i-2].shape == sUpper && st.toks[i-2].end-st.toks[i-2].start <= 4 && st.kws[i-2] == 0 {
		if _, label := idContext[string(lowerInto(st.buf[:0], st.word(i-2)))]; !label {
			// "Accession: RA-2291847": letters glued before the digits are
			// part of the number, and the label stands before them; not
			// "MRN-20417", where the letters are the label.
			s = i - 2
			if c == "" {
				c = st.contextCategory(s)
			}
		}
	}
	if !st.idLike(i) && j == i && (c == "" || digitCount(w) < 2 || st.toks[i].kind == kNum && digitCount(w) < 4) {
		return
	}
	if st.followedByUnit(i) {
		return
	}
	if c == phigate.VEHICLE_ID && st.toks[i].kind == kNum && st.digits(i) == 4 && st.num(i) >= 1900 && st.num(i) <= 2100 &&
		i+1 < len(st.toks) && st.toks[i+1].kind == kWord {
		return // "Vehicle: 2015 Honda": a model year before the make
	}
	switch {
	case c == phigate.LICENSE && len(w) == 10 && validNPI(w):
		st.add(i, j, phigate.LICENSE, 0.95, "npi")
	case c != "" && c != phigate.SSN:
		st.add(s, j, c, 0.85, "id-context")
	case st.toks[i].kind == kNum && st.digits(i) >= 7 && !st.partOfNumber(i):
		st.add(i, j, phigate.OTHER_ID, 0.6, "long-number")
	case st.punct(i-1, '#') && st.idLike(i):
		st.add(i, j, phigate.OTHER_ID, 0.6, "hash-id")
	}
}

// idEnd extends an identifier over "-" or "/" joined parts ("AB-1234-5").
func (st *state) idEnd(i int) int {
	j := i
	for j+2 < len(st.toks) && (st.punct(j+1, '-') || st.punct(j+1, '/')) && st.adjacent(j) && st.adjacent(j+1) &&
		st.toks[j+2].kind != kPunct && st.toks[j+2].kind != kWord {
		j += 2
	}
	return j
}

func digitCount(w []byte) int {
	n := 0
	for _, c := range w {
		if isDigit(c) {
			n++
		}
	}
	return n
}

// partOfNumber reports whether token i is part of a decimal number.
func (st *state) partOfNumber(i int) bool {
	return (st.punct(i-1, '.') && !st.toks[i].space) || (st.punct(i+1, '.') && st.adjacent(i) && st.num(i+2) >= 0 && st.adjacent(i+1))
}

// validMBI checks the Medicare Beneficiary Identifier format (11
// characters: C A AN N A AN N A A N N, letters excluding S L O I B Z).
func validMBI(w []byte) bool {
	if len(w) != 11 {
		return false
	}
	const pattern = "CAXNAXNAANN"
	for i, c := range w {
		c = upperByte(c)
		isL := 'A' <= c && c <= 'Z' && !isExcludedMBILetter(c)
		switch pattern[i] {
		case 'C':
			if c < '1' || c > '9' {
				return false
			}
		case 'A':
			if !isL {
				return false
			}
		case 'N':
			if !isDigit(c) {
				return false
			}
		case 'X':
			if !isL && !isDigit(c) {
				return false
			}
		}
	}
	return true
}

func isExcludedMBILetter(c byte) bool {
	return c == 'S' || c == 'L' || c == 'O' || c == 'I' || c == 'B' || c == 'Z'
}

func upperByte(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// validDEA checks a DEA registration number: two letters, seven digits,
// the last a check digit.
func validDEA(w []byte) bool {
	if len(w) != 9 || !isLetter(w[0]) || !isLetter(w[1]) {
		return false
	}
	d := make([]int, 7)
	for i := 0; i < 7; i++ {
		if !isDigit(w[i+2]) {
			return false
		}
		d[i] = int(w[i+2] - '0')
	}
	sum := d[0] + d[2] + d[4] + 2*(d[1]+d[3]+d[5])
	return sum%10 == d[6]
}

// validNPI checks a 10-digit NPI with the Luhn check over "80840" + digits.
func validNPI(w []byte) bool {
	if len(w) != 10 || (w[0] != '1' && w[0] != '2') {
		return false
	}
	sum := 24 // Luhn contribution of the prefix 80840
	for i := 8; i >= 0; i-- {
		if !isDigit(w[i]) {
			return false
		}
		d := int(w[i] - '0')
		if (8-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return isDigit(w[9]) && (10-sum%10)%10 == int(w[9]-'0')
}

// validVIN checks a 17-character VIN and its check digit (position 9).
func validVIN(w []byte) bool {
	const weights = "8765432X098765432"
	sum, letters, digits := 0, 0, 0
	for i, c := range w {
		c = upperByte(c)
		v := vinValue(c)
		if v < 0 {
			return false
		}
		if isDigit(c) {
			digits++
		} else {
			letters++
		}
		wt := 10
		if weights[i] != 'X' {
			wt = int(weights[i] - '0')
		}
		sum += v * wt
	}
	check := byte('0' + sum%11)
	if sum%11 == 10 {
		check = 'X'
	}
	return letters > 0 && digits > 0 && upperByte(w[8]) == check
}

func vinValue(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case c == 'I' || c == 'O' || c == 'Q' || c < 'A' || c > 'Z':
		return -1
	}
	return int("12345678012345070923456789"[c-'A'] - '0')
}
