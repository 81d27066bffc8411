package sqlstore

import (
	"strconv"
	"strings"
)

// Number rewrites the ? placeholders of query as $1, $2, … in order, for
// PostgreSQL. A ? inside a quoted string or identifier ('…', "…") is left
// alone; the statements of this package have no comments.
func Number(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte // the quote we are inside, or 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0 // a doubled quote closes and reopens: same result
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
