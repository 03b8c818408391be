package conversation

import (
	"strings"
	"time"
	"unicode"
)

// ReviewRecord is the dated review section of the version a review built.
type ReviewRecord struct {
	Number int  `json:"number"`
	On     Date `json:"on"`
	// Partial marks a review closed at its deadline without everyone's
	// answers; Missing names who did not finish.
	Partial bool     `json:"partial,omitempty"`
	Missing []string `json:"missing,omitempty"`
	Ratings []Rating `json:"ratings"`
	// Topics are the reflections, each with both people's answers.
	Topics []Topic `json:"topics"`
	// Amendments are what people wrote back to the previous version.
	Amendments []Entry `json:"amendments,omitempty"`
	// Kept is how the two rated keeping each statement of the previous
	// version; empty when it had none.
	Kept []KeptRating `json:"kept,omitempty"`
}

// Rating is one person's answer to "how is our partnership going".
type Rating struct {
	Role Role   `json:"role"`
	Name string `json:"name"`
	// Score is 1 to 5, or 0 when the person did not rate.
	Score   int    `json:"score,omitempty"`
	Comment string `json:"comment,omitempty"`
}

// ChangeKind says how a commitment changed between two versions.
type ChangeKind string

// The kinds of change.
const (
	ChangeAdded   ChangeKind = "added"
	ChangeChanged ChangeKind = "changed"
	ChangeDropped ChangeKind = "dropped"
)

// Change is one commitment added, reworded or dropped by a review, or
// one person's words under a theme rewritten.
type Change struct {
	Kind ChangeKind `json:"kind"`
	// Number is the topic's number in the agreement; zero in versions
	// built before topics were numbered.
	Number int    `json:"number,omitempty"`
	Topic  string `json:"topic"`
	Role   Role   `json:"role"`
	Name   string `json:"name"`
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// reviseCommitments carries the commitment topics of the previous version
// into ag, applying what each person answered in the review (keep, drop,
// or new wording) or rewrote with "change N" (see Partnership.Rewrite),
// whichever they sent last. It returns what changed.
func (p *Partnership) reviseCommitments(ag, prev *Agreement, r *Review) []Change {
	var changes []Change
	revise := func(topics []Topic) []Topic {
		out := make([]Topic, 0, len(topics))
		for _, t := range topics {
			old := prevTopic(prev, t.QuestionID)
			if old == nil {
				out = append(out, t)
				continue
			}
			nt := Topic{QuestionID: t.QuestionID, Number: t.Number, Title: t.Title}
			for i, pt := range p.Participants {
				e := Entry{Role: pt.Role, Name: pt.Person.Name}
				if i < len(old.Entries) {
					e = old.Entries[i]
					e.Name = pt.Person.Name
				}
				before, revised := e.Text, false
				a := p.LatestAnswer(pt.ID, ReviewQuestionID(r.Number, reviewCommitPrefix+t.QuestionID))
				if a != nil {
					switch commitmentVerdict(a.Text) {
					case "keep":
					case "drop":
						e.Text, e.Dropped = "", before != ""
					default:
						e.Text, e.Skipped, e.Dropped = a.Text, false, false
					}
					revised = true
				}
				if w := p.rewrittenSince(pt, t.QuestionID, prev); w != nil && (a == nil || !w.At.Before(a.At)) {
					e.Text, e.Skipped, e.Dropped = w.Text, false, false
					revised = true
				}
				if revised {
					changes = append(changes, diffCommitment(t.Number, t.Title, pt, before, e.Text)...)
				}
				nt.Entries = append(nt.Entries, e)
			}
			out = append(out, nt)
		}
		return out
	}
	ag.Commitments = revise(ag.Commitments)
	ag.Accountability = revise(ag.Accountability)
	return changes
}

func prevTopic(prev *Agreement, qid string) *Topic {
	for _, list := range [][]Topic{prev.Commitments, prev.Accountability} {
		for i := range list {
			if list[i].QuestionID == qid {
				return &list[i]
			}
		}
	}
	return nil
}

// commitmentVerdict reads a reply to a commitment question: "keep",
// "drop", or "" for new wording.
func commitmentVerdict(text string) string {
	t := strings.ToLower(strings.TrimFunc(text, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }))
	switch t {
	case "keep", "keep it", "keep them", "keep as is", "same", "no change", "no changes", "unchanged", "as is", "still true", "yes":
		return "keep"
	case "drop", "drop it", "drop them", "remove", "remove it", "delete", "delete it", "no longer", "none":
		return "drop"
	}
	return localVerdicts[accentFolder.Replace(t)]
}

