package conversation

import (
	"errors"
	"testing"
	"time"
)

// sameCommandOutcome reports whether two ParseCommand outcomes are the
// same: the same command, or errors of the same kind and problem.
func sameCommandOutcome(c1 Command, err1 error, c2 Command, err2 error) bool {
	if err1 != nil || err2 != nil {
		return err1 != nil && err2 != nil && errorKind(err1) == errorKind(err2)
	}
	return c1.Kind == c2.Kind && c1.Until.Equal(c2.Until) && c1.Language == c2.Language
}

// errorKind names an error of a command parser by its kind and, for a
// *CommandError, its problem.
func errorKind(err error) string {
	var ce *CommandError
	var nm *NearMiss
	switch {
	case errors.As(err, &ce):
		return string(ce.Problem.Code)
	case errors.As(err, &nm):
		return "near miss"
	case errors.Is(err, ErrNotCommand):
		return "not a command"
	}
	return err.Error()
}

// TestParseCommandLanguages reads questionnaire commands written in
// French, German and Spanish, and mixed with English, as the English
// command beside each reads.
func TestParseCommandLanguages(t *testing.T) {
	t.Parallel()
	berlin := mustLoc(t, "Europe/Berlin")
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, berlin)
	tests := []struct{ in, en string }{
		// French.
		{"passer", "skip"},
		{"Passer cette question", "skip this question"},
		{"passer celle-ci, merci", "skip this one"},
		{"sauter cette question", "skip this question"},
		{"pause 2 semaines", "pause 2 weeks"},
		{"pause 3 jours", "pause 3 days"},
		{"Pause pendant deux semaines, s'il vous plaît.", "pause for 2 weeks"},
		{"mettre en pause une semaine", "pause 1 week"},
		{"suspendre 2 semaines", "pause 2 weeks"},
		{"Suspendre jusqu’au 5 janvier, merci", "pause until January 5"},
		{"pause jusqu'au 5 janvier", "pause until January 5"},
		{"pause jusqu’au 5 janvier 2027", "pause until January 5 2027"},
		{"reprendre", "resume"},
		{"arrêter", "stop"},
		{"Arreter svp", "stop"},
		{"aide", "help"},
		{"exporter", "export"},
		{"annuler", "undo"},
		{"annuler ma dernière réponse", "undo my last answer"},
		{"Accord", "agreement"},
		{"notre accord, s'il te plaît", "our agreement"},
		{"langue : français, merci", "language fr"},
		// German.
		{"überspringen", "skip"},
		{"ueberspringen", "skip"},
		{"Diese Frage überspringen.", "skip this question"},
		{"diese Frage auslassen", "skip this question"},
		{"pause 2 Wochen", "pause 2 weeks"},
		{"Pause für 3 Tage", "pause for 3 days"},
		{"pause bis 5. Januar", "pause until January 5"},
		{"Pause bis zum 5. Januar, danke", "pause until January 5"},
		{"2 Wochen pausieren", "pause 2 weeks"},
		{"zwei Wochen pausieren, bitte", "pause 2 weeks"},
		{"pausieren bis 5. Januar", "pause until January 5"},
		{"fortsetzen", "resume"},
		{"Weiter", "resume"},
		{"Stopp bitte!", "stop"},
		{"beenden", "stop"},
		{"Hilfe", "help"},
		{"exportieren", "export"},
		{"rückgängig", "undo"},
		{"rueckgaengig machen", "undo"},
		{"meine letzte Antwort rückgängig machen", "undo my last answer"},
		{"Vereinbarung", "agreement"},
		{"unsere Vereinbarung bitte", "our agreement"},
		// Spanish.
		{"saltar", "skip"},
		{"Saltar esta pregunta", "skip this question"},
		{"omitir esta pregunta", "skip this question"},
		{"pausa 2 semanas", "pause 2 weeks"},
		{"pausar dos semanas, por favor", "pause 2 weeks"},
		{"pausa por 3 días", "pause for 3 days"},
		{"pausa hasta el 5 de enero", "pause until January 5"},
		{"reanudar", "resume"},
		{"continuar", "resume"},
		{"parar", "stop"},
		{"detener, gracias", "stop"},
		{"¿Ayuda?", "help"},
		{"exportar", "export"},
		{"deshacer", "undo"},
		{"acuerdo", "agreement"},
		{"nuestro acuerdo, gracias", "our agreement"},
		// Mixed with English.
		{"pause for 2 Wochen", "pause 2 weeks"},
		{"please pausa 2 semanas", "pause 2 weeks"},
		{"pause until 5. Januar bitte", "pause until January 5"},
		{"skip esta pregunta", "skip this question"},
		{"undo, merci", "undo"},
		{"stop, gracias", "stop"},
		// Commands that cannot be used, as in English.
		{"pause 0 semaines", "pause 0 weeks"},
		{"pause 400 Tage", "pause 400 days"},
		{"pausa hasta el 35 de enero", "pause until 35 January"},
		{"pause bis 5. Januar 2020", "pause until January 5 2020"},
		{"pause jusqu'à lundi", "pause until monday"},
	}
	for _, tt := range tests {
		got, err := ParseCommand(tt.in, now, berlin)
		want, wantErr := ParseCommand(tt.en, now, berlin)
		if wantErr == nil && want.Kind == "" {
			t.Fatalf("ParseCommand(%q) = no command, no error", tt.en)
		}
		if !sameCommandOutcome(got, err, want, wantErr) {
			t.Errorf("ParseCommand(%q) = %+v, %v; want %+v, %v as for %q", tt.in, got, err, want, wantErr, tt.en)
		}
	}
}

