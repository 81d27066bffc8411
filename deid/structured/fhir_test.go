package structured_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/phigate/phigate/deid/structured"
)

// sharedResources lists the input resources (not the -target ones).
func sharedResources(t *testing.T) []string {
	dir := fhirDir(t)
	var files []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".json") && !strings.HasSuffix(p, "-target.json") {
			files = append(files, p)
		}
		return nil
	})
	return files
}

// isPHI says whether a leaf holds one of the Safe Harbor identifiers.
func isPHI(l structured.Leaf) bool {
	key := l.Path[strings.LastIndexByte(l.Path, '.')+1:]
	switch {
	case l.Owner == "HumanName" && key != "use":
		return true
	case l.Owner == "Address" && (key == "line" || key == "city" || key == "district" || key == "text" || key == "postalCode" && len(l.Value) > 3):
		return true
	case (l.Owner == "ContactPoint" || l.Owner == "Identifier") && key == "value":
		return true
	case l.Owner == "Reference" && (key == "display" || key == "reference" && !strings.HasPrefix(l.Value, "#")):
		return true
	case (l.Type == "date" || l.Type == "dateTime" || l.Type == "instant") && len(l.Value) > 4:
		return true
	case l.Type == "base64Binary" || l.Type == "url" || l.Type == "xhtml":
		return true
	case strings.Count(l.Path, ".") == 1 && key == "id":
		return true
	}
	return false
}

func TestSafeHarborSharedResources(t *testing.T) {
	files := sharedResources(t)
	untouched := map[string]string{}
	for _, f := range files {
		name, _ := filepath.Rel(fhirDir(t), f)
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d := MustDeidentifier(t, nil)
			var out bytes.Buffer
			st, err := d.Run(context.Background(), bytes.NewReader(in), name, structured.JSON, &out)
			if err != nil {
				t.Fatal(err)
			}
			if st.Rejected.Count > 0 {
				// STU3-only resource types are not R4: rejected, by design.
				if !strings.HasPrefix(name, "Stu3OnlyResource") || out.Len() > 0 {
					t.Fatalf("rejected %v", st.Rejected.List)
				}
				t.Logf("rejected as expected: %v", st.Rejected.List[0])
				return
			}
			before, err := structured.FHIRLeaves(in)
			if err != nil {
				t.Fatal(err)
			}
			after, err := structured.FHIRLeaves(out.Bytes())
			if err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out.String())
			}
			phi := map[string]bool{}
			kept := map[string]bool{}
			for _, l := range before {
				if isPHI(l) {
					phi[l.Value] = true
				}
				kept[l.Path+"\x00"+l.Value] = true
			}
			for _, l := range after {
				allowed := l.Owner == "Address" && (strings.HasSuffix(l.Path, ".state") || strings.HasSuffix(l.Path, ".country"))
				if phi[l.Value] && len(l.Value) > 2 && !allowed {
					t.Errorf("%s keeps a Safe Harbor identifier", l.Path)
				}
				if kept[l.Path+"\x00"+l.Value] {
					if isPHI(l) {
						t.Errorf("%s (%s) is PHI and left untouched", l.Path, l.Type)
					}
					untouched[l.Path] = l.Type
				}
			}
			if len(st.Unknown) > 0 {
				t.Logf("elements R4 does not define, removed: %v", st.Unknown)
			}
		})
	}
	paths := make([]string, 0, len(untouched))
	for p, typ := range untouched {
		paths = append(paths, p+" ("+typ+")")
	}
	sort.Strings(paths)
	t.Logf("elements the safe-harbor profile leaves untouched (%d):\n%s", len(paths), strings.Join(paths, "\n"))
}
