package conversation

import (
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestParseDraftReplyLocal reads each reply in French, German and
// Spanish, and mixed with English, as its English equivalent; the
// person's own words stay as written.
func TestParseDraftReplyLocal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, english string }{
		// French
		{"d'accord", "agree all"},
		{"D’accord pour tout.", "agree all"},
		{"Je suis d'accord avec tout", "agree all"},
		{"tout d'accord", "agree all"},
		{"d'accord tous", "agree all"},
		{"d'accord 1-3", "agree 1-3"},
		{"d'accord avec 1 à 3 et 5", "agree 1-3, 5"},
		{"accepter 2, 4", "agree 2, 4"},
		{"approuver 1", "agree 1"},
		{"modifier 2 : Nous nous voyons le mardi.", "change 2: Nous nous voyons le mardi."},
		{"Changer 2: on garde, supprimer rien", "change 2: on garde, supprimer rien"},
		{"supprimer 4", "drop 4"},
		{"retirer 4", "drop 4"},
		{"garder 5", "keep 5"},
		{"conserver le 5", "keep 5"},
		{"ajouter : Nous dînons ensemble le vendredi.", "add: Nous dînons ensemble le vendredi."},
		{"ajouter:\n- un\n- deux", "add:\n- un\n- deux"},
		// German
		{"einverstanden", "agree all"},
		{"Ich bin einverstanden mit allen", "agree all"},
		{"alle einverstanden", "agree all"},
		{"mit allem einverstanden", "agree all"},
		{"zustimmen 1 bis 3", "agree 1-3"},
		{"einverstanden mit 1-3 und 5", "agree 1-3, 5"},
		{"ändern 2: Wir sehen uns dienstags.", "change 2: Wir sehen uns dienstags."},
		{"aendern 2: Wir sehen uns dienstags.", "change 2: Wir sehen uns dienstags."},
		{"streichen 4", "drop 4"},
		{"entfernen Punkt 4", "drop 4"},
		{"behalten 5", "keep 5"},
		{"hinzufügen: Freitags essen wir zusammen.", "add: Freitags essen wir zusammen."},
		{"hinzufuegen: Freitags essen wir zusammen.", "add: Freitags essen wir zusammen."},
		// Spanish
		{"de acuerdo", "agree all"},
		{"De acuerdo con todo", "agree all"},
		{"Estoy de acuerdo con todo.", "agree all"},
		{"todo de acuerdo", "agree all"},
		{"aceptar todos", "agree all"},
		{"de acuerdo con 1 a 3 y 5", "agree 1-3, 5"},
		{"cambiar 2: Nos vemos los martes.", "change 2: Nos vemos los martes."},
		{"quitar 4", "drop 4"},
		{"eliminar el 4", "drop 4"},
		{"mantener 5", "keep 5"},
		{"añadir: Cenamos juntos los viernes.", "add: Cenamos juntos los viernes."},
		{"anadir: Cenamos juntos los viernes.", "add: Cenamos juntos los viernes."},
		{"agregar: Cenamos juntos los viernes.", "add: Cenamos juntos los viernes."},
		// mixed with English
		{"d'accord 1-3\ndrop 4\najouter: x", "agree 1-3\ndrop 4\nadd: x"},
		{"agree 1\nstreichen 2\ncambiar 3: y", "agree 1\ndrop 2\nchange 3: y"},
		{"- garder 5\n- modifier 2: z", "keep 5\nchange 2: z"},
		{"Bonjour,\n\nd'accord 1-2\n\nMerci,\nSam", "agree 1-2"},
		{"D'accord, merci !", "agree all"},
		{"supprimer 4 s'il vous plaît", "drop 4"},
		{"Einverstanden, danke!", "agree all"},
		{"streichen 4, bitte", "drop 4"},
		{"De acuerdo, gracias.", "agree all"},
		{"quitar 4 por favor", "drop 4"},
	} {
		want, werr := ParseDraftReply(tc.english)
		if werr != nil {
			t.Fatalf("ParseDraftReply(%q) error %v", tc.english, werr)
		}
		got, err := ParseDraftReply(tc.in)
		if err != nil {
			t.Errorf("ParseDraftReply(%q) error %v, want %v", tc.in, err, showCommands(want))
			continue
		}
		if !reflect.DeepEqual(showCommands(got), showCommands(want)) {
			t.Errorf("ParseDraftReply(%q) = %v, want %v", tc.in, showCommands(got), showCommands(want))
		}
	}
}

