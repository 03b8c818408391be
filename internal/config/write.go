package config

import (
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"accord/store"
	"accord/templates"
)

// Write prints the effective configuration as TOML, secrets masked, each
// value annotated with where it came from, for accord config check.
func (c *Config) Write(w io.Writer) {
	if c.file != "" {
		fmt.Fprintln(w, templates.Operator("configuration.write.file", templates.Args{"File": c.file}))
	} else {
		fmt.Fprintln(w, templates.Operator("configuration.write.no-file", nil))
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
			src = templates.Operator("configuration.source.default", nil)
		}
		help, _ := templates.OperatorOf("setting", key, nil)
		fmt.Fprintf(w, "%-40s # %s; %s (%s)\n", strings.TrimSpace(string(b)), help, src, env)
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
