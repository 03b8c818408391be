package mailtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// How Render drives Chromium, and why not through its command line:
//
// Headless Chromium (156 here) will not make a window narrower than 500
// CSS pixels: with --window-size=375,800 and --dump-dom or --screenshot
// the page still measures clientWidth 500, and --force-device-scale-factor
// does not change that. A phone's width therefore cannot be had from flags
// alone. Render instead starts Chromium with --remote-debugging-pipe and
// speaks the DevTools protocol over the two pipes (file descriptors 3 and 4
// in the child, messages are JSON ended by a NUL byte), so that it can set
// the viewport with Emulation.setDeviceMetricsOverride, load the page once,
// read the measurements with Runtime.evaluate and take the screenshot of
// that same layout. The page itself is left exactly as given: nothing is
// injected into it, and its own scripts are switched off, as in a mail
// client.

// chromiumNames are the executables Chromium looks for on PATH, in order.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"}

// DefaultRenderTimeout bounds one Render call, from starting Chromium to
// its exit, unless Browser.Timeout says otherwise.
const DefaultRenderTimeout = 60 * time.Second

// maxShotHeight caps the height of a screenshot in pixels; a page taller
// than this is cut off at the bottom of the picture (but still measured).
const maxShotHeight = 12000

// viewportHeight is the height of the emulated phone screen in CSS pixels.
// It matters for units such as vh and for the shortest screenshot.
const viewportHeight = 800

// Browser is a Chromium installation found on this machine, ready to render
// HTML mail for a test. Get one from Chromium; a Browser starts a fresh
// headless Chromium with an empty profile for every Render call, so it
// keeps no state between calls and may be shared by parallel tests.
type Browser struct {
	// Path is the Chromium executable that Render runs.
	Path string
	// Timeout bounds each Render call; zero means DefaultRenderTimeout.
	// When it runs out, Render kills Chromium's whole process group and
	// fails the test.
	Timeout time.Duration
}

// Chromium returns the Chromium found on this machine: the executable named
// by the environment variable MAILTEST_CHROMIUM, or else the first of
// chromium, chromium-browser, google-chrome-stable and google-chrome on
// PATH. When there is none it skips the test, but fails it when the
// environment variable CI is "true", so that CI cannot go green by skipping.
// On Debian, `apt-get install chromium fonts-dejavu-core` provides it.
func Chromium(t testing.TB) *Browser {
	t.Helper()
	path, err := findChromium()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("mailtest: %v (CI=true, so this fails instead of skipping; install the Debian packages chromium and fonts-dejavu-core)", err)
		}
		t.Skipf("mailtest: %v; skipping the browser check", err)
	}
	return &Browser{Path: path}
}

func findChromium() (string, error) {
	if p := os.Getenv("MAILTEST_CHROMIUM"); p != "" {
		found, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("MAILTEST_CHROMIUM=%q: %w", p, err)
		}
		return found, nil
	}
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium found on PATH (looked for %s)", strings.Join(chromiumNames, ", "))
}

// Render is what Browser.Render saw when it laid out one HTML page at one
// viewport width.
type Render struct {
	// PNG is a screenshot of the page as laid out in a viewport of the
	// requested width: exactly that many pixels wide (content that overflows
	// to the right is cut off, as on the phone's screen before scrolling)
	// and as tall as the whole document, at least 800 and at most 12000
	// pixels, at one device pixel per CSS pixel.
	PNG []byte
	// ScrollWidth is document.documentElement.scrollWidth after layout: the
	// width of everything the page lays out, in CSS pixels. When it is
	// larger than ClientWidth, the reader has to scroll sideways.
	ScrollWidth int
	// ClientWidth is document.documentElement.clientWidth, the width of the
	// viewport the page was laid out in; it equals the requested width
	// (Render fails the test otherwise).
	ClientWidth int
	// ScrollHeight is document.documentElement.scrollHeight after layout.
	ScrollHeight int
	// Text is document.body.innerText: the text as rendered, with the line
	// breaks that block layout gives it.
	Text string
	// Ink is the share of the screenshot's pixels, from 0 to 1, whose
	// colour differs noticeably from the screenshot's most common colour.
	Ink float64
	// Blank is true when the screenshot is (nearly) one colour: Ink is
	// below BlankInk, so the page showed no visible content.
	Blank bool
}

