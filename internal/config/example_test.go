package config_test

import (
	"fmt"

	"accord/internal/config"
)

// Every problem is reported at once, each with the setting it is about and
// where its value came from; the check-in timing is held to the domain's
// rules, said in the setting's own units.
func ExampleLoad() {
	env := map[string]string{"ACCORD_IMAP_BATCH_SIZE": "0", "ACCORD_CHECKINS_PREP_HOURS_BEFORE": "1"}
	_, err := config.Load("", func(name string) string { return env[name] })
	fmt.Println(err)
	// Output:
	// configuration: 3 problems:
	//   imap.batch_size (ACCORD_IMAP_BATCH_SIZE): 0: use 1 to 1000
	//   checkins.prep_hours_before (ACCORD_CHECKINS_PREP_HOURS_BEFORE): 1: use 2 to 168 hours
	//   checkins.agenda_minutes_before (default): 60: use at least 5 minutes, and less than the prep's 1 hours
}

// With neither imap.url nor smtp.url, serve runs its own mail server.
func ExampleConfig_SandboxMode() {
	cfg := config.Default()
	fmt.Println(cfg.SandboxMode(), cfg.Rules().Checkins.PrepBefore)
	cfg.IMAP.URL, cfg.SMTP.URL = "imaps://accord@mail.example.com/INBOX", "smtps://accord@mail.example.com"
	fmt.Println(cfg.SandboxMode())
	// Output:
	// true 24h0m0s
	// false
}
