package conversation

import (
	"errors"
	"slices"
	"strings"
)

// Reply commands in French, German and Spanish, and mixed with English.
//
// A reply is read in English first, as it always was. When it uses words
// of another language, it is read again with those words put in the
// English the parsers know: "pause 2 semaines" reads as "pause 2 weeks",
// "diese Woche überspringen" as "skip this week", "saltar el 9 de febrero"
// as "skip the 9 de febrero" (dates and schedule phrases are already read
// in these languages). Only the words the parsers look at change; the
// reply is kept as written.
//
// English guesses about a reply that is not quite a command ("did you
// mean pause?", "pause how long?") are for English: a reply that shows
// another language counts only as a command that reads, or one whose
// arguments were read and are wrong (a date that has passed). So "Pause
// ist wichtig für uns beide." stays an answer.

// commandLanguage is the vocabulary of reply commands in one language:
// input words, not sentences Accord writes (those are in templates/).
type commandLanguage struct {
	// words maps a word or a short phrase of the language, in lower case,
	// without accents, and with apostrophes and hyphens as spaces
	// ("jusqu au", "celle ci"), to the English tokens the parsers read;
	// "" lets the words go (politeness).
	words map[string]string
	// questionnaire overrides words for ParseCommand, where a word can
	// name another command than it does for check-ins.
	questionnaire map[string]string
	// english are keys of words that are English words too ("pause",
	// "accord", "a"). They are put in English only as the first word of
	// a reply or when other words show the language, and never show it
	// themselves.
	english map[string]bool
	// markers are common words of the language that are not English
	// ("ist", "nous"): they show that a reply is written in it.
	markers map[string]bool
	// verbLate says the verb may come after what it governs ("diese
	// Woche überspringen", "Check-ins pausieren bis 1. März"): the first
	// command verb is put in front, where the parsers look for it.
	verbLate bool
}

// vocabulary reads a table of words, one English reading a line followed
// by the words and phrases that read so ("skip: passer, sauter"), and
// politeness, phrases that are let go.
func vocabulary(table, polite string) map[string]string {
	m := make(map[string]string)
	add := func(key, to string) {
		if _, dup := m[key]; dup {
			panic("conversation: " + key + " twice in a command vocabulary")
		}
		m[key] = to
	}
	for line := range strings.Lines(table) {
		to, keys, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		for key := range strings.SplitSeq(keys, ",") {
			add(strings.TrimSpace(key), strings.TrimSpace(to))
		}
	}
	for key := range strings.SplitSeq(polite, ",") {
		if strings.TrimSpace(key) == "" {
			continue
		}
		add(strings.TrimSpace(key), "")
	}
	return m
}

