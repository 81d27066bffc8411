package sqlstore_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/phigate/phigate/internal/sqlstore"
)

func TestNumber(t *testing.T) {
	cases := map[string]struct{ in, want string }{
		"OKNone":         {`SELECT COUNT(*) FROM users`, `SELECT COUNT(*) FROM users`},
		"OKInOrder":      {`UPDATE t SET a = ?, b = ? WHERE id = ?`, `UPDATE t SET a = $1, b = $2 WHERE id = $3`},
		"OKTenAndMore":   {strings.Repeat("?,", 11) + "?", "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12"},
		"OKRepeated":     {`WHERE ? = '' OR owner_id = ?`, `WHERE $1 = '' OR owner_id = $2`},
		"OKInString":     {`SELECT '?' , ?`, `SELECT '?' , $1`},
		"OKDoubledQuote": {`SELECT 'it''s ?', ?`, `SELECT 'it''s ?', $1`},
		"OKIdentifier":   {`SELECT "a?b" FROM t WHERE x = ?`, `SELECT "a?b" FROM t WHERE x = $1`},
		"OKMultiline":    {"INSERT INTO t (a, b)\n\t\tVALUES (?, ?)", "INSERT INTO t (a, b)\n\t\tVALUES ($1, $2)"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := sqlstore.Number(c.in); got != c.want {
				t.Fatalf("Number(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// FuzzNumber checks that Number only replaces placeholders: turning each
// $n back into ? gives the input, and the numbers count up from 1.
func FuzzNumber(f *testing.F) {
	f.Add(`SELECT 1`)                                   // nothing to do
	f.Add(`UPDATE t SET a = ? WHERE id = ?`)            // two placeholders
	f.Add(`SELECT '?', "?", ?`)                         // quoted question marks stay
	f.Add(`SELECT 'unterminated ?`)                     // an open quote runs to the end
	f.Add(`SELECT 'a''b', ?` + strings.Repeat("?", 12)) // doubled quote, two-digit numbers
	f.Add(`LIMIT ?0`)                                   // a digit right after a placeholder
	f.Fuzz(func(t *testing.T, in string) {
		if strings.Contains(in, "$") {
			t.Skip("input already holds $")
		}
		out := sqlstore.Number(in)
		var back strings.Builder
		for n := 1; ; n++ {
			i := strings.IndexByte(out, '$')
			if i < 0 {
				back.WriteString(out)
				break
			}
			p := "$" + strconv.Itoa(n)
			if !strings.HasPrefix(out[i:], p) {
				t.Fatalf("Number(%q) = %q: placeholder %d is not %s", in, sqlstore.Number(in), n, p)
			}
			back.WriteString(out[:i] + "?")
			out = out[i+len(p):]
		}
		if back.String() != in {
			t.Fatalf("Number(%q) = %q does not map back", in, sqlstore.Number(in))
		}
	})
}
