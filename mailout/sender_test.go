package mailout

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"accord/mailout/mailtest"
)

func TestSenderSecurityAndAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		sink     func(t testing.TB) *mailtest.Sink
		security Security
		auth     string
		trust    bool
		wantErr  string
	}{
		{"implicit TLS, PLAIN", func(t testing.TB) *mailtest.Sink { return mailtest.NewTLSSink(t, mailtest.ImplicitTLS) }, ImplicitTLS, "plain", true, ""},
		{"STARTTLS, LOGIN", func(t testing.TB) *mailtest.Sink { return mailtest.NewTLSSink(t, mailtest.StartTLS) }, StartTLS, "login", true, ""},
		{"plain, LOGIN", mailtest.NewSink, Plaintext, "login", false, ""},
		{"STARTTLS required but not offered", mailtest.NewSink, StartTLS, "plain", false, "STARTTLS"},
		{"untrusted certificate", func(t testing.TB) *mailtest.Sink { return mailtest.NewTLSSink(t, mailtest.ImplicitTLS) }, ImplicitTLS, "plain", false, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sink := tt.sink(t)
			sink.SetCredentials("accord", "s3cret")
			cfg := SMTPConfig{Host: sink.Host(), Port: sink.Port(), Security: tt.security, Username: "accord", Password: "s3cret", Auth: tt.auth, Timeout: 5 * time.Second}
			if tt.trust {
				cfg.TLS = sink.ClientTLS()
			}
			s, err := NewSender(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			reply, err := s.Send(context.Background(), "accord@example.com", "dana@example.com", []byte("Subject: hi\r\nMessage-ID: <x@example.com>\r\n\r\nhello\r\n"))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Send = %q, %v; want an error about %s", reply, err, tt.wantErr)
				}
				if n := len(sink.Received()); n != 0 {
					t.Errorf("%d messages reached the server over a connection that should have been refused", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := sink.WaitReceived(t, 1, 5*time.Second)
			if got[0].MessageID != "<x@example.com>" || got[0].From != "accord@example.com" || got[0].To[0] != "dana@example.com" {
				t.Errorf("server received %+v", got[0])
			}
		})
	}
}

func TestSenderWrongPassword(t *testing.T) {
	t.Parallel()
	sink := mailtest.NewSink(t)
	sink.SetCredentials("accord", "s3cret")
	s, err := NewSender(SMTPConfig{Host: sink.Host(), Port: sink.Port(), Security: Plaintext, Username: "accord", Password: "wrong"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Send(context.Background(), "accord@example.com", "dana@example.com", []byte("\r\nx\r\n"))
	var se *SendError
	if !errors.As(err, &se) || !se.AuthFailed() || se.Stage != "auth" {
		t.Fatalf("Send with a wrong password = %v, want an auth failure", err)
	}
	if err := s.Probe(context.Background()); err == nil {
		t.Error("Probe with a wrong password succeeded")
	}
}
