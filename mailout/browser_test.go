package mailout

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"accord/mailout/mailtest"
	"accord/templates"
)

// phoneWidth is a common phone's viewport width in CSS pixels.
const phoneWidth = 375

// TestHTMLInBrowser lays out the HTML of every sample mail, in every
// language Accord writes, in headless Chromium at phone width: the page must show something, must not scroll
// sideways, and must carry the question (or greeting) in its text. A few are
// also rendered in dark mode, where the page must actually turn dark. Set
// ACCORD_SCREENSHOTS to a folder to keep the screenshots for a look.
func TestHTMLInBrowser(t *testing.T) {
	t.Parallel()
	browser := mailtest.Chromium(t)
	keep := os.Getenv("ACCORD_SCREENSHOTS")
	darkToo := map[string]bool{"welcome-lead": true, "question-with-long-link": true, "agreement": true, "draft-round-2": true}
	var all []Sample
	langOf := map[*Sample]string{}
	for _, lang := range templates.Languages() {
		for _, s := range samplesIn(t, lang) {
			if lang != templates.DefaultLanguage {
				s.Name = lang + "/" + s.Name
			}
			all = append(all, s)
			langOf[&all[len(all)-1]] = lang
		}
	}
	for i := range all {
		s, lang := all[i], langOf[&all[i]]
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			v := s.Letter.View
			v.Service = "Accord"
			content, err := templates.RenderMail(v)
			if err != nil {
				t.Fatal(err)
			}
			modes := []bool{false}
			if darkToo[s.Name] {
				modes = append(modes, true)
			}
			for _, dark := range modes {
				r := browser.Render(t, []byte(content.HTML), phoneWidth)
				mode := "light"
				if dark {
					r = browser.RenderDark(t, []byte(content.HTML), phoneWidth)
					mode = "dark"
				}
				if keep != "" {
					if err := os.WriteFile(filepath.Join(keep, strings.ReplaceAll(s.Name, "/", "-")+"-"+mode+".png"), r.PNG, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				if r.Blank {
					t.Errorf("%s (%s): the page is blank (ink %.5f)", s.Name, mode, r.Ink)
				}
				if r.Overflows() {
					t.Errorf("%s (%s): the page is %d px wide at a %d px viewport; it scrolls sideways", s.Name, mode, r.ScrollWidth, r.ClientWidth)
				}
				text := strings.Join(strings.Fields(r.Text), " ")
				var want []string
				if q := v.Question; q != nil {
					want = append(want, q.Title, q.Text)
				}
				switch {
				case v.Recipient.First != "" && lang == templates.DefaultLanguage:
					want = append(want, "Hi "+v.Recipient.First+",")
				case v.Recipient.First != "":
					want = append(want, v.Recipient.First)
				}
				for _, a := range append(v.Receipts, v.Reveals...) {
					want = append(want, strings.Fields(a.Text)[0])
				}
				for _, w := range want {
					if !strings.Contains(text, strings.Join(strings.Fields(w), " ")) {
						t.Errorf("%s (%s): the page does not show %q", s.Name, mode, w)
					}
				}
				lum := meanLuminance(t, r.PNG)
				switch {
				case dark && lum > 0.35:
					t.Errorf("%s: in dark mode the page stays light (mean luminance %.2f)", s.Name, lum)
				case !dark && lum < 0.6:
					t.Errorf("%s: in light mode the page is dark (mean luminance %.2f)", s.Name, lum)
				}
			}
		})
	}
}

// meanLuminance is the screenshot's average brightness, 0 (black) to 1.
func meanLuminance(t *testing.T, data []byte) float64 {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	var sum float64
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			sum += (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(bl)) / 65535
			n++
		}
	}
	return sum / float64(n)
}
