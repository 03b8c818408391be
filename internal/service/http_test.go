package service

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"accord/internal/config"
)

// TestDebugProfiles: with http.debug on a loopback listener the profiles
// answer under /debug/pprof/; with it off, or on any other listener, they
// are not there.
func TestDebugProfiles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		debug  bool
		listen string
		want   int
	}{
		{"on, loopback IPv4", true, "127.0.0.1:8025", http.StatusOK},
		{"on, loopback IPv6", true, "[::1]:8025", http.StatusOK},
		{"on, localhost", true, "localhost:8025", http.StatusOK},
		{"off", false, "127.0.0.1:8025", http.StatusNotFound},
		{"on, every interface", true, ":8025", http.StatusNotFound},
		{"on, a public address", true, "192.0.2.10:8025", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := config.Default()
			cfg.HTTP.Debug, cfg.HTTP.Listen = tc.debug, tc.listen
			h := (&service{log: slog.New(slog.DiscardHandler)}).routes(cfg)
			for _, path := range []string{"/debug/pprof/", "/debug/pprof/goroutine?debug=1", "/debug/pprof/cmdline"} {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code != tc.want {
					t.Errorf("GET %s = %d, want %d", path, rec.Code, tc.want)
				}
				if tc.want == http.StatusOK && path == "/debug/pprof/" && !strings.Contains(rec.Body.String(), "goroutine") {
					t.Errorf("GET %s does not list the goroutine profile:\n%s", path, rec.Body)
				}
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			if rec.Code != http.StatusOK {
				t.Errorf("GET /healthz = %d beside the profiles, want 200", rec.Code)
			}
		})
	}
}