// commandLanguages are the languages reply commands are read in besides
// English, in the order their readings are tried.
var commandLanguages = []commandLanguage{
	{ // French. Check-ins are "points" (or "réunions").
		words: vocabulary(`
			skip: passer, sauter
			pause: mettre en pause, suspendre
			pause checkins: mettre les points en pause, mettre les reunions en pause
			resume: reprendre
			stop: arreter, desabonner, me desabonner
			help: aide
			export: exporter
			cancel: annuler
			agreement: accord
			move: deplacer, decaler
			move all: tout deplacer, tout decaler
			checkins: points, reunions
			checkin: point, reunion
			this: cette, ce, cet
			this one: celle ci, celui ci
			next week: semaine prochaine
			next: prochaine, prochain
			week: semaine
			weeks: semaines
			day: jour
			days: jours
			today: aujourd hui
			tomorrow: demain
			until: jusqu au, jusqu a
			for: pendant, pour
			to: au, a
			all: tout, tous, toutes
			the: le, la, les, l, des
			of: du
			my: ma
			our: notre
			last: derniere, dernier
			answer: reponse
			that: ca, cela
			1: un, une
			2: deux
			3: trois
			4: quatre`,
			"s il vous plait, s il te plait, svp, merci, merci beaucoup"),
		questionnaire: map[string]string{"annuler": "undo"},
		english:       wordSet("accord aide passer exporter point points pendant pour a ma"),
		markers:       wordSet("et nous vous je il elle ne pas que qui sont mais tres avec dans"),
	},
	{ // German. Check-ins stay "Check-ins" (or "Termine").
		words: vocabulary(`
			skip: uberspringen, ueberspringen, auslassen, ausfallen lassen
			pause: pausieren
			resume: fortsetzen, weiter, weitermachen
			stop: stopp, stoppen, beenden, abmelden
			help: hilfe
			export: exportieren
			undo: ruckgangig, rueckgaengig, ruckgangig machen, rueckgaengig machen
			agreement: vereinbarung
			move: verschieben, verlegen
			cancel: absagen
			checkins: termine
			checkin: termin
			this: diese, dieser, diesen
			next: nachste, naechste, nachsten, naechsten
			week: woche
			weeks: wochen
			day: tag
			days: tage, tagen
			today: heute
			tomorrow: morgen
			until: bis, bis zum
			for: fur, fuer
			to: auf
			all: alle
			on: am
			the: die, der, den, das
			question: frage
			my: meine
			our: unsere, unser
			last: letzte
			answer: antwort
			1: ein, eine, einen
			2: zwei
			3: drei
			4: vier`,
			"bitte, danke, danke schon, dankeschon, vielen dank"),
		english:  wordSet("am die tag den"),
		markers:  wordSet("ist und uns wir ich nicht mit sind sehr auch zu mehr wenn aber oder sich es"),
		verbLate: true,
	},
	{ // Spanish. Check-ins are "reuniones".
		words: vocabulary(`
			skip: saltar, omitir
			pause: pausa, pausar
			resume: reanudar, continuar
			stop: parar, detener
			help: ayuda
			export: exportar
			undo: deshacer
			agreement: acuerdo
			move: mover
			move to: mover al, mover a
			cancel: cancelar
			checkins: reuniones
			checkin: reunion
			this: esta, este
			next week: semana que viene
			next: proxima, proximo
			week: semana
			weeks: semanas
			day: dia
			days: dias
			today: hoy
			tomorrow: manana
			until: hasta
			for: por, durante
			to: al, a
			all: todas, todos
			the: el, la, los, las
			of: del
			question: pregunta
			my: mi
			our: nuestro, nuestra
			last: ultima, ultimo
			answer: respuesta
			that: eso
			1: un, una, uno
			2: dos
			3: tres
			4: cuatro`,
			"por favor, gracias, muchas gracias"),
		english: wordSet("a al el mi dos mover"),
		markers: wordSet("es y nos que muy pero mas"),
	},
}

// localVerbs are the English command verbs the vocabularies put words in;
// a word that becomes one of them is put in English even in a schedule
// phrase, and is the verb verbLate moves to the front.
var localVerbs = wordSet("skip pause resume stop move cancel export undo")

// maxLocalPhrase is the most words a key of a vocabulary has.
var maxLocalPhrase = func() int {
	n := 1
	for _, l := range commandLanguages {
		for k := range l.words {
			n = max(n, len(strings.Fields(k)))
		}
	}
	return n
}()

// phraseStarts are the first words of the keys of more than one word:
// only at one of them is a phrase worth looking for.
var phraseStarts = func() map[string]bool {
	m := make(map[string]bool)
	for _, l := range commandLanguages {
		for k := range l.words {
			if first, _, ok := strings.Cut(k, " "); ok {
				m[first] = true
			}
		}
	}
	return m
}()

// match finds the longest key of the vocabulary at words[i] and returns
// it, what it stands for and how many words it covers.
func (l *commandLanguage) match(words []string, i int, questionnaire bool) (key, to string, n int) {
	longest := 1
	if phraseStarts[words[i]] {
		longest = min(maxLocalPhrase, len(words)-i)
	}
	for n = longest; n > 0; n-- {
		key = strings.Join(words[i:i+n], " ")
		if to, ok := l.questionnaire[key]; ok && questionnaire {
			return key, to, n
		}
		if to, ok := l.words[key]; ok {
			return key, to, n
		}
	}
	return "", "", 0
}

