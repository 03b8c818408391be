package storetest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Wire is a proxy on loopback in front of a PostgreSQL server that reads
// the protocol going by and counts what its clients cost the server, so a
// test can hold the number of round trips and commits per unit of work to
// a bound. It needs sslmode=disable: it reads the plain protocol.
//
//   - A round trip is one ReadyForQuery from the server: each simple query
//     and each extended-protocol Sync gets exactly one, and a client that
//     does not pipeline waits for it before it goes on.
//   - A commit is a COMMIT, or statements run outside any transaction,
//     which commit on their own (those of one multi-statement simple query
//     together); Reads counts those of them that only read.
type Wire struct {
	// URL is the database URL with its host replaced by the proxy's.
	URL string

	mu     sync.Mutex
	counts WireCounts
}

// WireCounts is what a Wire has seen so far.
type WireCounts struct {
	RoundTrips, Commits, Reads, Rollbacks, Connections int
	// Idle counts the round trips (each also a commit) that were one
	// update changing nothing: a worker looking for work and finding
	// none. They cost the server per second, not per unit of work.
	Idle int
	// Statements counts executions by the statement's text.
	Statements map[string]int
}

// Sub is what happened between an earlier snapshot and this one.
func (c WireCounts) Sub(earlier WireCounts) WireCounts {
	d := WireCounts{RoundTrips: c.RoundTrips - earlier.RoundTrips, Commits: c.Commits - earlier.Commits,
		Reads: c.Reads - earlier.Reads, Rollbacks: c.Rollbacks - earlier.Rollbacks,
		Connections: c.Connections - earlier.Connections, Idle: c.Idle - earlier.Idle, Statements: map[string]int{}}
	for k, v := range c.Statements {
		if n := v - earlier.Statements[k]; n != 0 {
			d.Statements[k] = n
		}
	}
	return d
}

// Top lists the n statements run most often, with their counts, one per
// line, each shortened to the first 72 characters of its one-line form.
func (c WireCounts) Top(n int) string {
	// Statements sent with their arguments written in differ only after
	// their start: they are counted together.
	byStart := map[string]int{}
	for k, v := range c.Statements {
		text := strings.Join(strings.Fields(k), " ")
		if len(text) > 72 {
			text = text[:72] + "…"
		}
		byStart[text] += v
	}
	type kv struct {
		text  string
		count int
	}
	var all []kv
	for k, v := range byStart {
		all = append(all, kv{k, v})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].count != all[j].count {
			return all[i].count > all[j].count
		}
		return all[i].text < all[j].text
	})
	var b strings.Builder
	for i, e := range all {
		if i == n {
			break
		}
		fmt.Fprintf(&b, "%6d  %s\n", e.count, e.text)
	}
	return b.String()
}

// NewWire starts a counting proxy for the server named by rawURL and
// stops it when the test ends.
func NewWire(t testing.TB, rawURL string) *Wire {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	if u.Query().Get("sslmode") != "disable" {
		t.Fatalf("storetest.NewWire reads the plain protocol: the URL needs sslmode=disable, got %q", u.RawQuery)
	}
	upstream := u.Host
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &Wire{counts: WireCounts{Statements: map[string]int{}}}
	u.Host = l.Addr().String()
	w.URL = u.String()
	var wg sync.WaitGroup
	var conns sync.Map
	t.Cleanup(func() {
		l.Close()
		conns.Range(func(k, _ any) bool { k.(net.Conn).Close(); return true })
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			client, err := l.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", upstream)
			if err != nil {
				client.Close()
				continue
			}
			conns.Store(client, true)
			conns.Store(server, true)
			w.mu.Lock()
			w.counts.Connections++
			w.mu.Unlock()
			c := &wireConn{w: w, names: map[string]string{}, status: 'I', readOnly: true}
			wg.Add(2)
			go func() {
				defer wg.Done()
				c.fromClient(client, server)
				server.Close()
			}()
			go func() {
				defer wg.Done()
				c.fromServer(server, client)
				client.Close()
			}()
		}
	}()
	return w
}

// Counts is a snapshot of what the proxy has seen.
func (w *Wire) Counts() WireCounts {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.counts
	c.Statements = make(map[string]int, len(w.counts.Statements))
	for k, v := range w.counts.Statements {
		c.Statements[k] = v
	}
	return c
}

// wireConn is one client connection's protocol state.
type wireConn struct {
	w  *Wire
	mu sync.Mutex
	// names maps prepared statement names to their text; "" is the
	// unnamed statement.
	names map[string]string
	// status is the server's last transaction status: 'I' idle, 'T' in a
	// transaction, 'E' in a failed one.
	status byte
	// implicit is set when a statement ran outside a transaction since
	// the last ReadyForQuery; readOnly while all such were SELECTs.
	implicit, readOnly bool
	// tags are the command tags since the last ReadyForQuery.
	tags []string
}

