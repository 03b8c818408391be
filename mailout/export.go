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
		md, err := templates.AgreementMarkdown(agreementView(m.Agreement, m.To.Person.Location, p.Set))
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
	loc := me.Person.Location
	partner := p.Partner(me)
	var b strings.Builder
	fmt.Fprintf(&b, "# Your partnership with %s\n\n", partner.Person.Name)
	fmt.Fprintf(&b, "Exported for %s <%s>.\n\n", me.Person.Name, me.Person.Email)
	if len(p.Agreements) == 0 {
		b.WriteString("There is no agreement yet: it is written once you have both answered every question.\n\n")
	}
	if p.DraftOpen() && !p.Draft.Signing {
		md, err := templates.DraftMarkdown(draftView(p, p.Draft, me))
		if err != nil {
			return nil, err
		}
		b.WriteString("---\n\n" + md + "\n")
	}
	for i := len(p.Agreements) - 1; i >= 0; i-- {
		md, err := templates.AgreementMarkdown(agreementView(p.Agreements[i], loc, p.Set))
		if err != nil {
			return nil, err
		}
		b.WriteString("---\n\n")
		// Each version's headings move one level down under the export's.
		for _, line := range strings.Split(strings.TrimRight(md, "\n"), "\n") {
			if strings.HasPrefix(line, "#") {
				line = "#" + line
			}
			b.WriteString(line + "\n")
		}
		b.WriteString("\n")
	}
	b.WriteString("---\n\n## Everything you wrote in answer to a question\n\n")
	n := 0
	for _, a := range p.Answers {
		if a.ParticipantID != me.ID {
			continue
		}
		n++
		title := a.QuestionID
		if q, ok := p.Question(a.QuestionID); ok {
			title = questionTitle(q)
		}
		fmt.Fprintf(&b, "### %s\n\n%s\n\n", title, LongDate(a.At, loc))
		for _, line := range strings.Split(a.Text, "\n") {
			b.WriteString(strings.TrimRight("> "+line, " ") + "\n")
		}
		b.WriteString("\n")
	}
	if n == 0 {
		b.WriteString("Nothing yet.\n")
	}
	return []byte(b.String()), nil
}
