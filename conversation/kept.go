package conversation

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A review of a signed agreement asks, statement by statement, "did we
// keep this?": one reply rates them all ("1 yes, 2 partly, 3 no"). The
// ratings go into the review's record, and the digest shows their counts
// per review as a trend.

// Kept is one person's word on whether a statement was kept.
type Kept string

// The ratings.
const (
	KeptYes    Kept = "yes"
	KeptPartly Kept = "partly"
	KeptNo     Kept = "no"
)

// KeptRating is how the two rated one statement at a review.
type KeptRating struct {
	Number int    `json:"number"`
	Text   string `json:"text"`
	// Ratings are in the order of the agreement's parties; "" for one
	// who gave none.
	Ratings []Kept `json:"ratings"`
}

// KeptCount is one review's ratings, counted over both people.
type KeptCount struct {
	Number           int
	On               Date
	Yes, Partly, No  int
	Unrated, Ratings int
}

// KeptErrorKind says what is wrong with a reply to "did we keep this?".
type KeptErrorKind string

// The kinds of KeptError.
const (
	// KeptUnreadable is a part of the reply (Item) that is no number
	// with yes, partly or no.
	KeptUnreadable KeptErrorKind = "unreadable"
	// KeptUnknown names numbers the agreement does not have; it has Max.
	KeptUnknown KeptErrorKind = "unknown"
	// KeptMissing leaves Numbers unrated.
	KeptMissing KeptErrorKind = "missing"
	// KeptConflict rates Numbers twice, differently.
	KeptConflict KeptErrorKind = "conflict"
)

// KeptError is a reply to "did we keep this?" that cannot be recorded as
// written; nothing of it is.
type KeptError struct {
	Kind    KeptErrorKind
	Item    string
	Numbers []int
	Max     int
}

func (e *KeptError) Error() string {
	switch e.Kind {
	case KeptUnknown:
		return fmt.Sprintf("no statement %s (the agreement has %d)", numberList(e.Numbers), e.Max)
	case KeptMissing:
		return fmt.Sprintf("statements %s not rated", numberList(e.Numbers))
	case KeptConflict:
		return fmt.Sprintf("statements %s rated twice, differently", numberList(e.Numbers))
	}
	return fmt.Sprintf("%q is no number with yes, partly or no", e.Item)
}

func numberList(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

var keptWords = map[string]Kept{
	"yes": KeptYes, "y": KeptYes, "kept": KeptYes, "yep": KeptYes, "yeah": KeptYes,
	"partly": KeptPartly, "partially": KeptPartly, "part": KeptPartly, "p": KeptPartly, "somewhat": KeptPartly, "mostly": KeptPartly,
	"no": KeptNo, "n": KeptNo, "not": KeptNo, "nope": KeptNo,
	// French, German and Spanish, accents folded; "en partie" and "en
	// parte" are joined by keptPhrases.
	"oui": KeptYes, "ouais": KeptYes, "ja": KeptYes, "si": KeptYes,
	"partiellement": KeptPartly, "teilweise": KeptPartly, "teils": KeptPartly, "parcialmente": KeptPartly,
	"non": KeptNo, "nein": KeptNo,
}

// keptAll and keptRest are the words for all and for the rest, in each
// language; keptPhrases joins the phrases of two words among them into
// one.
var (
	keptAll     = wordSet("all everything tout tous toutes alle todo todos todas")
	keptRest    = wordSet("rest others reste autres anderen resto demas")
	keptPhrases = strings.NewReplacer("en partie", "partly", "en parte", "partly",
		"le reste", "rest", "les autres", "rest", "der rest", "rest", "den rest", "rest", "die anderen", "rest",
		"el resto", "rest", "lo demas", "rest", "los demas", "rest", "las demas", "rest")
)

// ParseKept reads a reply rating statements 1 to n: items separated by
// commas, semicolons or lines, each a number or a range ("1-3"), or "all"
// or "the rest", then yes, partly or no, and words after that if the
// person likes ("3 partly, we slipped in March"). A lone yes, partly or no
// rates them all. French, German and Spanish words read too ("1 oui, 2 en
// partie", "alle ja", "el resto no"). Every statement must be rated once.
func ParseKept(text string, n int) (map[int]Kept, error) {
	out := make(map[int]Kept, n)
	byAll := make(map[int]bool) // rated by "all", which a number overrides
	var conflict []int
	var rest Kept // "the rest no": what the others get
	type item struct {
		text    string
		comment bool // may be words after a rating on the same line
	}
	var items []item
	for _, line := range strings.Split(text, "\n") {
		for i, s := range strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ';' }) {
			items = append(items, item{strings.TrimSpace(s), i > 0})
		}
	}
	rated := false // the line so far rated something
	for k, it := range items {
		if k > 0 && !it.comment {
			rated = false
		}
		if it.text == "" {
			continue
		}
		nums, all, others, verdict, ok := readKeptItem(it.text)
		if !ok {
			if rated && !startsWithDigit(it.text) {
				continue // "4 partly, we slipped in March"
			}
			return nil, &KeptError{Kind: KeptUnreadable, Item: clipItem(it.text)}
		}
		rated = true
		if others {
			rest = verdict
			continue
		}
		if all {
			nums = nil
			for i := 1; i <= n; i++ {
				nums = append(nums, i)
			}
		}
		var unknown []int
		for _, k := range nums {
			switch old, seen := out[k]; {
			case k < 1 || k > n:
				unknown = append(unknown, k)
			case all && seen:
				// A number said on its own stands against "all".
			case !all && seen && !byAll[k] && old != verdict:
				conflict = append(conflict, k)
			default:
				out[k], byAll[k] = verdict, all
			}
		}
		if len(unknown) > 0 {
			return nil, &KeptError{Kind: KeptUnknown, Numbers: unknown, Max: n}
		}
	}
	if len(conflict) > 0 {
		slices.Sort(conflict)
		return nil, &KeptError{Kind: KeptConflict, Numbers: slices.Compact(conflict)}
	}
	var missing []int
	for i := 1; i <= n; i++ {
		if _, ok := out[i]; ok {
			continue
		}
		if rest != "" {
			out[i] = rest
			continue
		}
		missing = append(missing, i)
	}
	if len(missing) > 0 {
		return nil, &KeptError{Kind: KeptMissing, Numbers: missing}
	}
	return out, nil
}