// TestParseCommandLanguagesAnswers: an answer that starts with a command
// word of another language is an answer, and English guesses ("did you
// mean pause?") are not made about words in another language.
func TestParseCommandLanguagesAnswers(t *testing.T) {
	t.Parallel()
	berlin := mustLoc(t, "Europe/Berlin")
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, berlin)
	for _, in := range []string{
		"Passer plus de temps ensemble nous aiderait.",
		"Pause ist wichtig für uns beide.",
		"Saltar de un tema a otro nos cuesta.",
		"Reprendre confiance prend du temps.",
		"La pause de midi nous aide.",
		"Die Pause am Mittag hilft uns.",
		"Arrêter de se couper la parole.",
		"Accord sur les objectifs, pas sur les moyens.",
		"Hilfe holen wir uns gegenseitig.",
		"Weiter so, das klappt gut.",
		"Pausa para el café juntos.",
		"Parar a tiempo es importante.",
		"Ayuda mutua y confianza.",
		"D'accord.",
		"Suspendre notre jugement nous aide.",
	} {
		if got, err := ParseCommand(in, now, berlin); !errors.Is(err, ErrNotCommand) {
			t.Errorf("ParseCommand(%q) = %+v, %v; want ErrNotCommand", in, got, err)
		}
	}
}

