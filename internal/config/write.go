package config

import (
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"accord/store"
)

// Write prints the effective configuration as TOML, secrets masked, each
// value annotated with where it came from, for accord config check.
func (c *Config) Write(w io.Writer) {
	if c.file != "" {
		fmt.Fprintf(w, "# configuration file: %s\n", c.file)
	} else {
		fmt.Fprintln(w, "# no configuration file; defaults and environment only")
	}
	section := ""
	c.eachField(func(key, env string, f reflect.Value, tag reflect.StructTag) {
		sec, name, _ := strings.Cut(key, ".")
		if sec != section {
			fmt.Fprintf(w, "\n[%s]\n", sec)
			section = sec
		}
		val := f.Interface()
		if tag.Get("secret") == "true" {
			val = redactSecret(key, f.String())
		}
		b, _ := toml.Marshal(map[string]any{name: val})
		src := c.sources[key]
		if src == "" {
			src = "default"
		}
		fmt.Fprintf(w, "%-40s # %s; %s (%s)\n", strings.TrimSpace(string(b)), tag.Get("help"), src, env)
	})
}

// redactSecret masks a secret for display: passwords entirely, URLs down to
// everything but their password.
func redactSecret(key, v string) string {
	switch {
	case v == "":
		return ""
	case strings.HasSuffix(key, "password"), strings.HasSuffix(key, "secret"):
		return "xxxxx"
	}
	return store.Redact(v)
}