// Overflows reports whether the page is wider than its viewport, so that a
// reader on a phone of this width would have to scroll sideways.
func (r Render) Overflows() bool { return r.ScrollWidth > r.ClientWidth }

// BlankInk is the Ink below which a Render counts as Blank. One short word
// of body text in the 375×800 viewport inks about 0.1% of the pixels; an
// empty page inks none.
const BlankInk = 0.0002

// Render lays out html, a complete HTML document, in headless Chromium with
// a viewport width CSS pixels wide and 800 high at a device scale factor of
// 1 (a desktop-style viewport: there is no mobile emulation, so a
// <meta name="viewport"> tag makes no difference), waits for the load event
// and for web fonts, and returns the measurements and a screenshot. The
// page's own scripts do not run, as in mail clients. The page is loaded as
// a file from a temporary directory of Render's own, so relative URLs find
// nothing, and host names do not resolve at all, so remote images fail to
// load, quickly, and show as broken. Any failure, including the timeout,
// fails the test.
func (b *Browser) Render(t testing.TB, html []byte, width int) Render {
	t.Helper()
	if width < 1 {
		t.Fatalf("mailtest: Render: width %d is not positive", width)
	}
	r, err := b.render(t.TempDir(), html, width, false)
	if err != nil {
		t.Fatalf("mailtest: Render at width %d: %v", width, err)
	}
	return r
}

// RenderDark is Render with the page told the reader prefers a dark colour
// scheme, as a phone in dark mode does.
func (b *Browser) RenderDark(t testing.TB, html []byte, width int) Render {
	t.Helper()
	r, err := b.render(t.TempDir(), html, width, true)
	if err != nil {
		t.Fatalf("mailtest: RenderDark at width %d: %v", width, err)
	}
	return r
}