// TestParseCheckinCommandLanguages reads check-in commands written in
// French, German and Spanish, and mixed with English, as the English
// command beside each reads.
func TestParseCheckinCommandLanguages(t *testing.T) {
	t.Parallel()
	now, loc := checkinNow(t)
	tests := []struct {
		in, en  string
		context bool
	}{
		// French: check-ins are "points".
		{"passer cette semaine", "skip this week", false},
		{"passer la semaine prochaine", "skip next week", false},
		{"Passer le 9 février", "skip Feb 9", false},
		{"passer le point du 9 février", "skip the check-in on Feb 9", false},
		{"déplacer à jeudi 14h", "move to Thursday 14:00", false},
		{"déplacer au jeudi 14:00", "move to Thursday 14:00", false},
		{"décaler à jeudi 14h", "move to Thursday 14:00", false},
		{"déplacer le 9 février à jeudi 14h", "move Feb 9 to Thursday 14:00", false},
		{"déplacer à demain 10h30", "move to tomorrow 10:30am", false},
		{"déplacer cette semaine à jeudi 14h", "move this week to Thursday 14:00", false},
		{"tout déplacer au mercredi 9h", "move all to Wednesday 09:00", false},
		{"déplacer tous les points au mercredi 9h", "move all to Wednesday 09:00", false},
		{"pause des points jusqu'au 1er mars", "pause check-ins until March 1", false},
		{"pause des points 2 semaines", "pause check-ins 2 weeks", false},
		{"mettre en pause les points pendant 2 semaines", "pause check-ins for 2 weeks", false},
		{"mettre les points en pause jusqu’au 1er mars", "pause check-ins until March 1", false},
		{"Mettre les réunions en pause pendant 2 semaines, merci", "pause check-ins for 2 weeks", false},
		{"suspendre les points jusqu'au 1er mars", "pause check-ins until March 1", false},
		{"suspendre jusqu'au 1er mars", "pause until March 1", true},
		{"reprendre les points", "resume check-ins", false},
		{"annuler les points", "cancel check-ins", false},
		{"annuler toutes les réunions", "cancel all our meetings", false},
		{"annuler cette semaine", "cancel this week", false},
		{"arrêter les points", "stop check-ins", false},
		{"passer", "skip", true},
		{"annuler", "cancel", true},
		{"reprendre", "resume", true},
		{"pause jusqu'au 1er mars", "pause until March 1", true},
		// German.
		{"diese Woche überspringen", "skip this week", false},
		{"nächste Woche überspringen", "skip next week", false},
		{"naechste Woche ueberspringen", "skip next week", false},
		{"am 9. Februar überspringen", "skip Feb 9", false},
		{"diese Woche ausfallen lassen", "skip this week", false},
		{"verschieben auf Donnerstag 14 Uhr", "move to Thursday 14:00", false},
		{"auf Donnerstag 14 Uhr verschieben", "move to Thursday 14:00", false},
		{"auf Donnerstag um 14 Uhr verschieben, bitte", "move to Thursday 14:00", false},
		{"alle auf Mittwoch 9 Uhr verschieben", "move all to Wednesday 09:00", false},
		{"diese Woche auf Donnerstag verschieben", "move this week to Thursday", false},
		{"den Termin am 9. Februar auf Donnerstag 14 Uhr verschieben", "move the check-in on Feb 9 to Thursday 14:00", false},
		{"auf morgen 10 Uhr verschieben", "move to tomorrow 10am", false},
		{"Check-ins bis 1. März pausieren", "pause check-ins until March 1", false},
		{"Check-ins pausieren bis 1. März", "pause check-ins until March 1", false},
		{"Check-ins 2 Wochen pausieren", "pause check-ins 2 weeks", false},
		{"Check-ins fortsetzen", "resume check-ins", false},
		{"Check-ins absagen", "cancel check-ins", false},
		{"die Termine absagen, danke", "cancel check-ins", false},
		{"diese Woche absagen", "cancel this week", false},
		{"Check-ins beenden", "stop check-ins", false},
		{"überspringen", "skip", true},
		{"bis 1. März pausieren", "pause until March 1", true},
		// Spanish: check-ins are "reuniones".
		{"saltar esta semana", "skip this week", false},
		{"saltar la próxima semana", "skip next week", false},
		{"saltar la semana que viene", "skip next week", false},
		{"saltar el 9 de febrero", "skip Feb 9", false},
		{"mover al jueves 14:00", "move to Thursday 14:00", false},
		{"mover al jueves a las 14:00", "move to Thursday 14:00", false},
		{"mover todas al miércoles 9:00", "move all to Wednesday 9:00", false},
		{"mover todas las reuniones al miércoles 9:00", "move all to Wednesday 9:00", false},
		{"mover esta semana al jueves 14:00", "move this week to Thursday 14:00", false},
		{"mover la reunión a mañana a las 10:00", "move to tomorrow 10:00", false},
		{"pausar las reuniones hasta el 1 de marzo", "pause check-ins until March 1", false},
		{"pausar las reuniones 2 semanas", "pause check-ins 2 weeks", false},
		{"reanudar las reuniones", "resume check-ins", false},
		{"cancelar las reuniones", "cancel check-ins", false},
		{"cancelar esta semana", "cancel this week", false},
		{"parar las reuniones, por favor", "stop check-ins", false},
		{"saltar", "skip", true},
		{"pausa hasta el 1 de marzo", "pause until March 1", true},
		// Mixed with English.
		{"skip diese Woche", "skip this week", false},
		{"skip la semaine prochaine", "skip next week", false},
		{"pause check-ins 2 semanas", "pause check-ins 2 weeks", false},
		{"cancel las reuniones", "cancel check-ins", false},
		{"resume les points", "resume check-ins", false},
		{"pause the check-ins bis 1. März", "pause check-ins until March 1", false},
		// Commands that cannot be used, as in English.
		{"passer le 9 janvier", "skip Jan 9", false},
		{"pause des points jusqu'au 30 février", "pause check-ins until Feb 30", false},
		{"passer les points", "skip check-ins", false},
		{"Check-ins pausieren", "pause check-ins", false},
		{"mover todas al 11 de febrero 10:00", "move all to Feb 11 10:00", false},
	}
	for _, tt := range tests {
		got, err := ParseCheckinCommand(tt.in, now, loc, tt.context)
		want, wantErr := ParseCheckinCommand(tt.en, now, loc, tt.context)
		if wantErr == nil && want.Kind == "" {
			t.Fatalf("ParseCheckinCommand(%q) = no command, no error", tt.en)
		}
		same := err == nil && wantErr == nil && got == want ||
			err != nil && wantErr != nil && errorKind(err) == errorKind(wantErr) && got == want
		if !same {
			t.Errorf("ParseCheckinCommand(%q, context %v) = %+v, %v; want %+v, %v as for %q", tt.in, tt.context, got, err, want, wantErr, tt.en)
		}
	}
}

