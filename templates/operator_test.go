package templates

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"
)

// operatorSources are the Go files that say operator text: accord's
// commands and the packages under internal/.
func operatorSources(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"../cmd/accord/*.go", "../internal/*/*.go"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range m {
			if !strings.HasSuffix(name, "_test.go") {
				files = append(files, name)
			}
		}
	}
	if len(files) < 20 {
		t.Fatalf("found %d Go files; is the test running in templates/?", len(files))
	}
	return files
}

// operatorCall is a call of Operator, OperatorError or OperatorOf in the
// source: the name (or family) it gives and the names of its Args.
type operatorCall struct {
	at     string
	fn     string
	name   string
	keys   []string
	family bool
}

// operatorCalls finds every call of the operator text functions in files,
// and fails on one whose name or Args are not literals the test can read.
func operatorCalls(t *testing.T, files []string) []operatorCall {
	t.Helper()
	var calls []operatorCall
	for _, file := range files {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "templates" {
				return true
			}
			switch sel.Sel.Name {
			case "Operator", "OperatorError", "OperatorOf":
			default:
				return true
			}
			c := operatorCall{at: fset.Position(call.Pos()).String(), fn: sel.Sel.Name, family: sel.Sel.Name == "OperatorOf"}
			name, ok := stringLiteral(call.Args[0])
			if !ok {
				t.Errorf("%s: templates.%s with a name that is not a literal; the test cannot check it", c.at, c.fn)
				return true
			}
			c.name = name
			args := call.Args[1]
			if c.family {
				args = call.Args[2]
			}
			if c.keys, ok = argsKeys(args); !ok {
				t.Errorf("%s: templates.%s(%q) with Args that are not nil or a templates.Args literal; the test cannot check them", c.at, c.fn, c.name)
				return true
			}
			if c.fn == "OperatorError" {
				c.keys = append(c.keys, "Err")
			}
			calls = append(calls, c)
			return true
		})
	}
	return calls
}

func stringLiteral(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// argsKeys lists the names of nil or a templates.Args{"Name": …} literal.
func argsKeys(e ast.Expr) ([]string, bool) {
	if id, ok := e.(*ast.Ident); ok && id.Name == "nil" {
		return nil, true
	}
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return nil, false
	}
	if sel, ok := lit.Type.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Args" {
		return nil, false
	}
	var keys []string
	for _, elt := range lit.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok {
			return nil, false
		}
		k, ok := stringLiteral(kv.Key)
		if !ok {
			return nil, false
		}
		keys = append(keys, k)
	}
	return keys, true
}

// operatorKeys lists, sorted and once each, the Args a define reads,
// with those of the defines it calls.
func operatorKeys(name string) []string {
	set := map[string]bool{}
	var walk func(string)
	walk = func(name string) {
		tmpl := operatorSets.of(DefaultLanguage).Lookup(name)
		if tmpl == nil {
			return
		}
		for _, p := range placeholders(tmpl.Tree.Root) {
			switch {
			case strings.HasPrefix(p, "template "):
				walk(strings.TrimPrefix(p, "template "))
			case strings.HasPrefix(p, "."):
				first, _, _ := strings.Cut(p[1:], ".")
				set[first] = true
			case strings.HasPrefix(p, "$."):
				first, _, _ := strings.Cut(p[2:], ".")
				set[first] = true
			}
		}
	}
	walk(name)
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestOperatorTexts holds every operator text the code asks for to its
// define: the define exists, the call gives exactly the Args the define
// reads, and it renders; and every define is asked for by some call.
func TestOperatorTexts(t *testing.T) {
	t.Parallel()
	calls := operatorCalls(t, operatorSources(t))
	if len(calls) < 100 {
		t.Fatalf("found %d calls of the operator texts; is the test reading the right files?", len(calls))
	}
	used := map[string]bool{}
	var families []string
	en := operatorSets.of(DefaultLanguage)
	for _, c := range calls {
		if c.family {
			families = append(families, c.name+".")
			continue
		}
		used[c.name] = true
		if en.Lookup(c.name) == nil {
			t.Errorf("%s: templates.%s(%q): no such define in templates/operator/en", c.at, c.fn, c.name)
			continue
		}
		given := slices.Sorted(slices.Values(c.keys))
		if want := operatorKeys(c.name); !slices.Equal(given, want) {
			t.Errorf("%s: templates.%s(%q) gives %v; the define reads %v", c.at, c.fn, c.name, given, want)
			continue
		}
		args := Args{}
		for _, k := range c.keys {
			args[k] = 2
		}
		if c.fn == "OperatorError" {
			args["Err"] = errors.New("the error")
		}
		var b strings.Builder
		if err := en.ExecuteTemplate(&b, c.name, map[string]any(args)); err != nil {
			t.Errorf("%s: templates.%s(%q): %v", c.at, c.fn, c.name, err)
		}
	}
	// A define another calls is used through it.
	for _, tmpl := range en.Templates() {
		if tmpl.Tree == nil {
			continue
		}
		for _, p := range placeholders(tmpl.Tree.Root) {
			if callee, ok := strings.CutPrefix(p, "template "); ok {
				used[callee] = true
			}
		}
	}
	for name := range operatorTrees(DefaultLanguage) {
		if !used[name] && !slices.ContainsFunc(families, func(f string) bool { return strings.HasPrefix(name, f) }) {
			t.Errorf("templates/operator/en: define %q is not used", name)
		}
	}
}

// operatorTrees are the defines of the operator texts in lang.
func operatorTrees(lang string) map[string]*parse.Tree {
	return textTrees(operatorSets[lang])
}

// TestOperatorLanguages holds any translation of the operator texts to
// English, as TestEveryLanguageComplete does the others: operators read
// English, so none is required.
func TestOperatorLanguages(t *testing.T) {
	t.Parallel()
	en := operatorTrees(DefaultLanguage)
	for lang := range operatorSets {
		if lang == DefaultLanguage {
			continue
		}
		trees := operatorTrees(lang)
		for name, want := range en {
			got, ok := trees[name]
			if !ok {
				t.Errorf("operator texts in %s: no define %q", lang, name)
				continue
			}
			if w, g := placeholders(want.Root), placeholders(got.Root); !slices.Equal(w, g) {
				t.Errorf("operator texts in %s, define %q: names %v, English names %v", lang, name, g, w)
			}
		}
		for name := range trees {
			if _, ok := en[name]; !ok {
				t.Errorf("operator texts in %s: define %q, which English does not have", lang, name)
			}
		}
	}
}

// TestOperatorFallback: a name with no define says itself, and an error
// worded by the operator texts still unwraps to its cause.
func TestOperatorFallback(t *testing.T) {
	t.Parallel()
	if got := Operator("no.such.text", nil); got != "no.such.text" {
		t.Errorf("Operator(%q) = %q, want the name", "no.such.text", got)
	}
	if _, ok := OperatorOf("no-such-family", "key", nil); ok {
		t.Error("OperatorOf found a define that does not exist")
	}
	cause := errors.New("cause")
	if err := OperatorError("no.such.text", nil, cause); !errors.Is(err, cause) {
		t.Errorf("OperatorError(…, %v) = %v, which does not wrap it", cause, err)
	}
}