func (b *Browser) render(dir string, html []byte, width int, dark bool) (Render, error) {
	page := filepath.Join(dir, "mail.html")
	if err := os.WriteFile(page, html, 0o644); err != nil {
		return Render{}, err
	}
	timeout := b.Timeout
	if timeout <= 0 {
		timeout = DefaultRenderTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	c, err := startChromium(ctx, b.Path, dir)
	if err != nil {
		return Render{}, err
	}
	r, err := renderPage(c, (&url.URL{Scheme: "file", Path: page}).String(), width, dark)
	if err != nil && ctx.Err() != nil {
		err = fmt.Errorf("Chromium did not finish within %v (last step: %v)", timeout, err)
	}
	c.stop()
	if err != nil {
		return Render{}, fmt.Errorf("%w%s", err, c.stderrTail())
	}
	return r, nil
}

// renderPage does the DevTools conversation for one Render.
func renderPage(c *cdpConn, pageURL string, width int, dark bool) (Render, error) {
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := c.call("", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return Render{}, err
	}
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := c.call("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		return Render{}, err
	}
	s := attached.SessionID
	steps := []struct {
		method string
		params map[string]any
	}{
		{"Emulation.setDeviceMetricsOverride", map[string]any{
			"width": width, "height": viewportHeight, "deviceScaleFactor": 1, "mobile": false,
			"screenWidth": width, "screenHeight": viewportHeight,
		}},
		{"Emulation.setScriptExecutionDisabled", map[string]any{"value": true}},
		{"Emulation.setDefaultBackgroundColorOverride", map[string]any{"color": map[string]any{"r": 255, "g": 255, "b": 255, "a": 1}}},
		{"Page.enable", nil},
	}
	if dark {
		steps = append(steps, struct {
			method string
			params map[string]any
		}{"Emulation.setEmulatedMedia", map[string]any{"features": []map[string]string{{"name": "prefers-color-scheme", "value": "dark"}}}})
	}
	for _, st := range steps {
		if err := c.call(s, st.method, st.params, nil); err != nil {
			return Render{}, err
		}
	}
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	if err := c.call(s, "Page.navigate", map[string]any{"url": pageURL}, &nav); err != nil {
		return Render{}, err
	}
	if nav.ErrorText != "" {
		return Render{}, fmt.Errorf("Page.navigate: %s", nav.ErrorText)
	}
	if err := c.waitEvent(s, "Page.loadEventFired"); err != nil {
		return Render{}, err
	}

	const measure = `document.fonts.ready.then(() => JSON.stringify({
		scrollWidth: document.documentElement.scrollWidth,
		clientWidth: document.documentElement.clientWidth,
		scrollHeight: document.documentElement.scrollHeight,
		text: document.body ? document.body.innerText : ""
	}))`
	var eval struct {
		Result struct {
			Value string `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	if err := c.call(s, "Runtime.evaluate", map[string]any{
		"expression": measure, "awaitPromise": true, "returnByValue": true,
	}, &eval); err != nil {
		return Render{}, err
	}
	if eval.ExceptionDetails != nil {
		return Render{}, fmt.Errorf("measuring the page: %s", eval.ExceptionDetails.Text)
	}
	var m struct {
		ScrollWidth  int    `json:"scrollWidth"`
		ClientWidth  int    `json:"clientWidth"`
		ScrollHeight int    `json:"scrollHeight"`
		Text         string `json:"text"`
	}
	if err := json.Unmarshal([]byte(eval.Result.Value), &m); err != nil {
		return Render{}, fmt.Errorf("measuring the page: %v (got %q)", err, eval.Result.Value)
	}
	if m.ClientWidth != width {
		return Render{}, fmt.Errorf("Chromium laid the page out %d CSS pixels wide, not %d", m.ClientWidth, width)
	}

	height := min(max(m.ScrollHeight, viewportHeight), maxShotHeight)
	var shot struct {
		Data string `json:"data"`
	}
	if err := c.call(s, "Page.captureScreenshot", map[string]any{
		"format":                "png",
		"captureBeyondViewport": true,
		"clip":                  map[string]any{"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
	}, &shot); err != nil {
		return Render{}, err
	}
	pngData, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		return Render{}, fmt.Errorf("screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		return Render{}, fmt.Errorf("screenshot: %v", err)
	}
	ink := inkShare(img)
	return Render{
		PNG:          pngData,
		ScrollWidth:  m.ScrollWidth,
		ClientWidth:  m.ClientWidth,
		ScrollHeight: m.ScrollHeight,
		Text:         m.Text,
		Ink:          ink,
		Blank:        ink < BlankInk,
	}, nil
}

// inkShare returns the share of img's pixels whose colour differs from the
// most common one by more than a faint tint (8 of 255 in any channel).
func inkShare(img image.Image) float64 {
	b := img.Bounds()
	total := b.Dx() * b.Dy()
	if total == 0 {
		return 0
	}
	type rgba struct{ r, g, b, a uint8 }
	px := func(x, y int) rgba {
		r, g, bl, a := img.At(x, y).RGBA()
		return rgba{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}
	}
	counts := make(map[rgba]int)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			counts[px(x, y)]++
		}
	}
	var common rgba
	best := -1
	for c, n := range counts {
		if n > best {
			common, best = c, n
		}
	}
	near := func(a, b uint8) bool { return a-b <= 8 || b-a <= 8 }
	inked := 0
	for c, n := range counts {
		if !(near(c.r, common.r) && near(c.g, common.g) && near(c.b, common.b) && near(c.a, common.a)) {
			inked += n
		}
	}
	return float64(inked) / float64(total)
}

// cdpConn is one running Chromium and the DevTools pipe to it.
type cdpConn struct {
	cmd    *exec.Cmd
	toChr  *os.File // our end of the child's fd 3: commands
	fromCh *bufio.Reader
	fromF  *os.File // our end of the child's fd 4: replies and events
	stderr *os.File
	nextID int
	// events holds events read while waiting for a reply, so that waitEvent
	// still sees them.
	events []cdpMessage
	waited chan struct{}
}

type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    any             `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// startChromium starts headless Chromium in a process group of its own with
// a fresh profile under dir. When ctx ends, the whole group is killed.
func startChromium(ctx context.Context, path, dir string) (*cdpConn, error) {
	profile := filepath.Join(dir, "profile")
	if err := os.Mkdir(profile, 0o700); err != nil {
		return nil, err
	}
	stderr, err := os.Create(filepath.Join(dir, "chromium-stderr.log"))
	if err != nil {
		return nil, err
	}
	// Chromium reads commands from its fd 3 and writes to its fd 4.
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		stderr.Close()
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		stderr.Close()
		cmdR.Close()
		cmdW.Close()
		return nil, err
	}
	cmd := exec.CommandContext(ctx, path,
		"--headless",
		"--remote-debugging-pipe",
		"--user-data-dir="+profile,
		// Tests run as root here, where Chromium refuses to start with its
		// sandbox; the pages are the project's own templates.
		"--no-sandbox",
		"--disable-gpu",
		"--disable-dev-shm-usage",
		// The machine has no network: keep Chromium from reaching for it.
		"--disable-quic",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-sync",
		"--disable-default-apps",
		"--disable-extensions",
		"--no-first-run",
		"--no-default-browser-check",
		"--host-resolver-rules=MAP * ~NOTFOUND",
		"--mute-audio",
		"--hide-scrollbars",
		"--force-color-profile=srgb",
		"--font-render-hinting=none",
		"about:blank",
	)
	cmd.Stdout = stderr
	cmd.Stderr = stderr
	cmd.ExtraFiles = []*os.File{cmdR, outW}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd) }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		stderr.Close()
		cmdR.Close()
		cmdW.Close()
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("starting %s: %w", path, err)
	}
	// The child has its own copies now; closing ours lets reads end with
	// EOF once Chromium is gone.
	cmdR.Close()
	outW.Close()
	c := &cdpConn{
		cmd:    cmd,
		toChr:  cmdW,
		fromF:  outR,
		fromCh: bufio.NewReader(outR),
		stderr: stderr,
		waited: make(chan struct{}),
	}
	go func() {
		cmd.Wait()
		close(c.waited)
	}()
	return c, nil
}

