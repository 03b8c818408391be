package conversation

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Replies to a draft and to a review in French, German and Spanish, and
// mixed with English.
//
// Unlike reply commands (see command_languages.go), these replies carry
// the person's own words ("modifier 2 : …", "añadir: …"), which must stay
// as written. So only the word a line starts with, the command, is put in
// English, and the few words that may follow it before the numbers
// ("tous", "mit", "et") are read where the numbers are read. These
// parsers read only replies to draft and review mail, so a sentence that
// starts with such a word elsewhere is no command.

// draftLocalLeads maps the words a line of a reply to a draft may start
// with, in lower case, without accents and with apostrophes as spaces,
// to the English command they stand for.
var draftLocalLeads = vocabulary(`
	agree: d accord, je suis d accord, nous sommes d accord, accepter, j accepte, approuver, j approuve, einverstanden, ich bin einverstanden, zustimmen, ich stimme zu, stimme zu, de acuerdo, estoy de acuerdo, aceptar, acepto, aprobar, apruebo
	agree all: tout d accord, d accord sur tout, tout accepter, tout approuver, alle einverstanden, mit allem einverstanden, allem zustimmen, allen zustimmen, alles einverstanden, todo de acuerdo, de acuerdo en todo, aceptar todo, acepto todo, aprobar todo
	change: modifier, changer, andern, aendern, cambiar
	drop: supprimer, retirer, streichen, entfernen, quitar, eliminar
	keep: garder, conserver, behalten, mantener, conservar
	add: ajouter, hinzufugen, hinzufuegen, erganzen, ergaenzen, anadir, agregar`, "")

// maxDraftLead is the most words a key of draftLocalLeads has.
var maxDraftLead = func() int {
	n := 1
	for k := range draftLocalLeads {
		n = max(n, len(strings.Fields(k)))
	}
	return n
}()

// draftLeadKey puts words as written in the form of a key of
// draftLocalLeads.
func draftLeadKey(s string) string {
	s = accentFolder.Replace(strings.ToLower(s))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\'' || unicode.IsSpace(r) }), " ")
}

// localDraftLead puts the local command a line starts with in English,
// keeping the rest of the line as written: "Modifier 2 : mots" reads as
// "change 2 : mots". ok is false when the line starts with no local
// command.
func localDraftLead(s string) (english string, ok bool) {
	best, end := "", 0
	i := 0
	for range maxDraftLead {
		j := i
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsLetter(r) && !(j > i && (r == '\'' || r == '’')) {
				break
			}
			j += size
		}
		if j == i {
			break
		}
		if to, found := draftLocalLeads[draftLeadKey(s[:j])]; found {
			best, end = to, j
		}
		k := j
		for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
			k++
		}
		if k == j {
			break
		}
		i = k
	}
	if best == "" {
		return s, false
	}
	return best + s[end:], true
}

// draftPoliteness may end a command line in French, German and Spanish,
// after what the command takes: "streichen 4, bitte", "d'accord, merci".
var draftPoliteness = wordSet("merci beaucoup svp stp s'il s’il vous te plaît plait danke schön schon vielen dank bitte gracias muchas por favor")