// shows reports whether words show the language: a key of its
// vocabulary that is not also English, or one of its markers.
func (l *commandLanguage) shows(words []string, questionnaire bool) bool {
	for i := range words {
		if l.markers[words[i]] {
			return true
		}
		if key, _, n := l.match(words, i, questionnaire); n > 0 && !l.english[key] {
			return true
		}
	}
	return false
}

// reading puts the words of the language in words in English and says
// whether the language shows in them. Words after "to" are a schedule
// phrase, which ReadSchedule reads in this language already ("al jueves
// a las 10"): there only verbs, "today", "tomorrow" and politeness are
// put in English.
func (l *commandLanguage) reading(words []string, questionnaire bool) (out []string, shown bool) {
	shown = l.shows(words, questionnaire)
	target := false
	for i := 0; i < len(words); {
		key, to, n := l.match(words, i, questionnaire)
		switch {
		case n == 0,
			l.english[key] && !shown && i > 0,
			target && to != "" && to != "today" && to != "tomorrow" && !localVerbs[to]:
			out = append(out, words[i])
			i++
		default:
			out = append(out, strings.Fields(to)...)
			i += n
		}
		if len(out) > 0 && out[len(out)-1] == "to" {
			target = true
		}
	}
	if l.verbLate && len(out) > 0 && !localVerbs[out[0]] {
		if j := slices.IndexFunc(out, func(w string) bool { return localVerbs[w] }); j > 0 {
			verb := out[j]
			out = append([]string{verb}, slices.Delete(out, j, j+1)...)
		}
	}
	return out, shown
}

// readFirst reads each of readings with read and returns the first
// command, or else the first error worth telling (see telling); found is
// false when there is neither.
func readFirst[T any](readings [][]string, read func([]string) (T, error)) (c T, found bool, err error) {
	var zero T
	for _, r := range readings {
		rc, rerr := read(r)
		if rerr == nil {
			return rc, true, nil
		}
		if !found && telling(rerr) {
			found, err = true, rerr
		}
	}
	return zero, found, err
}

// localReadings reads tokens in each language of commandLanguages and
// returns the readings that differ from the English words, in order and
// without repeats. foreign reports whether another language shows in
// the tokens, which makes English guesses about them moot.
func localReadings(english, tokens []string, questionnaire bool) (readings [][]string, foreign bool) {
	for i := range commandLanguages {
		r, shown := commandLanguages[i].reading(tokens, questionnaire)
		foreign = foreign || shown
		if len(r) == 0 || slices.Equal(r, english) || slices.ContainsFunc(readings, func(o []string) bool { return slices.Equal(o, r) }) {
			continue
		}
		readings = append(readings, r)
	}
	return readings, foreign
}

// localTokens prepares the words of commandWords for localReadings the way
// phraseWords cuts a phrase: accents folded, words joined by an
// apostrophe or a hyphen taken apart ("jusqu'au", "celle-ci"), and
// Spanish and French quotation and question marks let go. Words with
// digits stay whole: "2027-02-09" is a date.
func localTokens(words []string) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		w = strings.Trim(accentFolder.Replace(w), "¿¡«»")
		if strings.ContainsAny(w, "0123456789") {
			out = append(out, w)
			continue
		}
		out = append(out, strings.FieldsFunc(w, func(r rune) bool { return r == '\'' || r == '-' })...)
	}
	return out
}

// vagueProblems only say that the words after a command word were not
// understood. A reply in another language that reads no better is more
// likely a sentence that starts with the word than a command, so it is
// not a command.
var vagueProblems = map[ProblemCode]bool{
	ProblemPauseUnclear: true, ProblemSkipUnclear: true, ProblemCancelUnclear: true,
	ProblemCheckinPauseUnclear: true, ProblemMoveWhen: true, ProblemMoveWhich: true,
	ProblemMoveNothing: true, ProblemNoDayOrTime: true,
}

// telling reports an error worth telling a person who wrote in another
// language: a command whose arguments were read and cannot be used.
func telling(err error) bool {
	ce, ok := errors.AsType[*CommandError](err)
	return ok && !vagueProblems[ce.Problem.Code]
}
