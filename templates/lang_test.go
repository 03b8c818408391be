package templates

import (
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
	"text/template/parse"

	htmltemplate "html/template"
	texttemplate "text/template"
)

// TestLanguage reads the language a person's setting names.
func TestLanguage(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"fr": "fr", "DE": "de", "es-MX": "es", "fr_CA": "fr", " en ": "en", "": "en", "pt": "en", "klingon": "en"} {
		if !slices.Contains(languages, want) {
			want = DefaultLanguage // not written yet
		}
		if got := Language(in); got != want {
			t.Errorf("Language(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEveryLanguageComplete holds every language whose files exist, and
// every language Accord says it writes, to English: each template family
// has every template English has, and each template names the same
// fields of what it shows and calls the same templates, so a translation
// can leave nothing out and show nothing English does not.
func TestEveryLanguageComplete(t *testing.T) {
	t.Parallel()
	families := map[string]map[string]map[string]*parse.Tree{}
	add := func(family, lang string, trees map[string]*parse.Tree) {
		if families[family] == nil {
			families[family] = map[string]map[string]*parse.Tree{}
		}
		families[family][lang] = trees
	}
	for lang, set := range mailSets {
		add("mail text", lang, textTrees(set.text))
		add("mail html", lang, htmlTrees(set.html))
	}
	for lang, set := range docSets {
		add("documents (Markdown)", lang, textTrees(set.text))
		add("documents (HTML)", lang, htmlTrees(set.html))
	}
	for lang, set := range webSets {
		add("web pages", lang, htmlTrees(set))
	}
	for name, sets := range map[string]inLanguage[*texttemplate.Template]{"problems": problemSets, "review questions": reviewSets,
		"calendar words": icalSets, "phrases": wordSets} {
		for lang, set := range sets {
			add(name, lang, textTrees(set))
		}
	}
	for family, byLang := range families {
		en := byLang[DefaultLanguage]
		if len(en) == 0 {
			t.Fatalf("%s: no English templates", family)
		}
		for _, lang := range languages {
			if _, ok := byLang[lang]; !ok {
				t.Errorf("%s: no templates in %s, which Accord says it writes", family, lang)
			}
		}
		for lang, trees := range byLang {
			if lang == DefaultLanguage {
				continue
			}
			for name, want := range en {
				got, ok := trees[name]
				if !ok {
					t.Errorf("%s in %s: no template %q", family, lang, name)
					continue
				}
				w, g := placeholders(want.Root), placeholders(got.Root)
				if !slices.Equal(w, g) {
					t.Errorf("%s in %s, template %q: names %v, English names %v", family, lang, name, g, w)
				}
			}
			for name := range trees {
				if _, ok := en[name]; !ok {
					t.Errorf("%s in %s: template %q, which English does not have", family, lang, name)
				}
			}
		}
	}
}

// TestQuestionSetsTranslated: each translation of a question set has the
// English set's name, version, ids and sections, in the same order, with
// every wording filled in.
func TestQuestionSetsTranslated(t *testing.T) {
	t.Parallel()
	en, err := DefaultQuestionSet()
	if err != nil {
		t.Fatal(err)
	}
	files, err := fs.Glob(questionFiles, "questions/default.*.toml")
	if err != nil {
		t.Fatal(err)
	}
	langs := map[string]bool{}
	for _, name := range files {
		lang := strings.TrimSuffix(strings.TrimPrefix(name, "questions/default."), ".toml")
		langs[lang] = true
		data, err := questionFiles.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		set, err := ParseQuestionSet(name, data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if set.Name != en.Name || set.Version != en.Version || set.Language != lang {
			t.Errorf("%s: set %s v%d in %q, want %s v%d in %q", name, set.Name, set.Version, set.Language, en.Name, en.Version, lang)
		}
		if len(set.Questions) != len(en.Questions) || len(set.Review) != len(en.Review) {
			t.Errorf("%s: %d questions and %d for reviews, want %d and %d", name, len(set.Questions), len(set.Review), len(en.Questions), len(en.Review))
			continue
		}
		for i, q := range set.Questions {
			if e := en.Questions[i]; q.ID != e.ID || q.Section != e.Section || (q.Why == "") != (e.Why == "") {
				t.Errorf("%s: question %d is %s in %s, want %s in %s, with a why as English has", name, i+1, q.ID, q.Section, e.ID, e.Section)
			}
		}
	}
	for _, lang := range languages {
		if lang != DefaultLanguage && !langs[lang] {
			t.Errorf("no questions/default.%s.toml, though Accord says it writes %s", lang, lang)
		}
	}
}

func textTrees(t *texttemplate.Template) map[string]*parse.Tree {
	out := map[string]*parse.Tree{}
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil && tt.Name() != t.Name() && !strings.HasSuffix(tt.Name(), ".tmpl") {
			out[tt.Name()] = tt.Tree
		}
	}
	return out
}

func htmlTrees(t *htmltemplate.Template) map[string]*parse.Tree {
	out := map[string]*parse.Tree{}
	for _, tt := range t.Templates() {
		if tt.Tree != nil && tt.Tree.Root != nil && tt.Name() != t.Name() && !strings.HasSuffix(tt.Name(), ".tmpl") {
			out[tt.Name()] = tt.Tree
		}
	}
	return out
}

// placeholders lists, sorted and once each, the fields a template reads
// (".Partner.First", "$v.Kind") and the templates it calls ("template
// tag"): what a translation must keep.
func placeholders(root parse.Node) []string {
	set := map[string]bool{}
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch x := n.(type) {
		case nil:
		case *parse.ListNode:
			if x == nil {
				return
			}
			for _, c := range x.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(x.Pipe)
		case *parse.PipeNode:
			if x == nil {
				return
			}
			for _, c := range x.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range x.Args {
				walk(a)
			}
		case *parse.FieldNode:
			set["."+strings.Join(x.Ident, ".")] = true
		case *parse.ChainNode:
			walk(x.Node)
			set["…."+strings.Join(x.Field, ".")] = true
		case *parse.VariableNode:
			if len(x.Ident) > 1 {
				set["$."+strings.Join(x.Ident[1:], ".")] = true
			}
		case *parse.IfNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.RangeNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.WithNode:
			walk(x.Pipe)
			walk(x.List)
			walk(x.ElseList)
		case *parse.TemplateNode:
			set["template "+x.Name] = true
			walk(x.Pipe)
		}
	}
	walk(root)
	return slices.Sorted(maps.Keys(set))
}
