package service

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestRunParts: a part that fails stops the others, each finishing its
// work, and serve returns the failure; a stop asked for is a clean one.
func TestRunParts(t *testing.T) {
	t.Parallel()
	// waiting is a part that runs until told to stop, then reports that
	// it finished.
	waiting := func(finished *bool) func(context.Context) error {
		return func(ctx context.Context) error {
			<-ctx.Done()
			*finished = true
			return nil
		}
	}
	broken := errors.New("mailbox deleted")
	for _, tc := range []struct {
		name string
		part func(context.Context) error
		want string // "" for a clean stop
	}{
		{"fails", func(context.Context) error { return broken }, "the poller stopped: mailbox deleted"},
		{"returns", func(context.Context) error { return nil }, "the poller stopped: it returned without being asked to"},
		{"runs until stopped", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, stop := context.WithCancel(context.Background())
			defer stop()
			var outbox, scheduler, poller bool
			part := tc.part
			if part == nil {
				part = waiting(&poller)
			}
			done := make(chan error, 1)
			go func() {
				done <- runParts(ctx, slog.New(slog.DiscardHandler), []servePart{
					{"outbox", waiting(&outbox)}, {"scheduler", waiting(&scheduler)}, {"poller", part},
				})
			}()
			if tc.want == "" {
				stop()
			}
			select {
			case err := <-done:
				switch {
				case tc.want == "" && err != nil:
					t.Fatalf("a stop asked for returned %v", err)
				case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
					t.Fatalf("runParts = %v, want %q", err, tc.want)
				case tc.want != "" && !errors.Is(err, broken) && tc.name == "fails":
					t.Fatalf("runParts = %v, which does not wrap the part's error", err)
				}
			case <-time.After(time.Minute):
				t.Fatal("runParts did not return within a minute")
			}
			if !outbox || !scheduler {
				t.Errorf("finished: outbox %v, scheduler %v; want both to finish their work", outbox, scheduler)
			}
		})
	}
}
