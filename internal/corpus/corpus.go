// Package corpus finds the shared mail corpora (../shared/corpus beside
// the repository) for the tests and benchmarks that read them.
package corpus

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Required reports whether a missing corpus fails a test rather than
// skipping it: under CI (CI=true).
func Required() bool { return os.Getenv("CI") == "true" }

// Dir is the directory of the corpus set ("replies", "calendar",
// "automatic"), or the value of the environment variable env when that is
// set. When it holds no manifest.jsonl the test is failed if required,
// else skipped.
func Dir(tb testing.TB, set, env string, required bool) string {
	tb.Helper()
	dir, ok := Find(set, env)
	if ok {
		return dir
	}
	msg := fmt.Sprintf("%s corpus not found (looked in %q)", set, dir)
	if env != "" {
		msg += "; set " + env + " to its directory"
	}
	if required {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
	return ""
}

// Find is where Dir looks for the corpus set, and whether it is there.
func Find(set, env string) (dir string, ok bool) {
	if env != "" {
		dir = os.Getenv(env)
	}
	if dir == "" {
		if root, err := repoRoot(); err == nil {
			dir = filepath.Join(root, "..", "shared", "corpus", set)
		}
	}
	if dir == "" {
		return "", false
	}
	_, err := os.Stat(filepath.Join(dir, "manifest.jsonl"))
	return dir, err == nil
}

// repoRoot walks up from the working directory to the directory with go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found")
		}
		dir = parent
	}
}
