package conversation

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPurity keeps the domain free of I/O and of other Accord packages:
// adapters depend on it, never the other way round.
func TestPurity(t *testing.T) {
	t.Parallel()
	forbidden := []string{"database/", "net", "os", "io/fs", "html/template", "text/template", "syscall", "log", "math/rand", "crypto/rand", "unsafe"}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	module := strings.Fields(strings.SplitN(string(mod), "\n", 2)[0])[1]
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			checked++
			if path == module || strings.HasPrefix(path, module+"/") {
				t.Errorf("%s imports %s: conversation must not depend on other Accord packages", name, path)
			}
			for _, bad := range forbidden {
				if path == strings.TrimSuffix(bad, "/") || strings.HasPrefix(path, strings.TrimSuffix(bad, "/")+"/") {
					t.Errorf("%s imports %s: conversation does no I/O", name, path)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no imports checked; is the test running in the package directory?")
	}
}