// readKeptItem reads one item: its numbers, or all, or the rest, and the
// verdict after them.
func readKeptItem(item string) (nums []int, all, others bool, verdict Kept, ok bool) {
	words := strings.FieldsFunc(keptPhrases.Replace(" "+accentFolder.Replace(strings.ToLower(item))+" "), func(r rune) bool {
		return r == ' ' || r == '\t' || r == ':' || r == '=' || r == ')' || r == '.' || r == '#' || r == '–' || r == '—'
	})
	if len(words) == 0 {
		return nil, false, false, "", false
	}
	if v, isVerdict := keptWords[words[0]]; isVerdict && len(words) == 1 {
		return nil, true, false, v, true
	}
	i := 0
	switch {
	case keptAll[words[0]]:
		all, i = true, 1
	case keptRest[words[0]]:
		others, i = true, 1
	case words[0] == "the" && len(words) > 1 && (words[1] == "rest" || words[1] == "others"):
		others, i = true, 2
	default:
		for ; i < len(words); i++ {
			lo, hi, isRange := strings.Cut(words[i], "-")
			a, err := strconv.Atoi(lo)
			if err != nil {
				break
			}
			b := a
			if isRange {
				if b, err = strconv.Atoi(hi); err != nil || b < a || b-a > 1000 {
					return nil, false, false, "", false
				}
			}
			for k := a; k <= b; k++ {
				nums = append(nums, k)
			}
		}
		if len(nums) == 0 {
			return nil, false, false, "", false
		}
	}
	if i >= len(words) {
		return nil, false, false, "", false
	}
	v, isVerdict := keptWords[words[i]]
	return nums, all, others, v, isVerdict
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// clipItem shortens a part of a reply for quoting back.
func clipItem(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return s
}

// keptStatements is how many statements the kept question of review
// number n rates: those of the version under review.
func (p *Partnership) keptStatements(n int) int {
	if ag := p.Version(n); ag != nil {
		return len(ag.Statements)
	}
	return 0
}

// keptRatings reads both people's answers to the kept question of r into
// one rating per statement of prev; nil when the review had no such
// question.
func (p *Partnership) keptRatings(r *Review, prev *Agreement) []KeptRating {
	qid := ReviewQuestionID(r.Number, ReviewKept)
	if !slices.ContainsFunc(r.Questions, func(q Question) bool { return q.ID == ReviewKept || q.ID == qid }) {
		return nil
	}
	var out []KeptRating
	for _, s := range prev.Statements {
		out = append(out, KeptRating{Number: s.Number, Text: s.Text, Ratings: make([]Kept, len(p.Participants))})
	}
	for i, pt := range p.Participants {
		a := p.LatestAnswer(pt.ID, qid)
		if a == nil {
			continue
		}
		got, err := ParseKept(a.Text, len(prev.Statements))
		if err != nil {
			continue
		}
		for k := range out {
			out[k].Ratings[i] = got[out[k].Number]
		}
	}
	return out
}

// CountKept counts a review's "did we keep this?" ratings.
func CountKept(rec *ReviewRecord) KeptCount {
	c := KeptCount{Number: rec.Number, On: rec.On}
	for _, kr := range rec.Kept {
		for _, k := range kr.Ratings {
			c.Ratings++
			switch k {
			case KeptYes:
				c.Yes++
			case KeptPartly:
				c.Partly++
			case KeptNo:
				c.No++
			default:
				c.Unrated++
			}
		}
	}
	return c
}
