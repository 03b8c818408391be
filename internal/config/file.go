package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"

	"accord/templates"
)

// decode reads the configuration file into c. It returns a problem for
// every unknown key and every value of the wrong type, each with its line,
// and carries on past them so that one run names them all; only a file
// that is not TOML at all stops it, with an error.
func (c *Config) decode(path string, data []byte) ([]problem, error) {
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, _ := de.Position()
			return nil, &Error{[]string{fmt.Sprintf("%s:%d: %s", path, line, strings.TrimPrefix(de.Error(), "toml: "))}}
		}
		return nil, fmt.Errorf("%s: %w", templates.Operator("configuration.in-file", templates.Args{"File": path}), err)
	}
	lines := keyLines(data)
	fields := map[string]reflect.Value{}
	var keys, sections []string
	c.eachField(func(key, _ string, f reflect.Value, _ reflect.StructTag) {
		fields[key] = f
		keys = append(keys, key)
		if section, _, _ := strings.Cut(key, "."); !slices.Contains(sections, section) {
			sections = append(sections, section)
		}
	})
	var ps []problem
	report := func(key, text string) {
		line := lines[key]
		where := path
		if line > 0 {
			where = fmt.Sprintf("%s:%d", path, line)
		}
		ps = append(ps, problem{line, where + ": " + text})
	}
	for section, v := range doc {
		table, isTable := v.(map[string]any)
		switch {
		case !slices.Contains(sections, section) && isTable:
			hint := templates.Operator("configuration.hint.sections", templates.Args{"Sections": strings.Join(sections, ", ")})
			if s := templates.Suggest(section, sections); s != "" {
				hint = templates.Operator("configuration.hint.section", templates.Args{"Section": s})
			}
			report(section, templates.Operator("configuration.unknown-section", templates.Args{"Section": section, "Hint": hint}))
			continue
		case !slices.Contains(sections, section):
			report(section, templates.Operator("configuration.unknown-setting", templates.Args{"Key": section, "Hint": keyHint(section, keys)}))
			continue
		case !isTable:
			report(section, templates.Operator("configuration.not-a-table", templates.Args{"Section": section}))
			continue
		}
		for name, value := range table {
			key := section + "." + name
			f, ok := fields[key]
			if !ok {
				report(key, templates.Operator("configuration.unknown-setting", templates.Args{"Key": key, "Hint": keyHint(key, keys)}))
				continue
			}
			if err := assign(f, value); err != nil {
				report(key, fmt.Sprintf("%s: %v", key, err))
				continue
			}
			if line := lines[key]; line > 0 {
				c.sources[key] = fmt.Sprintf("%s:%d", path, line)
				c.lines[key] = line
			} else {
				c.sources[key] = path
			}
		}
	}
	return ps, nil
}

// keyHint is the rest of an "unknown setting" line: the key meant, when one
// is close or has the same name in another section, else the keys of the
// section.
func keyHint(key string, keys []string) string {
	if s := templates.Suggest(key, keys); s != "" {
		return templates.Operator("configuration.hint.key", templates.Args{"Key": s})
	}
	section, name, _ := strings.Cut(key, ".")
	if name == "" {
		name = section
	}
	var same, inSection, longer []string
	for _, k := range keys {
		s, n, _ := strings.Cut(k, ".")
		if n == name {
			same = append(same, k)
		}
		if s == section {
			inSection = append(inSection, n)
			if strings.HasPrefix(n, name) {
				longer = append(longer, k)
			}
		}
	}
	switch {
	case len(longer) == 1: // the unit left off: reply_token for reply_token_days
		return templates.Operator("configuration.hint.key", templates.Args{"Key": longer[0]})
	case len(same) == 1:
		return templates.Operator("configuration.hint.belongs", templates.Args{"Name": name, "Section": strings.Split(same[0], ".")[0]})
	case len(inSection) > 0:
		return templates.Operator("configuration.hint.keys", templates.Args{"Section": section, "Keys": strings.Join(inSection, ", ")})
	}
	return templates.Operator("configuration.hint.no-section", nil)
}

// keyLines maps each key the file sets, dotted ("pacing.quiet_start"), and
// each table header ("pacing") to the line it is on.
func keyLines(data []byte) map[string]int {
	lines := map[string]int{}
	var p unstable.Parser
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = nil
			it := e.Key()
			line := 0
			for it.Next() {
				if line == 0 {
					line = p.Shape(it.Node().Raw).Start.Line
				}
				table = append(table, string(it.Node().Data))
			}
			if k := strings.Join(table, "."); lines[k] == 0 {
				lines[k] = line
			}
		case unstable.KeyValue:
			keyValueLines(&p, e, table, lines)
		}
	}
	return lines
}

// keyValueLines records the line of a key = value, and of the keys inside
// it when the value is an inline table.
func keyValueLines(p *unstable.Parser, kv *unstable.Node, prefix []string, lines map[string]int) {
	key := slices.Clone(prefix)
	line := 0
	it := kv.Key()
	for it.Next() {
		if line == 0 {
			line = p.Shape(it.Node().Raw).Start.Line
		}
		key = append(key, string(it.Node().Data))
		// A dotted key also names the tables it passes through.
		if k := strings.Join(key, "."); lines[k] == 0 {
			lines[k] = line
		}
	}
	if v := kv.Value(); v.Kind == unstable.InlineTable {
		children := v.Children()
		for children.Next() {
			if children.Node().Kind == unstable.KeyValue {
				keyValueLines(p, children.Node(), key, lines)
			}
		}
	}
}

// assign stores a value read from the file in a setting, or says what kind
// of value the setting wants.
func assign(f reflect.Value, v any) error {
	switch f.Kind() {
	case reflect.String:
		s, ok := v.(string)
		if !ok {
			return errors.New(templates.Operator("configuration.want.text", templates.Args{"Value": v}))
		}
		f.SetString(s)
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return errors.New(templates.Operator("configuration.want.bool", templates.Args{"Value": shown(v)}))
		}
		f.SetBool(b)
	case reflect.Int:
		switch n := v.(type) {
		case int64:
			if n < math.MinInt32 || n > math.MaxInt32 {
				return errors.New(templates.Operator("configuration.want.smaller", templates.Args{"Value": n}))
			}
			f.SetInt(n)
		case string:
			return errors.New(templates.Operator("configuration.want.int-unquoted", templates.Args{"Value": n}))
		default:
			return errors.New(templates.Operator("configuration.want.int", templates.Args{"Value": shown(v)}))
		}
	case reflect.Slice:
		items, ok := v.([]any)
		if !ok {
			return errors.New(templates.Operator("configuration.want.list", templates.Args{"Value": shown(v)}))
		}
		s := reflect.MakeSlice(f.Type(), len(items), len(items))
		for i, item := range items {
			if err := assign(s.Index(i), item); err != nil {
				return fmt.Errorf("%s: %w", templates.Operator("configuration.want.item", templates.Args{"Item": i + 1}), err)
			}
		}
		f.Set(s)
	default:
		return errors.New(templates.Operator("configuration.want.unsettable", nil))
	}
	return nil
}

// shown writes a value as it would appear in the file.
func shown(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}
