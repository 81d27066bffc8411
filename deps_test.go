package phigate_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// This test is the statement of policy for the import graph (see DESIGN.md):
//
//   - the root package imports only the standard library;
//   - phi and policy import only the root;
//   - keys imports the root and golang.org/x/crypto;
//   - deid, auth and audit import the root and keys (deid also phi), plus
//     third-party modules, and never an adapter;
//   - adapters (sqlite, postgres, server, api, gateway, console) never import
//     each other or cmd;
//   - nothing imports cmd.
const module = "github.com/phigate/phigate"

var adapters = []string{"sqlite", "postgres", "server", "api", "gateway", "console"}

// rule says which project packages a package may import and whether it may
// import third-party modules (by prefix).
type rule struct {
	project    []string // allowed project packages (prefix match on the relative path)
	thirdParty []string // allowed third-party prefixes; nil means none, "*" any
}

var rules = map[string]rule{
	"":        {},
	"phi":     {project: []string{"", "phi"}},
	"policy":  {project: []string{"", "policy"}},
	"keys":    {project: []string{"", "keys"}, thirdParty: []string{"golang.org/x/crypto"}},
	"deid":    {project: []string{"", "keys", "phi", "deid"}, thirdParty: []string{"*"}},
	"auth":    {project: []string{"", "keys", "auth"}, thirdParty: []string{"*"}},
	"audit":   {project: []string{"", "keys", "audit"}, thirdParty: []string{"*"}},
	"records": {project: []string{"", "policy", "records"}, thirdParty: []string{"*"}},
}

func TestImportRules(t *testing.T) {
	pkgs := projectImports(t)
	if len(pkgs) < 5 {
		t.Fatalf("found only %d packages: the walk is broken", len(pkgs))
	}
	for pkg, imps := range pkgs {
		for _, imp := range imps {
			if msg := violation(pkg, imp); msg != "" {
				t.Errorf("package %q imports %q: %s", displayName(pkg), imp, msg)
			}
		}
	}
}

func TestImportRulesCatchViolations(t *testing.T) {
	cases := []struct{ pkg, imp string }{
		{"", "github.com/jackc/pgx/v5"},
		{"", module + "/phi"},
		{"phi", module + "/keys"},
		{"policy", "github.com/cedar-policy/cedar-go"},
		{"keys", module + "/sqlite"},
		{"keys", "github.com/foo/bar"},
		{"sqlite", module + "/postgres"},
		{"gateway", module + "/api"},
		{"audit", module + "/sqlite"},
		{"api", module + "/cmd/phigate"},
	}
	for _, c := range cases {
		if violation(c.pkg, c.imp) == "" {
			t.Errorf("%q importing %q should be a violation", c.pkg, c.imp)
		}
	}
	if msg := violation("gateway", module+"/phi"); msg != "" {
		t.Errorf("gateway importing phi should be allowed: %s", msg)
	}
}

func displayName(pkg string) string {
	if pkg == "" {
		return "phigate (root)"
	}
	return pkg
}

// violation returns why pkg may not import imp, or "".
func violation(pkg, imp string) string {
	stdlib := !strings.Contains(strings.SplitN(imp, "/", 2)[0], ".")
	if stdlib {
		return ""
	}
	rel, project := strings.CutPrefix(imp, module)
	if project {
		rel = strings.TrimPrefix(rel, "/")
	}
	if project && (rel == "cmd" || strings.HasPrefix(rel, "cmd/")) {
		return "nothing may import cmd"
	}
	top := strings.SplitN(pkg, "/", 2)[0]
	if slices.Contains(adapters, top) && project {
		other := strings.SplitN(rel, "/", 2)[0]
		if other != top && slices.Contains(adapters, other) {
			return "adapters never import each other"
		}
	}
	r, ok := rules[top]
	if !ok || (pkg != "" && top == "") {
		return ""
	}
	if pkg == "" {
		r = rules[""]
	}
	if project {
		for _, p := range r.project {
			if rel == p || (p != "" && strings.HasPrefix(rel, p+"/")) {
				return ""
			}
		}
		return "not in the packages it may import"
	}
	for _, p := range r.thirdParty {
		if p == "*" || strings.HasPrefix(imp, p) {
			return ""
		}
	}
	return "third-party import not allowed here"
}

// projectImports maps each package's path relative to the module ("" for
// the root) to the imports of its non-test files.
func projectImports(t *testing.T) map[string][]string {
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "phigate-data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(path))
		if pkg == "." {
			pkg = ""
		}
		for _, is := range f.Imports {
			imp, _ := strconv.Unquote(is.Path.Value)
			out[pkg] = append(out[pkg], imp)
		}
		if _, ok := out[pkg]; !ok {
			out[pkg] = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
