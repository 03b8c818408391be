package main

import (
	"strings"
	"testing"
)

// TestConfigLimits checks settings against their limits, from the
// environment and from the file.
func TestConfigLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		file    string
		env     map[string]string
		wantErr string // "" when the configuration is valid
		check   func(*Config) bool
	}{
		{name: "default batch size", check: func(c *Config) bool { return c.IMAP.BatchSize == 100 }},
		{name: "batch size from the environment", env: map[string]string{"ACCORD_IMAP_BATCH_SIZE": "200"},
			check: func(c *Config) bool { return c.IMAP.BatchSize == 200 }},
		{name: "batch size of one", file: "[imap]\nbatch_size = 1\n", check: func(c *Config) bool { return c.IMAP.BatchSize == 1 }},
		{name: "batch size zero", env: map[string]string{"ACCORD_IMAP_BATCH_SIZE": "0"},
			wantErr: "imap.batch_size (ACCORD_IMAP_BATCH_SIZE): 0: use 1 to 1000"},
		{name: "batch size too large", file: "[imap]\nbatch_size = 5000\n", wantErr: "accord.toml:2: imap.batch_size: 5000: use 1 to 1000"},
		{name: "batch size in quotes", file: "[imap]\nbatch_size = \"50\"\n", wantErr: `accord.toml:2: imap.batch_size: "50": want a whole number`},
		{name: "debug off by default", check: func(c *Config) bool { return !c.HTTP.Debug }},
		{name: "debug on loopback", env: map[string]string{"ACCORD_HTTP_DEBUG": "true"}, check: func(c *Config) bool { return c.HTTP.Debug }},
		{name: "debug on IPv6 loopback", env: map[string]string{"ACCORD_HTTP_DEBUG": "true", "ACCORD_HTTP_LISTEN": "[::1]:8025"}},
		{name: "debug on localhost", env: map[string]string{"ACCORD_HTTP_DEBUG": "true", "ACCORD_HTTP_LISTEN": "localhost:8025"}},
		{name: "no debug on every interface is fine", env: map[string]string{"ACCORD_HTTP_LISTEN": "0.0.0.0:8025"}},
		{name: "debug on every interface", env: map[string]string{"ACCORD_HTTP_DEBUG": "true", "ACCORD_HTTP_LISTEN": "0.0.0.0:8025"},
			wantErr: `http.debug (ACCORD_HTTP_DEBUG): profiles show the process's memory and must stay on this machine: set http.listen to a loopback address such as 127.0.0.1:8025 (now "0.0.0.0:8025")`},
		{name: "debug without a host", file: "[http]\nlisten = \":8025\"\ndebug = true\n", wantErr: "accord.toml:3: http.debug: profiles show"},
		{name: "debug on a host name", env: map[string]string{"ACCORD_HTTP_DEBUG": "1", "ACCORD_HTTP_LISTEN": "accord.internal:8025"}, wantErr: "http.debug"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := newCLI(t).write("accord.toml", tc.file)
			c, err := loadConfig(path, func(k string) string { return tc.env[k] })
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("loadConfig(%q, %v) = %v, want no error", tc.file, tc.env, err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("loadConfig(%q, %v) = %v, want an error with %q", tc.file, tc.env, err, tc.wantErr)
			case tc.check != nil && !tc.check(c):
				t.Errorf("loadConfig(%q, %v) gave imap %+v, http %+v", tc.file, tc.env, c.IMAP, c.HTTP)
			}
		})
	}
}
