package store

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"sync"
)

// Stored mail is kept compressed: a question mail with its text and HTML
// parts takes about a quarter of its size that way, and every partnership
// holds dozens of them (every welcome of an import waits in the outbox
// until it is sent). PostgreSQL compresses it itself, with lz4 where the
// server has it (migration 0015), for less CPU than gzip costs Accord, so
// mail goes there as it is; SQLite compresses nothing, so mail is
// gzip-compressed before it goes there. A message from before, or one too
// small to gain, is kept as it is: a mail starts with a header field name,
// in printable ASCII, never with gzip's first bytes, so the two cannot be
// confused, and mail is read back the same way from either database.

// compressAbove is the size under which mail is stored as it is.
const compressAbove = 1 << 10

var gzipMagic = []byte{0x1f, 0x8b}

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return w
}}

// packRaw is what the outbox stores of a message.
func (s *Store) packRaw(raw []byte) []byte {
	if s.dialect == Postgres || len(raw) < compressAbove {
		return raw
	}
	var b bytes.Buffer
	b.Grow(len(raw) / 3)
	w := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(w)
	w.Reset(&b)
	if _, err := w.Write(raw); err != nil {
		return raw
	}
	if err := w.Close(); err != nil || b.Len() >= len(raw) {
		return raw
	}
	return b.Bytes()
}

// unpackRaw reads back what packRaw stored.
func unpackRaw(stored []byte) ([]byte, error) {
	if !bytes.HasPrefix(stored, gzipMagic) {
		return stored, nil
	}
	r, err := gzip.NewReader(bytes.NewReader(stored))
	if err != nil {
		return nil, fmt.Errorf("store: stored mail: %w", err)
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("store: stored mail: %w", err)
	}
	return raw, nil
}
