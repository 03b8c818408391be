package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// PartnershipSummary is one line of the operator's list: who, where they
// are, never what they wrote.
type PartnershipSummary struct {
	ID               int64         `db:"id"`
	Kind             string        `db:"kind"`
	Status           string        `db:"status"`
	CreatedAt        time.Time     `db:"created_at"`
	EndedAt          sql.NullTime  `db:"ended_at"`
	NextWakeAt       sql.NullTime  `db:"next_wake_at"`
	QuestionSet      string        `db:"set_name"`
	QuestionSetVer   int           `db:"set_version"`
	Questions        int           `db:"question_count"`
	AgreementVersion sql.NullInt64 `db:"agreement_version"`
	A                PersonProgress
	B                PersonProgress
}

// PersonProgress is where one participant stands.
type PersonProgress struct {
	Role     string
	Name     string
	Email    string
	Status   string
	Position int
}

type summaryRow struct {
	PartnershipSummary
	ARole     string `db:"a_role"`
	AName     string `db:"a_name"`
	AEmail    string `db:"a_email"`
	AStatus   string `db:"a_status"`
	APosition int    `db:"a_position"`
	BRole     string `db:"b_role"`
	BName     string `db:"b_name"`
	BEmail    string `db:"b_email"`
	BStatus   string `db:"b_status"`
	BPosition int    `db:"b_position"`
}

// partnershipSummaries is the select list and joins of the operator's
// list; each query adds its own WHERE and ORDER BY.
const partnershipSummaries = `SELECT p.id, p.kind, p.status, p.created_at, p.ended_at, p.next_wake_at,
		qs.name AS set_name, qs.version AS set_version, qs.question_count,
		(SELECT MAX(av.version) FROM agreement_versions av WHERE av.partnership_id = p.id) AS agreement_version,
		pa.role AS a_role, a.name AS a_name, a.email AS a_email, pa.status AS a_status, pa.position AS a_position,
		pb.role AS b_role, b.name AS b_name, b.email AS b_email, pb.status AS b_status, pb.position AS b_position
	FROM partnerships p
	JOIN question_sets qs ON qs.id = p.question_set_id
	JOIN participants pa ON pa.partnership_id = p.id AND pa.slot = 0
	JOIN people a ON a.id = pa.person_id
	JOIN participants pb ON pb.partnership_id = p.id AND pb.slot = 1
	JOIN people b ON b.id = pb.person_id`

var (
	qListPartnerships = query(partnershipSummaries + `
	WHERE (CAST(? AS TEXT) = '' OR p.status = ?)
	ORDER BY p.id`)
	// A page walks the primary key, or (status, id), from where the last
	// one ended, so it costs the same on page 1 and page 2,000.
	qPagePartnerships = query(partnershipSummaries + `
	WHERE p.id > ? ORDER BY p.id LIMIT ?`)
	qPagePartnershipsByStatus = query(partnershipSummaries + `
	WHERE p.status = ? AND p.id > ? ORDER BY p.id LIMIT ?`)
)

// ListPartnerships lists partnerships, all of them or those with status.
func (s *Store) ListPartnerships(ctx context.Context, status string) ([]PartnershipSummary, error) {
	var rows []summaryRow
	if err := s.selectAll(ctx, &rows, qListPartnerships, status, status); err != nil {
		return nil, fmt.Errorf("store: list partnerships: %w", err)
	}
	return summaries(rows), nil
}

// ListPartnershipsAfter lists up to limit partnerships with an ID greater
// than after, in ID order: all of them or those with status. The last ID
// of a page is the after of the next.
func (s *Store) ListPartnershipsAfter(ctx context.Context, status string, after int64, limit int) ([]PartnershipSummary, error) {
	if limit < 1 {
		return nil, fmt.Errorf("store: list partnerships: a page of %d", limit)
	}
	var rows []summaryRow
	var err error
	if status == "" {
		err = s.selectAll(ctx, &rows, qPagePartnerships, after, limit)
	} else {
		err = s.selectAll(ctx, &rows, qPagePartnershipsByStatus, status, after, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("store: list partnerships: %w", err)
	}
	return summaries(rows), nil
}

func summaries(rows []summaryRow) []PartnershipSummary {
	out := make([]PartnershipSummary, len(rows))
	for i, r := range rows {
		out[i] = r.PartnershipSummary
		out[i].A = PersonProgress{r.ARole, r.AName, r.AEmail, r.AStatus, r.APosition}
		out[i].B = PersonProgress{r.BRole, r.BName, r.BEmail, r.BStatus, r.BPosition}
	}
	return out
}
