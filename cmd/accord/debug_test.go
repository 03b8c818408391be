package main

import "testing"

// TestServeRefusesPublicProfiles: serve does not start with http.debug on
// and http.listen reachable from other machines, and says why.
func TestServeRefusesPublicProfiles(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	c.write("accord.toml", "[http]\ndebug = true\nlisten = \"0.0.0.0:0\"\n")
	c.fails(exitFailure, "accord.toml:2: http.debug: profiles show the process's memory and must stay on this machine", "serve")
}
