package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/lib/pq"
)

// Statements that share a round trip (see prefetch and execLater) go to
// PostgreSQL in one simple-protocol query, which takes no parameters: each
// used to be sent with its arguments written in as literals, so the server
// parsed and planned it on every call. Now each registered statement is
// prepared once per connection with SQL's PREPARE, under a name of its
// own, and the shared round trip runs EXECUTE name(literals…), which the
// server answers from its plan cache. The connection, not the transaction,
// knows what it has prepared: pgConn adds the PREPAREs a query needs in
// front of it, in the same round trip, the first time that connection
// sees them.

// preparedPrefix starts the name a registered statement is prepared
// under; the query's number in the registry follows.
const preparedPrefix = "accord_q"

// executeText is the EXECUTE that runs q with args written in as literals.
func executeText(q *Query, args []any) (string, error) {
	var b strings.Builder
	b.Grow(len(preparedPrefix) + 8 + 24*len(args))
	b.WriteString("EXECUTE ")
	b.WriteString(preparedPrefix)
	b.WriteString(strconv.Itoa(q.n))
	if len(args) > 0 {
		b.WriteByte('(')
		for i, a := range args {
			lit, err := literal(a)
			if err != nil {
				return "", err
			}
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(lit)
		}
		b.WriteByte(')')
	}
	return b.String(), nil
}

// pgConnector opens connections that remember their prepared statements.
type pgConnector struct{ *pq.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	inner, ok := dc.(pqConn)
	if !ok {
		dc.Close()
		return nil, fmt.Errorf("store: the PostgreSQL driver's connection lacks the methods Accord uses")
	}
	return &pgConn{pqConn: inner, prepared: map[int]bool{}}, nil
}

// pqConn is what lib/pq's connection offers database/sql; pgConn passes
// all of it on.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

// pgConn is a connection that prepares registered statements on first
// use. Like any driver connection it is used by one goroutine at a time.
type pgConn struct {
	pqConn
	// prepared holds the registry numbers of the statements prepared on
	// this session.
	prepared map[int]bool
	// unsure is set when a query that carried PREPAREs failed: which of
	// them the server kept is not known, so the connection is not reused.
	unsure bool
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	query, added := c.withPrepares(query, args)
	rows, err := c.pqConn.QueryContext(ctx, query, args)
	c.settle(added, err)
	return rows, err
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	query, added := c.withPrepares(query, args)
	res, err := c.pqConn.ExecContext(ctx, query, args)
	c.settle(added, err)
	return res, err
}

func (c *pgConn) ResetSession(ctx context.Context) error {
	if c.unsure {
		return driver.ErrBadConn
	}
	return c.pqConn.ResetSession(ctx)
}

func (c *pgConn) IsValid() bool { return !c.unsure && c.pqConn.IsValid() }

// withPrepares puts in front of a simple-protocol query the PREPAREs of
// the registered statements it executes that this connection has not
// prepared yet. A name that only appears inside a string literal (a
// person's answer, say) costs at most one needless PREPARE.
func (c *pgConn) withPrepares(query string, args []driver.NamedValue) (string, []int) {
	if len(args) > 0 || !strings.Contains(query, preparedPrefix) {
		return query, nil
	}
	var added []int
	var b strings.Builder
	for rest := query; ; {
		i := strings.Index(rest, preparedPrefix)
		if i < 0 {
			break
		}
		rest = rest[i+len(preparedPrefix):]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(rest[:j])
		if err != nil || n < 0 || n >= len(queries) || c.prepared[n] || slices.Contains(added, n) {
			continue
		}
		added = append(added, n)
		fmt.Fprintf(&b, "PREPARE %s%d AS %s;\n", preparedPrefix, n, queries[n].postgres)
	}
	if len(added) == 0 {
		return query, nil
	}
	b.WriteString(query)
	return b.String(), added
}

// settle records what a query that carried PREPAREs left on the server.
func (c *pgConn) settle(added []int, err error) {
	if len(added) == 0 {
		return
	}
	if err != nil {
		c.unsure = true
		return
	}
	for _, n := range added {
		c.prepared[n] = true
	}
}
