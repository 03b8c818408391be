package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

var (
	qOAuthToken     = query(`SELECT token FROM oauth_tokens WHERE name = ?`)
	qSaveOAuthToken = query(`INSERT INTO oauth_tokens (name, token, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET token = excluded.token, updated_at = excluded.updated_at`)
)

// OAuthToken reads the stored token of a mailbox sign-in, or ErrNotFound
// before the first login.
func (s *Store) OAuthToken(ctx context.Context, name string) ([]byte, error) {
	var tok string
	err := s.get(ctx, &tok, qOAuthToken, name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: sign-in %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: sign-in %s: %w", name, err)
	}
	return []byte(tok), nil
}

// SaveOAuthToken keeps the token of a mailbox sign-in, replacing the one
// before.
func (s *Store) SaveOAuthToken(ctx context.Context, name string, token []byte) error {
	if _, err := s.exec(ctx, qSaveOAuthToken, name, string(token), ts(s.clock.Now())); err != nil {
		return fmt.Errorf("store: save sign-in %s: %w", name, err)
	}
	return nil
}