// TestParseDraftReplyLocalRefused keeps sentences that merely start like
// a local command from reading as one.
func TestParseDraftReplyLocalRefused(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"Oui, je pense que c'est bien.",
		"Supprimer les réunions du lundi serait mieux.",
		"Ändern wir lieber den Termin.",
		"Quitar el punto de los domingos, quizás.",
		"Garder le calme est important.",
	} {
		if r, err := ParseDraftReply(in); err == nil {
			t.Errorf("ParseDraftReply(%q) = %v, want an error", in, showCommands(r))
		}
	}
}

func TestParseKeptLocal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, english string }{
		{"1 oui, 2 en partie, 3 non, 4 oui, 5 oui", "1 yes, 2 partly, 3 no, 4 yes, 5 yes"},
		{"1 ja, 2 teilweise, 3 nein, 4 ja, 5 ja", "1 yes, 2 partly, 3 no, 4 yes, 5 yes"},
		{"1 sí, 2 en parte, 3 no, 4 si, 5 sí", "1 yes, 2 partly, 3 no, 4 yes, 5 yes"},
		{"tous oui, 3 non", "all yes, 3 no"},
		{"tout: oui", "all yes"},
		{"alle ja, 3 nein", "all yes, 3 no"},
		{"todos sí, 3 no", "all yes, 3 no"},
		{"todo sí", "all yes"},
		{"2 partiellement, le reste oui", "2 partly, the rest yes"},
		{"2 teilweise, der Rest ja", "2 partly, the rest yes"},
		{"2 parcialmente, el resto sí", "2 partly, the rest yes"},
		{"2 en parte, los demás sí", "2 partly, the rest yes"},
		{"Oui", "yes"},
		{"Nein", "no"},
		{"En partie", "partly"},
		{"1-3 oui; 4 en partie, on a glissé en mars; 5 non", "1-3 yes; 4 partly; 5 no"},
		{"1 yes, 2 en partie, all oui", "1 yes, 2 partly, all yes"},
		{"Oui, je pense que oui.", "Yes, I think so."},
	} {
		want, werr := ParseKept(tc.english, 5)
		if werr != nil {
			t.Fatalf("ParseKept(%q, 5) error %v", tc.english, werr)
		}
		got, err := ParseKept(tc.in, 5)
		if err != nil || !maps.Equal(got, want) {
			t.Errorf("ParseKept(%q, 5) = %v, %v, want %v", tc.in, got, err, want)
		}
	}
	for _, in := range []string{"1 peut-être, tous oui", "2 vielleicht, alle ja"} {
		if got, err := ParseKept(in, 5); err == nil {
			t.Errorf("ParseKept(%q, 5) = %v, want an error", in, got)
		}
	}
}

func TestParseRewritesLocal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, english string }{
		{"modifier 7 : Nous disons ce qui nous gêne.", "change 7: Nous disons ce qui nous gêne."},
		{"Changer le point 7 - Nous disons", "change 7 - Nous disons"},
		{"ändern 7: Wir sagen, was uns stört.", "change 7: Wir sagen, was uns stört."},
		{"Ändern Punkt 7: Wir sagen", "change 7: Wir sagen"},
		{"aendern 7: x", "change 7: x"},
		{"cambiar 7: Decimos lo que nos molesta.", "change 7: Decimos lo que nos molesta."},
		{"Cambiar el punto 7 — x", "change 7 — x"},
		{"Bonjour,\nmodifier 3:\nsur les lignes\ncambiar 5: otra", "change 3:\nsur les lignes\nchange 5: otra"},
	} {
		wrest, want, _ := ParseRewrites(tc.english)
		rest, got, ok := ParseRewrites(tc.in)
		if !ok || rest != wrest || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseRewrites(%q) = %q, %v, %v, want %q, %v", tc.in, rest, got, ok, wrest, want)
		}
	}
	for _, in := range []string{"Modifier 3 choses serait bien.", "Wir sollten 2 Dinge ändern: a und b", "cambiar 2027-02-09 por jueves"} {
		if _, rws, ok := ParseRewrites(in); ok {
			t.Errorf("ParseRewrites(%q) = %v, want none", in, rws)
		}
	}
}

