package conversation

import (
	"slices"
	"time"
)

// Digest is what a review's digest reports: the quarter at a glance.
type Digest struct {
	// From and To bound the period looked back on: from the version under
	// review to the review's close.
	From, To time.Time
	// Changes are the commitments the review added, changed or dropped.
	Changes []Change
	// Missing names who did not finish the review in time.
	Missing  []string
	Checkins CheckinTally
	// Prep is, per person in partnership order, how many prep prompts they
	// got and how many they answered.
	Prep [2]PrepTally
	// Trend is every review's ratings so far, oldest first.
	Trend []TrendPoint
	// Kept counts, per review so far that rated statements, how many were
	// kept, partly kept and not, oldest first.
	Kept []KeptCount
	// NextReview is the date of the next review.
	NextReview Date
	// Amendments counts what people wrote back to the previous version.
	Amendments int
}

// CheckinTally counts the meetings of a period.
type CheckinTally struct {
	// Scheduled is whether there was a check-in series in the period.
	Scheduled bool
	Held      int
	Skipped   int
	Declined  int
}

// PrepTally counts one person's preparation.
type PrepTally struct {
	Name    string
	Asked   int
	Written int
}

// TrendPoint is one review's ratings, in partnership order (0: no rating).
type TrendPoint struct {
	Number int
	On     Date
	Scores [2]int
}

// digestFrom is the start of the period the digest of version ag looks
// back on: when the version under review was made.
func (p *Partnership) digestFrom(ag *Agreement) time.Time {
	if prev := p.Version(ag.Previous); prev != nil {
		return prev.Created
	}
	return time.Time{}
}

// CheckinHistoryFrom is how far back a digest still to be built or sent
// looks at check-ins: the start of the period under review while a review
// is open or its statements are being signed again, or while its digest
// has yet to reach someone; zero otherwise.
// Adapters load EarlierCheckins with meetings from then on.
func (p *Partnership) CheckinHistoryFrom() time.Time {
	ag := p.LatestAgreement()
	switch {
	case ag == nil:
		return time.Time{}
	case p.openReview() != nil, p.DraftOpen() && p.Draft.Review == ag.Version:
		// The review's questions, or its statements being signed again:
		// the digest is still to be built.
		return ag.Created
	case ag.Review == nil:
		return time.Time{}
	}
	for _, pt := range p.Participants {
		if pt.Status != ParticipantLeft && pt.AgreementSeen < ag.Version {
			return p.digestFrom(ag)
		}
	}
	return time.Time{}
}

// digest sums up the period that ends with version ag.
func (p *Partnership) digest(ag *Agreement, now time.Time) *Digest {
	d := &Digest{From: p.digestFrom(ag), To: ag.Created, Changes: ag.Changes, NextReview: ag.ReviewOn}
	if ag.Review != nil {
		d.Missing = ag.Review.Missing
		d.Amendments = len(ag.Review.Amendments)
	}
	for _, a := range p.Agreements {
		if a.Review == nil || a.Version > ag.Version {
			continue
		}
		tp := TrendPoint{Number: a.Review.Number, On: a.Review.On}
		for i := range tp.Scores {
			if i < len(a.Review.Ratings) {
				tp.Scores[i] = a.Review.Ratings[i].Score
			}
		}
		d.Trend = append(d.Trend, tp)
		if len(a.Review.Kept) > 0 {
			d.Kept = append(d.Kept, CountKept(a.Review))
		}
	}
	for i, pt := range p.Participants {
		d.Prep[i].Name = pt.Person.Name
	}
	series := p.EarlierCheckins
	if p.Checkin != nil {
		series = append(slices.Clone(series), p.Checkin)
	}
	for k, cs := range series {
		// A replaced series counts up to the moment its successor began.
		to := d.To
		if k+1 < len(series) && series[k+1].CreatedAt.Before(to) {
			to = series[k+1].CreatedAt
		}
		t := p.tallyCheckins(cs, d.From, to)
		d.Checkins.Scheduled = d.Checkins.Scheduled || t.Scheduled
		d.Checkins.Held += t.Held
		d.Checkins.Skipped += t.Skipped
		d.Checkins.Declined += t.Declined
		for _, o := range cs.Occurrences {
			// Preparation counts for the meetings that took place: not
			// one skipped after its prompt went out, nor one declined.
			if o.Start.Before(d.From) || !o.Start.Before(to) || !p.held(cs, o) {
				continue
			}
			for i, pt := range p.Participants {
				if o.PrepSentAt[i].IsZero() {
					continue
				}
				d.Prep[i].Asked++
				for _, n := range p.Notes(o, CheckinPrep) {
					if n.ParticipantID == pt.ID {
						d.Prep[i].Written++
						break
					}
				}
			}
		}
	}
	return d
}

// tallyCheckins counts the meetings of [from, to) as the series recorded
// them, whatever schedule they were under: held (its agenda went out and
// nobody declined), declined by someone, and skipped or paused.
func (p *Partnership) tallyCheckins(cs *Series, from, to time.Time) CheckinTally {
	if cs.CreatedAt.After(to) {
		return CheckinTally{}
	}
	t := CheckinTally{Scheduled: true}
	skipped := make(map[time.Time]bool)
	for _, o := range cs.Occurrences {
		switch {
		case o.State == OccSkipped:
			if !o.Original.Before(from) && o.Original.Before(to) {
				skipped[o.Original.UTC()] = true
			}
		case o.Start.Before(from) || !o.Start.Before(to) || o.AgendaSentAt.IsZero():
		case p.declined(cs, o):
			t.Declined++
		default:
			t.Held++
		}
	}
	for _, slot := range cs.Excluded(to) {
		if !slot.Before(from) {
			skipped[slot.UTC()] = true
		}
	}
	t.Skipped = len(skipped)
	return t
}

// held reports whether the meeting o took place: its agenda went out, it
// was not skipped or paused afterwards, and nobody declined it.
func (p *Partnership) held(cs *Series, o *Occurrence) bool {
	return o.State != OccSkipped && !o.AgendaSentAt.IsZero() && !cs.paused(o.Original) && !p.declined(cs, o)
}

// declined reports whether either person declined the meeting o, on its
// own or by declining the whole series.
func (p *Partnership) declined(cs *Series, o *Occurrence) bool {
	for _, pt := range p.Participants {
		var series, one string
		for _, r := range cs.Responses {
			if r.ParticipantID != pt.ID {
				continue
			}
			switch {
			case r.Original.IsZero():
				series = r.PartStat
			case r.Original.Equal(o.Original):
				one = r.PartStat
			}
		}
		if one == PartStatDeclined || (one == "" && series == PartStatDeclined) {
			return true
		}
	}
	return false
}
