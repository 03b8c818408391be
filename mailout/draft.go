package mailout

import (
	"slices"

	"accord/conversation"
	"accord/templates"
)

// draftView lays out a drafting round for one of the two: the statements
// under their themes, each marked by where it stands for the recipient
// (see conversation.Draft.OpenFor), and example numbers for the reply
// commands taken from this draft.
func draftView(p *conversation.Partnership, d *conversation.Draft, me *conversation.Participant) *templates.Draft {
	lang := templates.Language(me.Person.Language)
	v := &templates.Draft{Lang: lang, Round: d.Round, MaxRounds: conversation.MaxDraftRounds, PartnerReplied: d.Responded(p.Partner(me).ID), Review: d.Review}
	mine, theirs := 0, 1
	if d.People[1] == me.ID {
		mine, theirs = 1, 0
	}
	open := d.OpenFor(me.ID)
	name := func(id int64) string {
		pt, err := p.Participant(id)
		if err != nil {
			return ""
		}
		return conversation.FirstName(oneLine(pt.Person.Name))
	}
	keep := 0
	for _, s := range d.Statements {
		sv := templates.DraftStatement{
			Number:          s.Number,
			Author:          name(s.AuthorID),
			Text:            s.Text,
			Mine:            s.AuthorID == me.ID,
			Was:             s.Was,
			DropProposed:    s.DropBy != 0,
			DropByYou:       s.DropBy == me.ID,
			NeedsYou:        slices.Contains(open, s.Number),
			AgreedByPartner: s.Agreed[theirs],
		}
		if s.Was != "" {
			sv.WasAuthor, sv.WasMine = name(s.WasAuthorID), s.WasAuthorID == me.ID
		}
		switch {
		case sv.NeedsYou:
			v.OpenForYou++
		case s.Agreed[mine] && !s.Agreed[theirs]:
			v.WaitingForPartner++
		}
		if keep == 0 && sv.DropProposed && !sv.DropByYou {
			keep = s.Number
		}
		if theme := themeIn(lang, p.Set, s.Theme); len(v.Groups) == 0 || v.Groups[len(v.Groups)-1].Theme != theme {
			v.Groups = append(v.Groups, templates.DraftGroup{Theme: theme})
		}
		g := &v.Groups[len(v.Groups)-1]
		g.Statements = append(g.Statements, sv)
	}
	v.Example = draftExample(len(d.Statements), keep)
	return v
}

// draftExample picks the numbers the reply examples name in a draft of n
// statements: a change and a drop near the end, a keep of a drop the
// partner proposed, and the rest to agree to, so that the examples read
// as one possible reply.
func draftExample(n, keep int) templates.DraftExample {
	ex := templates.DraftExample{Change: n, Keep: keep}
	if n >= 3 {
		ex.Change, ex.Drop = n-2, n
	}
	for i := 1; i <= n; i++ {
		if i != ex.Change && i != ex.Drop && i != keep {
			ex.Agree = append(ex.Agree, i)
		}
	}
	return ex
}