func TestParseRatingLocal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in    string
		score int
	}{
		{"quatre, mieux qu'avant", 4}, {"3 sur 5", 3}, {"Cinq !", 5},
		{"vier", 4}, {"Fünf", 5}, {"fuenf", 5}, {"2 von 5", 2}, {"eins", 1},
		{"cuatro", 4}, {"3 de 5", 3}, {"uno", 1}, {"Tres, mejor que antes", 3},
	} {
		score, _, err := ParseRating(tc.in)
		if err != nil || score != tc.score {
			t.Errorf("ParseRating(%q) = %d, %v, want %d", tc.in, score, err, tc.score)
		}
	}
	for _, in := range []string{"Un peu mieux", "Eine gute Zeit", "Una buena época", "vierzig"} {
		if score, _, err := ParseRating(in); err == nil {
			t.Errorf("ParseRating(%q) = %d, want an error", in, score)
		}
	}
}

func TestCommitmentVerdictLocal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"keep", "keep"}, {"Garder.", "keep"}, {"on garde", "keep"}, {"Inchangé", "keep"}, {"behalten", "keep"},
		{"Unverändert!", "keep"}, {"mantener", "keep"}, {"Sí", "keep"}, {"sin cambios", "keep"},
		{"drop", "drop"}, {"retirer", "drop"}, {"Supprimer", "drop"}, {"streichen", "drop"}, {"quitar", "drop"},
		{"Garder le mardi soir", ""}, {"Wir behalten den Dienstag", ""},
	} {
		if got := commitmentVerdict(tc.in); got != tc.want {
			t.Errorf("commitmentVerdict(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestHandleReplyDraftLanguages: a reply to the draft in another
// language is carried out as its English equivalent.
func TestHandleReplyDraftLanguages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ text, english string }{
		{"d’accord pour tout", "agree all"},
		{"tout d'accord", "agree all"},
		{"einverstanden mit allem", "agree all"},
		{"alle einverstanden", "agree all"},
		{"de acuerdo con todo", "agree all"},
		{"d'accord 1-2", "agree 1-2"},
		{"modifier 2: Nous nous voyons le mardi.", "change 2: Nous nous voyons le mardi."},
		{"ändern 2: Wir sehen uns dienstags.", "change 2: Wir sehen uns dienstags."},
		{"cambiar 2: Nos vemos los martes.", "change 2: Nos vemos los martes."},
		{"supprimer 1", "drop 1"},
		{"streichen 1", "drop 1"},
		{"quitar 1", "drop 1"},
		{"ajouter: Nous dînons le vendredi.", "add: Nous dînons le vendredi."},
		{"hinzufügen: Freitags essen wir.", "add: Freitags essen wir."},
		{"añadir: Cenamos los viernes.", "add: Cenamos los viernes."},
	} {
		t.Run(tc.text, func(t *testing.T) {
			t.Parallel()
			outcome := func(text string) (Outcome, *Draft) {
				p, start := draftingPair(t)
				o, _, err := p.HandleReply(p.Participants[0].ID, Reply{Text: text}, start.Add(time.Hour))
				if err != nil {
					t.Fatalf("HandleReply(%q) = %v", text, err)
				}
				return o, p.Draft
			}
			got, gotDraft := outcome(tc.text)
			want, wantDraft := outcome(tc.english)
			if want.Kind != OutcomeAnswer || !strings.HasPrefix(want.Detail, "draft round 1: ") {
				t.Fatalf("HandleReply(%q) = %s %q, want a reply to the draft", tc.english, want.Kind, want.Detail)
			}
			if got.Kind != want.Kind || got.Detail != want.Detail {
				t.Fatalf("HandleReply(%q) = %s %q, want %s %q as for %q", tc.text, got.Kind, got.Detail, want.Kind, want.Detail, tc.english)
			}
			if len(gotDraft.Statements) != len(wantDraft.Statements) {
				t.Errorf("HandleReply(%q) left %d statements, want %d", tc.text, len(gotDraft.Statements), len(wantDraft.Statements))
			}
		})
	}
}
