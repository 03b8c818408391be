package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// numbers is the rows 1 to ? as a table of one column, i, on either
// database.
const numbers = `(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) SELECT i FROM n) AS numbers`

// bulkRows fills the tables a partnership's mail and answers go to with
// rows, ? partnerships' worth, a statement per table, so that the planner
// chooses as it would in a large database.
var bulkRows = []*Query{
	query(`INSERT INTO people (email, name, time_zone, created_at) SELECT 'a' || i || '@bulk.test', 'A', 'UTC', ? FROM ` + numbers),
	query(`INSERT INTO people (email, name, time_zone, created_at) SELECT 'b' || i || '@bulk.test', 'B', 'UTC', ? FROM ` + numbers),
	query(`INSERT INTO partnerships (kind, status, question_set_id, pair_key, created_at, updated_at)
		SELECT 'peer', 'answering', (SELECT MIN(id) FROM question_sets), 'bulk:' || i, ?, ? FROM ` + numbers),
	query(`INSERT INTO participants (partnership_id, person_id, slot, role, status)
		SELECT p.id, pe.id, CASE WHEN pe.name = 'A' THEN 0 ELSE 1 END, 'peer', 'active' FROM partnerships p
		JOIN people pe ON pe.email IN ('a' || SUBSTR(p.pair_key, 6) || '@bulk.test', 'b' || SUBSTR(p.pair_key, 6) || '@bulk.test')
		WHERE p.pair_key LIKE 'bulk:%' AND p.created_at = ?`),
	query(`INSERT INTO prompts (partnership_id, participant_id, question_id, position, state, sent_at, nudged_at)
		SELECT pt.partnership_id, pt.id, 'q1', 0, 'answered', ?, ? FROM participants pt JOIN people pe ON pe.id = pt.person_id
		WHERE pe.email LIKE '%@bulk.test'`),
	query(`INSERT INTO answers (partnership_id, participant_id, prompt_id, question_id, body, created_at)
		SELECT partnership_id, participant_id, id, question_id, 'fine', ? FROM prompts WHERE question_id = 'q1' AND state = 'answered'`),
	query(`INSERT INTO reveals (viewer_id, answer_id, created_at, delivered_at)
		SELECT participant_id, id, ?, CASE WHEN id % 2 = 0 THEN created_at END FROM answers`),
	query(`INSERT INTO outbox (partnership_id, participant_id, recipient, kind, thread, message_id, raw, state, created_at)
		SELECT pt.partnership_id, pt.id, 'x@bulk.test', 'question', 'questions', 'bulk-' || pt.id, '', 'sent', ? FROM participants pt`),
}

var qBulkJobs = query(`INSERT INTO jobs (kind, payload, state, run_at, attempts, created_at, finished_at)
	SELECT 'mail', '{}', 'done', ?, 1, ?, ? FROM ` + numbers)

// fillBulk adds n partnerships' worth of rows to every table, jobs jobs
// finished at finished and a twentieth as many finished long before.
func fillBulk(ctx context.Context, t *testing.T, st *Store, n, jobs int, at, finished time.Time) {
	t.Helper()
	args := [][]any{{ts(at), n}, {ts(at), n}, {ts(at), ts(at), n}, {ts(at)}, {ts(at), ts(at)}, {ts(at)}, {ts(at)}, {ts(at)}}
	for i, q := range bulkRows {
		if _, err := st.exec(ctx, q, args[i]...); err != nil {
			t.Fatalf("%s: %v", st.sql(q), err)
		}
	}
	for _, batch := range []struct {
		n  int
		at time.Time
	}{{jobs, finished}, {jobs / 20, finished.Add(-2 * JobRetention)}} {
		if _, err := st.exec(ctx, qBulkJobs, ts(batch.at), ts(batch.at), ts(batch.at), batch.n); err != nil {
			t.Fatal(err)
		}
	}
}

// seqScan matches a plan line that reads a whole table of those that grow
// with partnerships or jobs: "Seq Scan on jobs" on PostgreSQL, "SCAN jobs"
// (or its alias) on SQLite. SQLite also says SCAN for a walk along an
// index in its order, which the LIMIT of the queries that do so stops.
var seqScan = regexp.MustCompile(`Seq Scan on (jobs|partnerships|participants|people|prompts|answers|reveals|outbox|reply_tokens)\b|` +
	`^SCAN (jobs|p|partnerships|pt|participants|me|other|lp|pe|people|a|b|pa|pb|pr|prompts|answers|r|reveals|outbox|rt|reply_tokens)$`)