// localVerdicts are the French, German and Spanish replies to a
// commitment question, accents folded.
var localVerdicts = map[string]string{
	"garder": "keep", "on garde": "keep", "conserver": "keep", "inchange": "keep", "pareil": "keep", "oui": "keep",
	"behalten": "keep", "bleibt": "keep", "unverandert": "keep", "ja": "keep",
	"mantener": "keep", "igual": "keep", "sin cambios": "keep", "si": "keep",
	"supprimer": "drop", "retirer": "drop", "on retire": "drop",
	"streichen": "drop", "entfernen": "drop",
	"quitar": "drop", "eliminar": "drop",
}

// diffCommitment compares one person's commitment before and after,
// line by line: lines only before are dropped, lines only after are added,
// and a dropped and an added line that share most words are one change.
func diffCommitment(number int, topic string, pt *Participant, before, after string) []Change {
	if normalise(before) == normalise(after) {
		return nil
	}
	mk := func(kind ChangeKind, b, a string) Change {
		return Change{Kind: kind, Number: number, Topic: topic, Role: pt.Role, Name: pt.Person.Name, Before: b, After: a}
	}
	old, nu := commitmentItems(before), commitmentItems(after)
	var dropped, added []string
	for _, o := range old {
		if !containsItem(nu, o) {
			dropped = append(dropped, o)
		}
	}
	for _, n := range nu {
		if !containsItem(old, n) {
			added = append(added, n)
		}
	}
	var out []Change
	used := make([]bool, len(added))
	var gone []string
	for _, d := range dropped {
		best, bestScore := -1, 0.0
		for j, a := range added {
			if s := overlap(d, a); !used[j] && s > bestScore {
				best, bestScore = j, s
			}
		}
		if best >= 0 && bestScore >= 0.4 {
			used[best] = true
			out = append(out, mk(ChangeChanged, d, added[best]))
			continue
		}
		gone = append(gone, d)
	}
	var fresh []string
	for j, a := range added {
		if !used[j] {
			fresh = append(fresh, a)
		}
	}
	// One line replaced by one line is a rewording, however different.
	if len(gone) == 1 && len(fresh) == 1 {
		return append(out, mk(ChangeChanged, gone[0], fresh[0]))
	}
	for _, d := range gone {
		out = append(out, mk(ChangeDropped, d, ""))
	}
	for _, a := range fresh {
		out = append(out, mk(ChangeAdded, "", a))
	}
	return out
}

// commitmentItems splits a commitment text into its sentences, line by
// line and without list markers, so a promise kept word for word but moved
// to a line of its own is no change.
func commitmentItems(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		out = append(out, sentences(stripMarker(strings.TrimSpace(line)))...)
	}
	return out
}

// stripMarker takes a list marker off the start of a line: a bullet
// ("- ", "* ", "• ") or a number ("1. ", "2) "), each only when a space
// follows, so "-1 day" and "1.5 hours" keep their numbers.
func stripMarker(line string) string {
	for _, b := range []string{"-", "*", "•", "–", "·"} {
		if rest, ok := strings.CutPrefix(line, b); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			return strings.TrimSpace(rest)
		}
	}
	if isNumberMarker(strings.SplitN(line, " ", 2)[0]) {
		_, rest, _ := strings.Cut(line, " ")
		return strings.TrimSpace(rest)
	}
	return line
}

// isNumberMarker reports whether word is a list number: "1.", "12)".
func isNumberMarker(word string) bool {
	n := len(word)
	return n >= 2 && n <= 3 && (word[n-1] == '.' || word[n-1] == ')') && strings.Trim(word[:n-1], "0123456789") == ""
}

// abbreviations end in a full stop that ends no sentence.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true, "vs": true,
	"etc": true, "e.g": true, "i.e": true, "approx": true, "no": true, "nr": true, "z.b": true, "bzw": true,
}

