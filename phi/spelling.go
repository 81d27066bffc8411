package phi

// nearWord reports whether word i is one edit (a letter left out, added,
// changed, or two letters swapped) away from an ordinary or clinical
// word: a misspelling ("RECIEVED", "INITALLY") rather than an unknown
// name. Words longer than maxNear letters are not checked.
func (st *state) nearWord(i int) bool {
	switch st.toks[i].near {
	case 1:
		return false
	case 2:
		return true
	}
	near := st.nearWordOf(st.word(i))
	st.toks[i].near = 1
	if near {
		st.toks[i].near = 2
	}
	return near
}

// nearWordOf is nearWord on the bytes of a word.
func (st *state) nearWordOf(w []byte) bool {
	if len(w) < 4 || len(w) > maxNear {
		return false
	}
	var low [maxNear + 1]byte
	for k, c := range w {
		low[k] = c | 0x20
	}
	var buf [maxNear + 1]byte
	n := len(w)
	for k := 0; k < n; k++ { // deletion
		b := append(append(buf[:0], low[:k]...), low[k+1:n]...)
		if st.isWord(b) {
			return true
		}
	}
	for k := 0; k+1 < n; k++ { // transposition
		b := append(buf[:0], low[:n]...)
		b[k], b[k+1] = b[k+1], b[k]
		if st.isWord(b) {
			return true
		}
	}
	for k := 0; k < n; k++ { // substitution
		b := append(buf[:0], low[:n]...)
		for c := byte('a'); c <= 'z'; c++ {
			if c != low[k] {
				b[k] = c
				if st.isWord(b) {
					return true
				}
			}
		}
	}
	for k := 0; k <= n; k++ { // insertion
		b := append(append(append(buf[:0], low[:k]...), 'a'), low[k:n]...)
		for c := byte('a'); c <= 'z'; c++ {
			b[k] = c
			if st.isWord(b) {
				return true
			}
		}
	}
	return false
}

// maxNear is the longest word nearWord checks.
const maxNear = 14

// isWord reports whether b (lower case) is an ordinary or clinical word
// that is no name.
func (st *state) isWord(b []byte) bool { return st.lx.isWordKey(b) }
