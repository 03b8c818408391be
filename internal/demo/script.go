package demo

import (
	"bytes"
	"embed"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"accord/templates"
)

// What the pair write is kept out of the code: people/<lang>.toml holds,
// for each language the demo tells its story in, their answers, notes and
// commands and the words their mail clients write around a reply.
//
//go:embed people/*.toml
var peopleFiles embed.FS

// script is one language's people/<lang>.toml.
type script struct {
	lang   string
	Dana   danaWords `toml:"dana"`
	Sam    samWords  `toml:"sam"`
	Client client    `toml:"client"`
}

// danaWords are what Dana writes; see en.toml for when she writes each.
type danaWords struct {
	Signature   string   `toml:"signature"`
	Answers     []string `toml:"answers"`
	HalfAnswer  string   `toml:"half_answer"`
	OutOfOffice string   `toml:"out_of_office"`
	Schedule    []string `toml:"schedule"`
	Prep        []string `toml:"prep"`
	FollowUp    []string `toml:"follow_up"`
	Review      []string `toml:"review"`
	Draft       struct {
		// Find is the first words of the statement she rewords; {n} in
		// Reply is its number.
		Find  string `toml:"find"`
		Reply string `toml:"reply"`
	} `toml:"draft"`
	Commands struct {
		Undo     string `toml:"undo"`
		SkipWeek string `toml:"skip_week"`
		AgreeAll string `toml:"agree_all"`
	} `toml:"commands"`
}

// samWords are what Sam writes; see en.toml for when he writes each.
type samWords struct {
	Signature string   `toml:"signature"`
	Answers   []string `toml:"answers"`
	Prep      []string `toml:"prep"`
	Review    []string `toml:"review"`
	Commands  struct {
		Skip     string `toml:"skip"`
		Slip     string `toml:"slip"`
		Pause    string `toml:"pause"`
		Resume   string `toml:"resume"`
		Move     string `toml:"move"`
		Stop     string `toml:"stop"`
		AgreeAll string `toml:"agree_all"`
	} `toml:"commands"`
}

// client is what mail clients set to a language write around a reply:
// attribution lines and dates as layouts for fill, Outlook's header block
// and subject prefixes.
type client struct {
	GmailQuote       string `toml:"gmail_quote"`
	AppleQuote       string `toml:"apple_quote"`
	AppleFooter      string `toml:"apple_footer"`
	ThunderbirdQuote string `toml:"thunderbird_quote"`
	OutlookFrom      string `toml:"outlook_from"`
	OutlookSent      string `toml:"outlook_sent"`
	OutlookTo        string `toml:"outlook_to"`
	OutlookSubject   string `toml:"outlook_subject"`
	OutlookDate      string `toml:"outlook_date"`
	OutlookReply     string `toml:"outlook_reply"`
	AutoReply        string `toml:"auto_reply"`
	Accepted         string `toml:"accepted"`
	AcceptedText     string `toml:"accepted_text"`
}

// fill writes layout for a moment t in lang, with a sender's name and
// address: see the [client] table of en.toml for the placeholders.
func (c *client) fill(layout, lang string, t time.Time, name, address string) string {
	// The days and months as mail clients in lang name them (CLDR).
	cal := templates.CalendarOf(lang)
	h12 := t.Hour() % 12
	if h12 == 0 {
		h12 = 12
	}
	return strings.NewReplacer(
		"{ddd}", cal.WeekdayAbbreviated(t.Weekday()), "{dddd}", cal.WeekdayWide(t.Weekday()),
		"{MMM}", cal.MonthAbbreviated(t.Month()), "{MMMM}", cal.MonthWide(t.Month()),
		"{d}", strconv.Itoa(t.Day()), "{dd}", t.Format("02"),
		"{M}", strconv.Itoa(int(t.Month())), "{MM}", t.Format("01"),
		"{yyyy}", t.Format("2006"), "{yy}", t.Format("06"),
		"{H}", strconv.Itoa(t.Hour()), "{HH}", t.Format("15"), "{h}", strconv.Itoa(h12), "{tt}", t.Format("PM"),
		"{mm}", t.Format("04"),
		"{name}", name, "{address}", address,
	).Replace(layout)
}

// scripts are the people files by language, read once; a file that does
// not read is a mistake in the build, caught by its tests.
var scripts = func() map[string]*script {
	m := make(map[string]*script)
	names, err := peopleFiles.ReadDir("people")
	if err != nil {
		panic(err)
	}
	for _, n := range names {
		lang := strings.TrimSuffix(n.Name(), ".toml")
		sc, err := readScript(lang)
		if err != nil {
			panic(err)
		}
		m[lang] = sc
	}
	return m
}()

// readScript reads people/<lang>.toml, refusing keys it does not know.
func readScript(lang string) (*script, error) {
	data, err := peopleFiles.ReadFile(path.Join("people", lang+".toml"))
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	sc := &script{lang: lang}
	if err := toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields().Decode(sc); err != nil {
		return nil, fmt.Errorf("demo: people/%s.toml: %w", lang, err)
	}
	return sc, nil
}

// scriptIn is what the pair write in lang, or in English when they have
// no words in it.
func scriptIn(lang string) *script {
	if sc := scripts[templates.Language(lang)]; sc != nil {
		return sc
	}
	return scripts[templates.DefaultLanguage]
}