// sentences splits a line after each full stop, question or exclamation
// mark that is followed by a space and a capital letter or digit, so "We
// meet weekly. I will send notes." is two sentences, while "e.g. the
// notes", "Mr. Smith" and a list number ("2. I send notes") do not end
// one.
func sentences(line string) []string {
	var out []string
	rs := []rune(line)
	start := 0
	for i := 0; i+2 < len(rs); i++ {
		if !strings.ContainsRune(".!?", rs[i]) || !unicode.IsSpace(rs[i+1]) || !(unicode.IsUpper(rs[i+2]) || unicode.IsDigit(rs[i+2])) {
			continue
		}
		if rs[i] == '.' {
			w := i
			for w > start && !unicode.IsSpace(rs[w-1]) {
				w--
			}
			if word := strings.ToLower(string(rs[w:i])); abbreviations[word] || len([]rune(word)) == 1 && unicode.IsLetter(rs[w]) {
				continue
			}
		}
		if s := strings.TrimSpace(string(rs[start : i+1])); s != "" && !isNumberMarker(s) {
			out = append(out, s)
		}
		start = i + 2
	}
	if s := strings.TrimSpace(string(rs[start:])); s != "" {
		out = append(out, stripMarker(s))
	}
	return out
}

func containsItem(list []string, item string) bool {
	for _, x := range list {
		if normalise(x) == normalise(item) {
			return true
		}
	}
	return false
}

func normalise(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// overlap is the share of distinct words two lines have in common.
func overlap(a, b string) float64 {
	wa, wb := words(a), words(b)
	if len(wa) == 0 || len(wb) == 0 {
		return 0
	}
	common := 0
	for w := range wa {
		if wb[w] {
			common++
		}
	}
	return float64(common) / float64(len(wa)+len(wb)-common)
}

func words(s string) map[string]bool {
	out := make(map[string]bool)
	for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		out[f] = true
	}
	return out
}

// reviewRecord writes the review section of the version review r builds.
func (p *Partnership) reviewRecord(r *Review, prev *Agreement, now time.Time) *ReviewRecord {
	rec := &ReviewRecord{Number: r.Number, On: DateOf(now, p.Lead().Person.Location), Partial: r.Partial}
	for _, pt := range p.Participants {
		if !p.answeredAll(pt, r) {
			rec.Missing = append(rec.Missing, pt.Person.Name)
		}
		rt := Rating{Role: pt.Role, Name: pt.Person.Name}
		if a := p.LatestAnswer(pt.ID, ReviewQuestionID(r.Number, ReviewRating)); a != nil {
			rt.Score, rt.Comment, _ = ParseRating(a.Text)
		}
		rec.Ratings = append(rec.Ratings, rt)
	}
	for _, q := range r.Questions {
		if part, _ := ReviewPartOf(q.ID); part != PartReflection {
			continue
		}
		t := Topic{QuestionID: q.ID, Title: q.Title}
		for _, pt := range p.Participants {
			e := Entry{Role: pt.Role, Name: pt.Person.Name, Skipped: true}
			if a := p.LatestAnswer(pt.ID, q.ID); a != nil {
				e.Text, e.Skipped = a.Text, false
			}
			t.Entries = append(t.Entries, e)
		}
		rec.Topics = append(rec.Topics, t)
	}
	rec.Kept = p.keptRatings(r, prev)
	for _, am := range p.Amendments {
		if !am.At.After(prev.Created) {
			continue
		}
		if pt, err := p.Participant(am.ParticipantID); err == nil {
			rec.Amendments = append(rec.Amendments, Entry{Role: pt.Role, Name: pt.Person.Name, Text: am.Text})
		}
	}
	return rec
}

// answeredAll reports whether a person responded to every question of r.
func (p *Partnership) answeredAll(pt *Participant, r *Review) bool {
	for _, q := range r.Questions {
		if !pt.responded(q.ID) {
			return false
		}
	}
	return true
}

// nextReviewOn is the review date of the version a review builds: one
// review period after the date just reviewed, or after now when that is
// already past.
func (p *Partnership) nextReviewOn(prev *Agreement, now time.Time) Date {
	loc := p.Lead().Person.Location
	days := int(p.Rules.ReviewEvery / (24 * time.Hour))
	next := prev.ReviewOn.Start(loc).AddDate(0, 0, days)
	if !next.After(now) {
		next = addDays(now, days, loc)
	}
	return DateOf(next, loc)
}
