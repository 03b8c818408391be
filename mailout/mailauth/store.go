package mailauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/oauth2"
)

// Bytes is a TokenStore over any place that keeps bytes: the token is
// kept as JSON. Load returns ErrNoToken (or an error wrapping it) before
// the first save.
type Bytes struct {
	LoadBytes func(ctx context.Context) ([]byte, error)
	SaveBytes func(ctx context.Context, b []byte) error
}

// Load reads the token.
func (s Bytes) Load(ctx context.Context) (*oauth2.Token, error) {
	b, err := s.LoadBytes(ctx)
	if err != nil {
		return nil, err
	}
	var t oauth2.Token
	if err := json.Unmarshal(b, &t); err != nil || t.RefreshToken == "" {
		return nil, fmt.Errorf("the stored sign-in cannot be read; run accord mail login again: %w", ErrNoToken)
	}
	return &t, nil
}

// Save writes the token; only the refresh token and the access token's
// expiry matter across runs.
func (s Bytes) Save(ctx context.Context, t *oauth2.Token) error {
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return s.SaveBytes(ctx, b)
}

// File keeps the token in a file readable by its owner alone, replaced
// whole at each save so that a crash never leaves half a token.
func File(path string) TokenStore {
	return Bytes{
		LoadBytes: func(context.Context) ([]byte, error) {
			b, err := os.ReadFile(path)
			if errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%s: %w", path, ErrNoToken)
			}
			return b, err
		},
		SaveBytes: func(_ context.Context, b []byte) error {
			f, err := os.CreateTemp(filepath.Dir(path), ".accord-token-*")
			if err != nil {
				return err
			}
			defer os.Remove(f.Name())
			if err := f.Chmod(0o600); err != nil {
				f.Close()
				return err
			}
			if _, err := f.Write(b); err != nil {
				f.Close()
				return err
			}
			if err := f.Sync(); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			return os.Rename(f.Name(), path)
		},
	}
}
