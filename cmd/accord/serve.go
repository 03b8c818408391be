package main

import (
	"context"

	"accord/internal/service"
)

const serveUsage = `
Usage: accord serve

Runs Accord: reads replies from the mailbox, sends the mail that is due,
and wakes partnerships when questions, reminders and agreements are due,
until stopped with Ctrl-C or SIGTERM (work in progress is finished first).
Health, readiness and Prometheus metrics are served on http.listen
(127.0.0.1:8025 by default): /healthz, /readyz, /metrics.

With neither imap.url nor smtp.url configured, it runs in sandbox mode: a
mail server inside the process on 127.0.0.1, with a mailbox for the service
and for every person, and a SQLite database; nothing leaves the machine.
The mailboxes share one password, made on the first run and kept in
accord-sandbox-password beside the database.`

func runServe(ctx context.Context, a *app, args []string) error {
	fs := a.flags("serve", serveUsage)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments")
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	return service.Run(ctx, cfg, a.serviceOptions())
}