// killGroup kills the process group that cmd leads (Chromium and the
// renderer, GPU and utility processes it started), and nothing else.
func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

// stop asks Chromium to close, gives it a few seconds, then kills its
// process group so no helper process outlives the call.
func (c *cdpConn) stop() {
	select {
	case <-c.waited:
	default:
		c.send("", "Browser.close", nil)
		select {
		case <-c.waited:
		case <-time.After(5 * time.Second):
		}
	}
	killGroup(c.cmd)
	<-c.waited
	c.toChr.Close()
	c.fromF.Close()
	c.stderr.Close()
}

// stderrTail returns the end of Chromium's output, for error messages.
func (c *cdpConn) stderrTail() string {
	data, err := os.ReadFile(c.stderr.Name())
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return ""
	}
	const keep = 2000
	if len(data) > keep {
		data = data[len(data)-keep:]
	}
	return "\nChromium's output ended with:\n" + string(data)
}

func (c *cdpConn) send(session, method string, params any) (int, error) {
	c.nextID++
	msg := cdpMessage{ID: c.nextID, SessionID: session, Method: method, Params: params}
	data, err := json.Marshal(msg)
	if err != nil {
		return 0, err
	}
	data = append(data, 0)
	if _, err := c.toChr.Write(data); err != nil {
		return 0, fmt.Errorf("%s: writing to Chromium: %w", method, err)
	}
	return c.nextID, nil
}

func (c *cdpConn) read() (cdpMessage, error) {
	data, err := c.fromCh.ReadBytes(0)
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("Chromium closed the DevTools pipe (did it exit?)")
		}
		return cdpMessage{}, err
	}
	var m cdpMessage
	if err := json.Unmarshal(data[:len(data)-1], &m); err != nil {
		return cdpMessage{}, fmt.Errorf("reading from Chromium: %w", err)
	}
	return m, nil
}

// call sends one command and waits for its reply, decoding the reply's
// result into result when that is not nil.
func (c *cdpConn) call(session, method string, params, result any) error {
	id, err := c.send(session, method, params)
	if err != nil {
		return err
	}
	for {
		m, err := c.read()
		if err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		if m.ID != id {
			if m.Method != "" {
				c.events = append(c.events, m)
			}
			continue
		}
		if m.Error != nil {
			return fmt.Errorf("%s: %s (code %d)", method, m.Error.Message, m.Error.Code)
		}
		if result != nil {
			if err := json.Unmarshal(m.Result, result); err != nil {
				return fmt.Errorf("%s: decoding the reply: %w", method, err)
			}
		}
		return nil
	}
}

// waitEvent waits for the event method in session, also among the events
// that arrived while call was waiting for replies.
func (c *cdpConn) waitEvent(session, method string) error {
	for i, m := range c.events {
		if m.SessionID == session && m.Method == method {
			c.events = append(c.events[:i], c.events[i+1:]...)
			return nil
		}
	}
	for {
		m, err := c.read()
		if err != nil {
			return fmt.Errorf("waiting for %s: %w", method, err)
		}
		if m.SessionID == session && m.Method == method {
			return nil
		}
	}
}
