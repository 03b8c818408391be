package conversation

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rewrite is one "change 7: …" in a reply during a review: the writer's
// new words for the agreement topic numbered Number, which is its
// question's place in the question set (the number the agreement shows).
type Rewrite struct {
	Number int
	Text   string
}

// RewriteError is a reply with rewrites that cannot be carried out as
// written. Nothing of such a reply is recorded; Note says why, for the
// person.
type RewriteError struct {
	// Kind is NoteRewriteUnknown (no topic has Number), NoteRewriteEmpty
	// (no words followed "change N") or NoteRewriteClosed (no review is
	// open).
	Kind   NoteKind
	Number int
}

func (e *RewriteError) Error() string {
	switch e.Kind {
	case NoteRewriteUnknown:
		return fmt.Sprintf("no agreement topic is numbered %d", e.Number)
	case NoteRewriteEmpty:
		return fmt.Sprintf("no new words for topic %d", e.Number)
	}
	return "rewrites are taken only while a review is open"
}

// Note is the note that explains the refusal to the person.
func (e *RewriteError) Note() Note { return Note{Kind: e.Kind, Number: e.Number} }

// ParseRewrites finds the rewrites in a reply. A rewrite starts on a line
// of its own with "change", the topic's number and a colon or dash
// ("change 7: …", "Change #7 - …", "change theme 7 — …"); its words are
// the rest of that line and the lines below it, up to the next rewrite.
// "change 7" alone on a line takes its words from the lines below. Rest is
// what the reply says before its first rewrite, an answer or a note in its
// own right, unless it is only a greeting ("Hi,", "Hello Dana!"), which
// is dropped. ok is false when the reply holds no rewrite.
func ParseRewrites(text string) (rest string, rws []Rewrite, ok bool) {
	var before, words strings.Builder
	cur := -1
	for line := range strings.Lines(strings.ReplaceAll(text, "\r\n", "\n")) {
		if n, first, found := rewriteLine(line); found {
			if cur >= 0 {
				rws[cur].Text = strings.TrimSpace(words.String())
			}
			rws = append(rws, Rewrite{Number: n})
			cur = len(rws) - 1
			words.Reset()
			words.WriteString(first)
			words.WriteString("\n")
			continue
		}
		if cur < 0 {
			before.WriteString(line)
		} else {
			words.WriteString(line)
		}
	}
	if cur < 0 {
		return text, nil, false
	}
	rws[cur].Text = strings.TrimSpace(words.String())
	rest = strings.TrimSpace(before.String())
	if isGreeting(rest) {
		rest = ""
	}
	return rest, rws, true
}

// greetings open a mail without saying anything of their own.
var greetings = map[string]bool{
	"hi": true, "hello": true, "hey": true, "dear": true, "thanks": true, "thank": true,
	"hallo": true, "moin": true, "servus": true, "hej": true, "hola": true, "bonjour": true, "ciao": true,
}

// isGreeting reports whether a text is a single short line that opens with
// a greeting: "Hi,", "Hello Dana!", "Thanks".
func isGreeting(s string) bool {
	if strings.ContainsRune(s, '\n') {
		return false
	}
	words := strings.Fields(s)
	return len(words) > 0 && len(words) <= 4 && greetings[strings.ToLower(strings.TrimRight(words[0], ",!.:;"))]
}

// maxRewriteDigits bounds the number of a rewrite: more digits than this
// is no topic number but, say, a year.
const maxRewriteDigits = 3

// rewriteVerbs start a rewrite: English, French, German and Spanish.
var rewriteVerbs = []string{"change", "modifier", "changer", "ändern", "aendern", "andern", "cambiar"}

// rewriteFillers may stand between the verb and the number.
var rewriteFillers = []string{
	"theme", "topic", "question", "number", "no.",
	"le thème", "le theme", "le sujet", "le point", "la question", "thème", "sujet", "point", "numéro", "numero", "n°",
	"Thema", "Frage", "Punkt", "Nummer", "Nr.",
	"el tema", "el punto", "la pregunta", "tema", "punto", "pregunta", "número",
}

// rewriteLine reads one line as the start of a rewrite: an optional list
// marker, the word "change", an optional "theme", "topic", "question" or
// "#", the number, then the end of the line or a separator (":", "-",
// "–", "—" or "=") and the first of the new words.
func rewriteLine(line string) (number int, first string, ok bool) {
	s := strings.TrimSpace(line)
	s = strings.TrimSpace(strings.TrimLeft(s, "-*•"))
	var word string
	for _, verb := range rewriteVerbs {
		if word, s, ok = cutWordFold(s, verb); ok && word != "" {
			break
		}
	}
	if !ok || word == "" {
		return 0, "", false
	}
	s = strings.TrimLeft(s, " \t")
	for _, filler := range rewriteFillers {
		if w, after, found := cutWordFold(s, filler); found && w != "" {
			s = strings.TrimLeft(after, " \t")
			break
		}
	}
	s = strings.TrimLeft(strings.TrimPrefix(s, "#"), " \t")
	digits := 0
	for digits < len(s) && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	if digits == 0 || digits > maxRewriteDigits {
		return 0, "", false
	}
	n, err := strconv.Atoi(s[:digits])
	if err != nil {
		return 0, "", false
	}
	s = strings.TrimLeft(s[digits:], " \t")
	if s == "" {
		return n, "", true
	}
	for _, sep := range []string{":", "-", "–", "—", "="} {
		if after, found := strings.CutPrefix(s, sep); found {
			return n, strings.TrimSpace(after), true
		}
	}
	// "change 3 things": a sentence, not a rewrite.
	return 0, "", false
}

