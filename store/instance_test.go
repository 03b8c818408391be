package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestInstanceName: no two live processes share an instance name on one
// database, and a process that comes back under its name after a crash
// takes back the jobs and inbound mail it held at once, not when their
// leases run out.
func TestInstanceName(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, url string) {
		ctx := context.Background()
		clock := newClock(t0)
		first := openStore(t, url, Options{Clock: clock})
		in, err := first.ClaimInstance(ctx, "host-a", "outbox", "mailin")
		if err != nil {
			t.Fatalf("ClaimInstance: %v", err)
		}
		// The first run claims a job and a message, then dies with both.
		if _, _, err := first.Enqueue(ctx, NewJob{Kind: KindMail, RunAt: t0}); err != nil {
			t.Fatal(err)
		}
		jobs, err := first.ClaimJobs(ctx, WorkerName("outbox", "host-a"), []string{KindMail}, 10, 5*time.Minute)
		if err != nil || len(jobs) != 1 {
			t.Fatalf("ClaimJobs = %d jobs, %v", len(jobs), err)
		}
		msg := NewInbound{Key: InboundKey{Mailbox: "INBOX", UIDValidity: 1, UID: 1}, MessageKey: "a@example.test <m@x>", MessageID: "<m@x>",
			RawSHA256: "r", ContentSHA256: "c", Raw: []byte("x")}
		if c, err := first.ClaimInbound(ctx, msg, WorkerName("mailin", "host-a"), 5*time.Minute, 5); err != nil || c.State != Claimed {
			t.Fatalf("ClaimInbound = %+v, %v", c, err)
		}

		second := openStore(t, url, Options{Clock: clock})
		if _, err := second.ClaimInstance(ctx, "host-a"); !errors.Is(err, ErrInstanceTaken) {
			t.Fatalf("a second live process as host-a: %v, want ErrInstanceTaken", err)
		}
		other, err := second.ClaimInstance(ctx, "host-b", "outbox", "mailin")
		if err != nil {
			t.Fatalf("another name beside it: %v", err)
		}
		if got, _ := second.ClaimJobs(ctx, WorkerName("outbox", "host-b"), []string{KindMail}, 10, 5*time.Minute); len(got) != 0 {
			t.Errorf("host-b took %d jobs still leased by host-a", len(got))
		}
		other.Close()

		// The crash: the hold goes with the process.
		if err := in.Close(); err != nil {
			t.Fatal(err)
		}
		again, err := second.ClaimInstance(ctx, "host-a", "outbox", "mailin")
		if err != nil {
			t.Fatalf("host-a after its crash: %v", err)
		}
		defer again.Close()
		got, err := second.ClaimJobs(ctx, WorkerName("outbox", "host-a"), []string{KindMail}, 10, 5*time.Minute)
		if err != nil || len(got) != 1 || got[0].ID != jobs[0].ID {
			t.Errorf("after the restart host-a claims %d jobs (%v), want its own one back at once", len(got), err)
		}
		if c, err := second.ClaimInbound(ctx, msg, WorkerName("mailin", "host-b"), 5*time.Minute, 5); err != nil || c.State != Claimed {
			t.Errorf("the message host-a held, claimed after its restart: %+v, %v; want it free at once", c, err)
		}
	})
}