// fromClient copies the client's messages to the server, noting the
// statements they run.
func (c *wireConn) fromClient(client, server net.Conn) {
	r := bufio.NewReader(client)
	out := bufio.NewWriter(server)
	// The startup message has no type byte.
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return
	}
	n := int(binary.BigEndian.Uint32(head[:]))
	if n < 4 {
		return
	}
	body := make([]byte, n-4)
	if _, err := io.ReadFull(r, body); err != nil {
		return
	}
	out.Write(head[:])
	out.Write(body)
	if err := out.Flush(); err != nil {
		return
	}
	for {
		typ, body, err := readMessage(r)
		if err != nil {
			return
		}
		c.client(typ, body)
		writeMessage(out, typ, body)
		if r.Buffered() == 0 {
			if err := out.Flush(); err != nil {
				return
			}
		}
	}
}

// fromServer copies the server's messages to the client, counting round
// trips and commits.
func (c *wireConn) fromServer(server, client net.Conn) {
	r := bufio.NewReader(server)
	out := bufio.NewWriter(client)
	for {
		typ, body, err := readMessage(r)
		if err != nil {
			return
		}
		c.server(typ, body)
		writeMessage(out, typ, body)
		if r.Buffered() == 0 {
			if err := out.Flush(); err != nil {
				return
			}
		}
	}
}

func readMessage(r *bufio.Reader) (byte, []byte, error) {
	var head [5]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return 0, nil, err
	}
	n := int(binary.BigEndian.Uint32(head[1:]))
	if n < 4 {
		return 0, nil, errors.New("storetest: malformed protocol message")
	}
	body := make([]byte, n-4)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, nil, err
	}
	return head[0], body, nil
}

func writeMessage(w *bufio.Writer, typ byte, body []byte) {
	var head [5]byte
	head[0] = typ
	binary.BigEndian.PutUint32(head[1:], uint32(len(body)+4))
	w.Write(head[:])
	w.Write(body)
}

// cstring reads a NUL-terminated string from the front of b.
func cstring(b []byte) (string, []byte) {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return string(b), nil
	}
	return string(b[:i]), b[i+1:]
}

func (c *wireConn) client(typ byte, body []byte) {
	switch typ {
	case 'Q': // simple query
		text, _ := cstring(body)
		c.ran(text)
	case 'P': // Parse: statement name, text
		name, rest := cstring(body)
		text, _ := cstring(rest)
		c.mu.Lock()
		c.names[name] = text
		c.mu.Unlock()
	case 'B': // Bind: portal, statement name
		_, rest := cstring(body)
		name, _ := cstring(rest)
		c.mu.Lock()
		text := c.names[name]
		c.mu.Unlock()
		c.ran(text)
	}
}

func (c *wireConn) ran(text string) {
	c.w.mu.Lock()
	c.w.counts.Statements[text]++
	c.w.mu.Unlock()
}

func (c *wireConn) server(typ byte, body []byte) {
	switch typ {
	case 'Z': // ReadyForQuery: the end of a round trip
		c.mu.Lock()
		implicit, readOnly := c.implicit, c.readOnly
		idle := implicit && len(c.tags) == 1 && c.tags[0] == "UPDATE 0"
		c.implicit, c.readOnly, c.tags = false, true, c.tags[:0]
		if len(body) > 0 {
			c.status = body[0]
		}
		c.mu.Unlock()
		c.w.mu.Lock()
		c.w.counts.RoundTrips++
		if idle {
			c.w.counts.Idle++
		}
		if implicit {
			// Statements run outside a transaction commit on their
			// own; those of one simple query, together.
			c.w.counts.Commits++
			if readOnly {
				c.w.counts.Reads++
			}
		}
		c.w.mu.Unlock()
	case 'C': // CommandComplete
		tag, _ := cstring(body)
		verb, _, _ := strings.Cut(tag, " ")
		c.mu.Lock()
		defer c.mu.Unlock()
		c.tags = append(c.tags, tag)
		switch verb {
		case "COMMIT":
			c.w.mu.Lock()
			c.w.counts.Commits++
			c.w.mu.Unlock()
		case "ROLLBACK":
			c.w.mu.Lock()
			c.w.counts.Rollbacks++
			c.w.mu.Unlock()
		case "BEGIN":
			c.status = 'T'
		default:
			if c.status == 'I' {
				c.implicit = true
				c.readOnly = c.readOnly && verb == "SELECT"
			}
		}
	}
}
