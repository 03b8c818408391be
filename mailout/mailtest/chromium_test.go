package mailtest

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// phoneWidth is the viewport width of a common phone (iPhone SE/mini class)
// in CSS pixels.
const phoneWidth = 375

// phonePage wraps body in a minimal HTML mail document that needs nothing
// from the network.
func phonePage(body string) []byte {
	return []byte(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Accord</title></head>
<body style="margin:0;padding:16px;font-family:'DejaVu Sans',sans-serif;font-size:16px;color:#222;background:#fff">
` + body + `
</body></html>`)
}

// renderPhone renders page at the phone width, logs the timing and saves the
// screenshot under the test's temporary directory.
func renderPhone(t *testing.T, b *Browser, page []byte) Render {
	t.Helper()
	start := time.Now()
	r := b.Render(t, page, phoneWidth)
	t.Logf("rendered in %v: scrollWidth=%d clientWidth=%d scrollHeight=%d ink=%.5f blank=%v",
		time.Since(start).Round(time.Millisecond), r.ScrollWidth, r.ClientWidth, r.ScrollHeight, r.Ink, r.Blank)
	name := filepath.Join(t.TempDir(), "render.png")
	if err := os.WriteFile(name, r.PNG, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", name)
	return r
}

func TestChromiumRendersTextAtPhoneWidth(t *testing.T) {
	b := Chromium(t)
	r := renderPhone(t, b, phonePage(`<h1 style="font-size:24px">Your check-in is tomorrow</h1>
<p>Hello Ada, the Accord check-in for <b>Harbour Lane 12</b> starts at 10:00.
Grüße — Überprüfung ✓</p>`))

	if r.ClientWidth != phoneWidth {
		t.Errorf("ClientWidth = %d, want %d", r.ClientWidth, phoneWidth)
	}
	if r.Overflows() || r.ScrollWidth > r.ClientWidth {
		t.Errorf("ScrollWidth = %d > ClientWidth %d for a page that fits", r.ScrollWidth, r.ClientWidth)
	}
	for _, want := range []string{"Your check-in is tomorrow", "Harbour Lane 12", "Grüße — Überprüfung ✓"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("Text = %q, missing %q", r.Text, want)
		}
	}
	if r.Blank {
		t.Errorf("a page with text is Blank (Ink %.5f)", r.Ink)
	}
	img, err := png.Decode(bytes.NewReader(r.PNG))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	if got := img.Bounds().Dx(); got != phoneWidth {
		t.Errorf("screenshot is %d pixels wide, want %d", got, phoneWidth)
	}
	if got := img.Bounds().Dy(); got < viewportHeight {
		t.Errorf("screenshot is %d pixels high, want at least %d", got, viewportHeight)
	}
}

func TestChromiumReportsWideTableAsOverflowing(t *testing.T) {
	b := Chromium(t)
	r := renderPhone(t, b, phonePage(`<table width="900" style="width:900px;border-collapse:collapse" cellpadding="8">
<tr><td style="background:#e8eef7">Property</td><td style="background:#e8eef7">Harbour Lane 12</td></tr>
<tr><td>Check-in</td><td>10:00</td></tr></table>`))

	if r.ClientWidth != phoneWidth {
		t.Errorf("ClientWidth = %d, want %d", r.ClientWidth, phoneWidth)
	}
	if !r.Overflows() {
		t.Errorf("a 900px table at %dpx: ScrollWidth = %d, ClientWidth = %d, want overflow", phoneWidth, r.ScrollWidth, r.ClientWidth)
	}
	if r.ScrollWidth < 900 {
		t.Errorf("ScrollWidth = %d, want at least the table's 900", r.ScrollWidth)
	}
}

func TestChromiumEmptyPageIsBlank(t *testing.T) {
	b := Chromium(t)
	r := renderPhone(t, b, []byte(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="background:#fff"></body></html>`))

	if !r.Blank {
		t.Errorf("an empty white page is not Blank (Ink %.5f)", r.Ink)
	}
	if r.Text != "" {
		t.Errorf("Text = %q, want empty", r.Text)
	}
	if r.Overflows() {
		t.Errorf("an empty page overflows: ScrollWidth %d > ClientWidth %d", r.ScrollWidth, r.ClientWidth)
	}
}

func TestChromiumLongWordWrapsOnlyWithWrapStyles(t *testing.T) {
	b := Chromium(t)
	word := strings.Repeat("x", 300)
	table := func(style string) []byte {
		return phonePage(`<table role="presentation" width="100%" style="width:100%;max-width:600px" cellpadding="0" cellspacing="0">
<tr><td` + style + `>Reference: ` + word + `</td></tr></table>`)
	}

	wrapped := renderPhone(t, b, table(` style="overflow-wrap:anywhere;word-break:break-word"`))
	if wrapped.Overflows() {
		t.Errorf("with overflow-wrap:anywhere the word still overflows: ScrollWidth %d > ClientWidth %d", wrapped.ScrollWidth, wrapped.ClientWidth)
	}
	if !strings.Contains(strings.Join(strings.Fields(wrapped.Text), ""), word) {
		t.Errorf("the wrapped word is not in Text %q", wrapped.Text)
	}

	plain := renderPhone(t, b, table(""))
	if !plain.Overflows() {
		t.Errorf("without wrap styles a %d-character word fits: ScrollWidth %d, ClientWidth %d", len(word), plain.ScrollWidth, plain.ClientWidth)
	}
}

func TestChromiumScriptsDoNotRun(t *testing.T) {
	b := Chromium(t)
	r := renderPhone(t, b, phonePage(`<p id="p">static text</p>
<script>document.getElementById("p").textContent = "script ran";</script>`))
	if !strings.Contains(r.Text, "static text") || strings.Contains(r.Text, "script ran") {
		t.Errorf("Text = %q: the page's script ran, unlike in a mail client", r.Text)
	}
}
