package conversation

import (
	"strings"
	"time"
	"unicode/utf8"
)

// An auto-responder that sets no header saying what it is (a vacation
// rule, a ticket system, a badly made bot) looks like a person to every
// check of the mail itself. What gives it away is behaviour: it answers
// every mail with the same words. Echo finds that; PauseForAutoReplies
// stops the conversation with it until the person comes back.

// echoMinLength is the shortest text that can count as an echo. People do
// give two questions the same short answer ("Not sure yet", "Same as
// above"), while canned replies are sentences; a short canned reply is
// left to the mail budget, which bounds what any correspondent can cause.
const echoMinLength = 40

// Echo reports whether a person already wrote exactly this text (ignoring
// case and spacing) since the given time, as the answer to another
// question or as a note on their agreement, and which question that was
// ("" for a note). The same words again for the same question are a
// correction, not an echo.
func (p *Partnership) Echo(participantID int64, question, text string, since time.Time) (earlier string, ok bool) {
	norm := foldText(text)
	if utf8.RuneCountInString(norm) < echoMinLength {
		return "", false
	}
	for _, a := range p.Answers {
		if a.ParticipantID == participantID && a.QuestionID != question && !a.At.Before(since) && foldText(a.Text) == norm {
			return a.QuestionID, true
		}
	}
	for _, a := range p.Amendments {
		if a.ParticipantID == participantID && !a.At.Before(since) && foldText(a.Text) == norm {
			return "", true
		}
	}
	return "", false
}

// PauseForAutoReplies pauses a person whose replies look automatic, and
// tells them why and how to come back. Someone already paused is left as
// they are, and told nothing again: the auto-responder would only answer.
func (p *Partnership) PauseForAutoReplies(participantID int64, now time.Time) ([]Message, error) {
	me, err := p.writer(participantID, now)
	if err != nil {
		return nil, err
	}
	if me.Status == ParticipantPaused {
		return nil, nil
	}
	me.Status, me.PausedUntil = ParticipantPaused, time.Time{}
	msgs := p.finish(me, []Note{{Kind: NoteAutoPaused}}, false, now)
	return p.tellPartnerOfBreak(msgs, me, time.Time{}, now), nil
}

// foldText is text as an echo is compared: lower case, words separated by
// single spaces.
func foldText(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}
