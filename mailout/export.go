package mailout

import (
	"fmt"
	"strings"

	"accord/conversation"
	"accord/templates"
)

// ExportName is the file name of an export attachment.
const ExportName = "accord-agreement-history.md"

// attachmentOf is the file a message carries, if any: the history an
// export sends, or the Markdown of an agreement sent again on request.
func attachmentOf(p *conversation.Partnership, m conversation.Message) (*Attachment, error) {
	switch {
	case m.Kind == conversation.MsgExport:
		md, err := ExportMarkdown(p, m.To)
		if err != nil {
			return nil, err
		}
		return &Attachment{Name: ExportName, ContentType: "text/markdown; charset=utf-8", Content: md}, nil
	case m.Kind == conversation.MsgAgreement && m.OnDemand && m.Agreement != nil:
		md, err := templates.AgreementMarkdown(agreementView(templates.Language(m.To.Person.Language), m.Agreement, m.To.Person.Location, p.Set))
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("accord-agreement-v%d.md", m.Agreement.Version)
		return &Attachment{Name: name, ContentType: "text/markdown; charset=utf-8", Content: []byte(md)}, nil
	}
	return nil, nil
}

// ExportMarkdown is what a person gets when they reply export: every
// agreement version, newest first, then their own answers with dates.
// Their partner's answers appear only as the agreements show them, so an
// export never reveals more than the person has already seen.
func ExportMarkdown(p *conversation.Partnership, me *conversation.Participant) ([]byte, error) {
	loc, lang := me.Person.Location, templates.Language(me.Person.Language)
	e := &templates.Export{Lang: lang, Partner: p.Partner(me).Person.Name, Name: me.Person.Name, Email: me.Person.Email, NoAgreement: len(p.Agreements) == 0}
	if p.DraftOpen() && !p.Draft.Signing {
		md, err := templates.DraftMarkdown(draftView(p, p.Draft, me))
		if err != nil {
			return nil, err
		}
		e.Draft = md
	}
	for i := len(p.Agreements) - 1; i >= 0; i-- {
		md, err := templates.AgreementMarkdown(agreementView(lang, p.Agreements[i], loc, p.Set))
		if err != nil {
			return nil, err
		}
		// Each version's headings move one level down under the export's.
		lines := strings.Split(strings.TrimRight(md, "\n"), "\n")
		for k, line := range lines {
			if strings.HasPrefix(line, "#") {
				lines[k] = "#" + line
			}
		}
		e.Versions = append(e.Versions, strings.Join(lines, "\n"))
	}
	for _, a := range p.Answers {
		if a.ParticipantID != me.ID {
			continue
		}
		title := a.QuestionID
		if q, ok := p.Question(a.QuestionID); ok {
			title = questionTitle(lang, p.Set, q)
		}
		lines := strings.Split(a.Text, "\n")
		for k, line := range lines {
			lines[k] = strings.TrimRight("> "+line, " ")
		}
		e.Answers = append(e.Answers, templates.ExportAnswer{Title: title, Date: LongDate(lang, a.At, loc), Quoted: strings.Join(lines, "\n")})
	}
	md, err := templates.ExportMarkdown(e)
	if err != nil {
		return nil, err
	}
	return []byte(md), nil
}
