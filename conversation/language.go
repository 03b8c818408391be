package conversation

import (
	"slices"
	"strings"
	"time"
)

// Languages are the languages Accord reads replies in and writes to
// people in, as ISO 639-1 codes; English is the default.
var Languages = []string{"en", "fr", "de", "es"}

// languageWords are the words a reply may use for "language", in each
// language Accord reads.
var languageWords = wordSet("language lang langue sprache idioma lengua")

// languageNames names each language the way a reply may: its code, and its
// name in each language Accord reads.
var languageNames = map[string]string{
	"en": "en", "english": "en", "anglais": "en", "englisch": "en", "ingles": "en", "inglés": "en",
	"fr": "fr", "french": "fr", "francais": "fr", "français": "fr", "franzosisch": "fr", "französisch": "fr", "frances": "fr", "francés": "fr",
	"de": "de", "german": "de", "allemand": "de", "deutsch": "de", "aleman": "de", "alemán": "de",
	"es": "es", "spanish": "es", "espagnol": "es", "spanisch": "es", "espanol": "es", "español": "es", "castellano": "es",
}

// readLanguage reads "language de", "langue : français", "Sprache Deutsch"
// or "idioma español": a command to write to the person in that language.
// A language word followed by something that names no language Accord
// writes is a *CommandError; anything else is not this command.
func readLanguage(words []string) (Command, bool, error) {
	if len(words) == 0 || !languageWords[words[0]] {
		return Command{}, false, nil
	}
	rest := slices.DeleteFunc(slices.Clone(words[1:]), func(w string) bool { return w == "" || w == ":" || w == "to" || w == "en" && len(words) > 2 })
	if len(rest) != 1 {
		if len(rest) == 0 {
			return Command{}, true, problem(ProblemLanguageUnknown)
		}
		return Command{}, false, nil
	}
	code, ok := languageNames[strings.Trim(rest[0], ":")]
	if !ok {
		return Command{}, true, problem(ProblemLanguageUnknown, func(p *Problem) { p.Input = rest[0] })
	}
	return Command{Kind: CmdLanguage, Language: code}, true, nil
}

// SetLanguage writes to the person in lang from now on, in every
// partnership of theirs, and confirms it in that language.
func (p *Partnership) SetLanguage(participantID int64, lang string, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(Languages, lang) {
		return p.Unclear(me.ID, Problem{Code: ProblemLanguageUnknown, Input: lang}, now)
	}
	me.Person.Language = lang
	return []Message{p.compose(me, Message{Kind: MsgAck, Notes: []Note{{Kind: NoteLanguage}}}, now)}, nil
}