// TestParseCheckinCommandLanguagesAnswers: prep notes and answers that
// start with a command word of another language are not commands, with or
// without the check-in context.
func TestParseCheckinCommandLanguagesAnswers(t *testing.T) {
	t.Parallel()
	now, loc := checkinNow(t)
	for _, in := range []string{
		"Passer plus de temps ensemble nous aiderait.",
		"Pause ist wichtig für uns beide.",
		"Saltar de un tema a otro nos cuesta.",
		"Reprendre confiance prend du temps.",
		"Passer en revue le budget",
		"Déplacer des montagnes ensemble",
		"Suspendre notre jugement nous aide.",
		"Mettre les points sur les i",
		"Annuler le projet X serait une erreur.",
		"Verschieben wir das Thema Budget",
		"Alle Termine im Blick behalten",
		"Mover el proyecto adelante",
		"Cancelar proyectos nos cuesta",
		"Parar a tiempo es importante.",
	} {
		for _, context := range []bool{false, true} {
			if got, err := ParseCheckinCommand(in, now, loc, context); !errors.Is(err, ErrNotCommand) {
				t.Errorf("ParseCheckinCommand(%q, context %v) = %+v, %v; want ErrNotCommand", in, context, got, err)
			}
		}
	}
}

// TestHandleReplyLanguages: a command in another language is carried out,
// and an answer that starts with a command word of one is kept exactly as
// written.
func TestHandleReplyLanguages(t *testing.T) {
	t.Parallel()
	at := t0.Add(time.Hour)
	tests := []struct {
		text   string
		kind   OutcomeKind
		detail string
	}{
		{"pause 2 semaines", OutcomeCommand, "pause"},
		{"Diese Frage überspringen, bitte.", OutcomeCommand, "skip"},
		{"¿Ayuda?", OutcomeCommand, "help"},
		{"Passer plus de temps ensemble nous aiderait.", OutcomeAnswer, "question q1"},
		{"Pause ist wichtig für uns beide.", OutcomeAnswer, "question q1"},
		{"Saltar de un tema a otro nos cuesta.", OutcomeAnswer, "question q1"},
		{"Reprendre confiance prend du temps.", OutcomeAnswer, "question q1"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			p := pair(t, 3, noQuiet(), t0)
			p.Enroll(t0)
			me := p.Participants[0]
			o, _, err := p.HandleReply(me.ID, Reply{Text: tt.text}, at)
			if err != nil || o.Kind != tt.kind || o.Detail != tt.detail {
				t.Fatalf("HandleReply(%q) = %s %q, %v; want %s %q", tt.text, o.Kind, o.Detail, err, tt.kind, tt.detail)
			}
			if tt.kind != OutcomeAnswer {
				return
			}
			if len(p.Answers) != 1 || p.Answers[0].Text != tt.text {
				t.Errorf("HandleReply(%q) kept %v, want the reply as written", tt.text, p.Answers)
			}
		})
	}
}