// cutWordFold cuts word from the start of s, ignoring ASCII case, when it
// stands as a word of its own: followed by the end, a space, "#", a digit
// or (for words ending in a dot) anything. It returns the word as written.
func cutWordFold(s, word string) (written, rest string, ok bool) {
	if len(s) < len(word) || !strings.EqualFold(s[:len(word)], word) {
		return "", s, false
	}
	rest = s[len(word):]
	if rest == "" || strings.HasSuffix(word, ".") {
		return s[:len(word)], rest, true
	}
	switch c := rest[0]; {
	case c == ' ' || c == '\t' || c == '#' || c >= '0' && c <= '9':
		return s[:len(word)], rest, true
	}
	return "", s, false
}

// Rewrite replaces the writer's own words under the agreement topics that
// rws number, for the version the open review builds. Each rewrite is kept
// as a newer answer to the topic's question: the person gets it echoed
// back, may undo it, and the review's version shows it (and lists it
// under what changed) in place of their earlier words. The partner's
// words are never touched, and the partner sees the new words in that
// version rather than as a reveal.
//
// Rest is what the reply said before its rewrites: an answer to
// questionID when there is one, else a note kept for the review (see
// Amend). Nothing is recorded when any rewrite cannot be carried out (a
// *RewriteError says why) or when rest is no answer questionID can use
// (ErrRating, ErrBareNumber). A later rewrite of the same topic in one
// reply wins.
func (p *Partnership) Rewrite(participantID int64, rws []Rewrite, questionID, rest string, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	if len(rws) == 0 {
		return nil, ErrEmptyAnswer
	}
	if p.openReview() == nil {
		return nil, &RewriteError{Kind: NoteRewriteClosed, Number: rws[0].Number}
	}
	latest := make(map[int]int) // number → index of its last rewrite
	for i, rw := range rws {
		if rw.Number < 1 || rw.Number > p.Set.Len() {
			return nil, &RewriteError{Kind: NoteRewriteUnknown, Number: rw.Number}
		}
		if strings.TrimSpace(rw.Text) == "" {
			return nil, &RewriteError{Kind: NoteRewriteEmpty, Number: rw.Number}
		}
		if me.Prompt(p.Set.Questions[rw.Number-1].ID) == nil {
			return nil, ErrNotAsked
		}
		latest[rw.Number] = i
	}
	rest = strings.TrimSpace(rest)
	if rest != "" && questionID != "" {
		if me.Prompt(questionID) == nil {
			return nil, ErrNotAsked
		}
		if err := p.checkReviewAnswer(questionID, rest); err != nil {
			return nil, err
		}
	}
	var notes []Note
	for i, rw := range rws {
		if latest[rw.Number] != i {
			continue
		}
		q := p.Set.Questions[rw.Number-1]
		pr := me.Prompt(q.ID)
		previous := p.LatestAnswer(me.ID, q.ID)
		a := &Answer{ParticipantID: me.ID, Prompt: pr, QuestionID: q.ID, Text: strings.TrimSpace(rw.Text), At: now}
		p.Answers = append(p.Answers, a)
		pr.State = PromptAnswered
		notes = append(notes, Note{Kind: NoteRewritten, Answer: a, Previous: previous})
	}
	switch {
	case rest != "" && questionID != "":
		msgs, err := p.Answer(me.ID, questionID, rest, now)
		if err != nil {
			return nil, err
		}
		for _, n := range notes {
			msgs = p.withNote(msgs, me, n, now)
		}
		return msgs, nil
	case rest != "":
		p.Amendments = append(p.Amendments, &Amendment{ParticipantID: me.ID, Text: rest, At: now})
		notes = append(notes, Note{Kind: NoteKept})
	}
	return p.finish(me, notes, false, now), nil
}

// Explain answers a reply that could not be acted on with a note saying
// why (a refused rewrite, say) and the help text; it changes nothing
// else.
func (p *Partnership) Explain(participantID int64, n Note, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	return []Message{p.compose(me, Message{Kind: MsgHelp, Notes: []Note{n}}, now)}, nil
}

// rewrittenSince returns the person's newest answer to a question of the
// question set given after the version prev was built: a rewrite from the
// review (or a late reply to that question's own mail), or nil.
func (p *Partnership) rewrittenSince(pt *Participant, questionID string, prev *Agreement) *Answer {
	if a := p.LatestAnswer(pt.ID, questionID); a != nil && a.At.After(prev.Created) {
		return a
	}
	return nil
}

// themeChanges lists whose words changed under each theme topic between
// prev and ag: one change per person and topic, the whole entry before
// and after.
func themeChanges(p *Partnership, prev, ag *Agreement) []Change {
	var out []Change
	for _, th := range ag.Themes {
		for _, t := range th.Topics {
			old := prevThemeTopic(prev, t.QuestionID)
			if old == nil {
				continue
			}
			for i, e := range t.Entries {
				before := ""
				if i < len(old.Entries) && !old.Entries[i].Skipped {
					before = old.Entries[i].Text
				}
				if normalise(before) == normalise(e.Text) {
					continue
				}
				kind := ChangeChanged
				switch {
				case before == "":
					kind = ChangeAdded
				case e.Text == "":
					kind = ChangeDropped
				}
				pt := p.Participants[i]
				out = append(out, Change{Kind: kind, Number: t.Number, Topic: t.Title, Role: pt.Role, Name: pt.Person.Name, Before: before, After: e.Text})
			}
		}
	}
	return out
}

func prevThemeTopic(prev *Agreement, qid string) *Topic {
	for i := range prev.Themes {
		for j := range prev.Themes[i].Topics {
			if prev.Themes[i].Topics[j].QuestionID == qid {
				return &prev.Themes[i].Topics[j]
			}
		}
	}
	return nil
}