// TestHotQueriesUseIndexes: with many partnerships and many more finished
// jobs in the database, the job claim and the lookups made for each mail,
// each wake and each page of the operator's list read through indexes,
// never a whole table, so their cost follows what is due, not what is
// stored. Run with -v to see the plans.
func TestHotQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		clock := newClock(t0)
		st := openStore(t, url, Options{Clock: clock})
		ids := ok(st.EnrollAll(ctx, scaleRows(300)))(t)
		// Many partnerships, and many jobs that finished lately (within
		// retention) and some long ago. PostgreSQL's planner weighs
		// table sizes, so it gets tables large enough to make a whole
		// read costly; SQLite's planner prefers an index whatever the
		// sizes, and filling its tables is slow under the race detector,
		// so a fifth of that shows its plans as well.
		partnerships, jobs := 20000, 50000
		if st.Dialect() == SQLite {
			partnerships, jobs = 4000, 10000
		}
		fillBulk(ctx, t, st, partnerships, jobs, t0.Add(-time.Hour), t0.Add(-24*time.Hour))
		if _, err := st.db.ExecContext(ctx, "ANALYZE"); err != nil {
			t.Fatal(err)
		}
		p := ok(st.Load(ctx, ids[150]))(t)
		pt := p.Participants[0]
		now := ts(t0.Add(time.Hour))
		id := ids[150]
		tests := []struct {
			name string
			text string
			args []any
		}{
			{"claim mail", st.sql(qClaim), []any{"w", now, `["mail"]`, now, now, 10}},
			{"claim scheduled work", st.sql(qClaim), []any{"w", now, `["wake","purge-inbound","sweep-jobs"]`, now, now, 10}},
			{"next available job", st.sql(qNextAvailable), nil},
			{"next lease to end", st.sql(qNextExpiring), nil},
			{"complete a job", st.sql(qCompleteJob), []any{now, 7, "w", 1}},
			{"sweep finished jobs", st.sql(qSweepJobs), []any{ts(t0.Add(-JobRetention)), sweepBatch}},
			{"outbound message", st.sql(qOutboxByID), []any{7}},
			{"bounces of a recipient", st.sql(qBounceOf), []any{"report7@example.test"}},
			{"thread of a participant", st.sql(qThread), []any{pt.ID, "questions", pt.ID, "questions", ThreadLength - 1}},
			{"reply token", st.sql(qResolveToken), []any{HashToken("x")}},
			{"load participants", st.sql(qLoadParticipants), []any{id}},
			{"load prompts", st.sql(qLoadPrompts), []any{id}},
			{"load answers", st.sql(qLoadAnswers), []any{id}},
			{"load what was seen", st.sql(qLoadSeen), []any{id}},
			{"load reveals", st.sql(qLoadReveals), []any{id}},
			{"load agreements", st.sql(qLoadAgreements), []any{id}},
			{"load amendments", st.sql(qLoadAmendments), []any{id}},
			{"load draft", st.sql(qLatestDraft), []any{id}},
			{"load check-ins", st.sql(qLoadSeries), []any{id}},
			{"load reviews", st.sql(qLoadReviews), []any{id}},
			{"other check-ins", st.sql(qLoadOtherSeries), []any{id, id}},
			{"other check-in plans", st.sql(qLoadOtherPlans), []any{id, id}},
			{"list page", st.sql(qPagePartnerships), []any{id, 50}},
			{"list page by status", st.sql(qPagePartnershipsByStatus), []any{"answering", id, 50}},
			{"enrol: live pairs", rebind(st, fmt.Sprintf(livePairsByKey, inList(2))), []any{"1:2", "3:4"}},
			{"enrol: people", rebind(st, fmt.Sprintf(peopleByEmail, inList(2))), []any{"lead1@example.test", "report7@example.test"}},
			{"enrol: pending welcomes", rebind(st, fmt.Sprintf(pendingWelcomes, inList(2))), []any{pt.Person.ID, int64(3)}},
			{"enrol: sent welcomes", rebind(st, fmt.Sprintf(sentWelcomes, inList(2))), []any{pt.Person.ID, int64(3)}},
		}
		for _, tt := range tests {
			plan := explain(t, st, tt.text, tt.args)
			t.Logf("%s:\n%s", tt.name, plan)
			for _, line := range strings.Split(plan, "\n") {
				if seqScan.MatchString(strings.TrimSpace(line)) {
					t.Errorf("%s reads a whole table: %s\n%s", tt.name, strings.TrimSpace(line), plan)
				}
			}
		}
	})
}

func rebind(st *Store, text string) string {
	if st.dialect == Postgres {
		return sqlx.Rebind(sqlx.DOLLAR, text)
	}
	return text
}

// explain is the database's plan for a statement, one step a line.
func explain(t *testing.T, st *Store, text string, args []any) string {
	t.Helper()
	prefix := "EXPLAIN QUERY PLAN "
	if st.dialect == Postgres {
		prefix = "EXPLAIN "
	}
	rows, err := st.db.QueryContext(context.Background(), prefix+text, args...)
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", text, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		// PostgreSQL: one column of text; SQLite: id, parent, notused,
		// detail.
		lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
