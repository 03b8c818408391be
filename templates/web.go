package templates

import (
	"bytes"
	"embed"
	htmltemplate "html/template"
)

//go:embed web/*/*.tmpl
var webFiles embed.FS

var webSets = parseLanguages(webFiles, "web/*/*.tmpl", func(lang, pattern string) *htmltemplate.Template {
	return htmltemplate.Must(htmltemplate.New("web").Funcs(htmltemplate.FuncMap{"cmd": shownCommand}).ParseFS(webFiles, pattern))
})

// The states of the one-click unsubscribe page.
const (
	// UnsubscribeAsk is the page a browser gets: a button that leaves.
	UnsubscribeAsk = "ask"
	// UnsubscribeDone confirms the person has left.
	UnsubscribeDone = "done"
	// UnsubscribeAlready is for someone who had left before.
	UnsubscribeAlready = "already"
	// UnsubscribeUnknown is for a link that names nobody (mistyped, or
	// too old).
	UnsubscribeUnknown = "unknown"
	// UnsubscribeFailed is for a moment the service cannot act.
	UnsubscribeFailed = "failed"
)

// UnsubscribePage is what the unsubscribe page shows.
type UnsubscribePage struct {
	// Lang is the language of the page (see Languages).
	Lang    string
	State   string
	Service string
	// Address is the service mailbox people write to.
	Address string
	// RejoinBy is the last day someone leaving now (or who has just
	// left) may come back with resume, in words.
	RejoinBy string
}

// RenderUnsubscribePage renders the one-click unsubscribe page.
func RenderUnsubscribePage(v UnsubscribePage) ([]byte, error) {
	var b bytes.Buffer
	if err := webSets.of(v.Lang).ExecuteTemplate(&b, "unsubscribe", v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
