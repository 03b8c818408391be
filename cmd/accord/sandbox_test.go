package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

func TestSandboxPasswordIsKept(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		before string // file content before; "-" for no file
		mode   os.FileMode
		same   bool // the password read is the one that was there
	}{
		{"first run", "-", 0, false},
		{"kept", "0123456789abcdef\n", 0o600, true},
		{"kept and made private", "0123456789abcdef\n", 0o644, true},
		{"empty is replaced", "", 0o600, false},
		{"mangled is replaced", "two words\n", 0o600, false},
	}
	log := slog.New(slog.DiscardHandler)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, sandboxPasswordFile)
			if tt.before != "-" {
				if err := os.WriteFile(path, []byte(tt.before), tt.mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tt.mode); err != nil {
					t.Fatal(err)
				}
			}
			pw, got, err := sandboxPassword(dir, log)
			if err != nil {
				t.Fatal(err)
			}
			if got != path {
				t.Errorf("sandboxPassword(%s) keeps it in %s, want %s", dir, got, path)
			}
			if tt.same && pw != "0123456789abcdef" {
				t.Errorf("sandboxPassword = %q, want the kept 0123456789abcdef", pw)
			}
			if len(pw) < 16 {
				t.Errorf("sandboxPassword = %q, want at least 16 characters", pw)
			}
			fi, err := os.Stat(path)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v, %v; want 0600", path, fi.Mode().Perm(), err)
			}
			again, _, err := sandboxPassword(dir, log)
			if err != nil || again != pw {
				t.Errorf("second sandboxPassword = %q, %v; want %q again", again, err, pw)
			}
		})
	}
}
