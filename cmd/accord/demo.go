package main

import (
	"context"

	"accord/internal/demo"
)

const demoUsage = `
Usage: accord demo [--out DIR] [--speed N] [--lang LANG]
       accord demo --interactive [--out DIR] [--lang LANG]

Shows Accord from first mail to the written agreement and the weekly
check-ins after it, with nothing to set up. A sample pair is enrolled, Dana
Lee (lead, Berlin) and Sam Ortiz (report, New York), and two simulated
people answer the way real people do: top-posted replies with quotes and
signatures, a bottom-posted one, an HTML-only one, an out-of-office
auto-reply, a skip, a mistyped pause ("did you mean"), a pause and a
resume, and an answer taken back with undo. Then Dana says when to meet
(her first choice is night for Sam and is refused), both accept the
calendar invitation, prepare, get the agenda and record action items; Sam
moves one meeting, in his own time, and Dana skips a week. Then comes the review
(after four weeks here rather than a quarter): both rate the partnership,
look back and rewrite their commitments, the agreement grows to version 2
and both get a digest of their quarter. Then Sam leaves: he replies stop,
confirms it, both calendars drop the series and Dana is told. Two simulated months pass in
seconds. All mail goes through a mail server inside this
process: nothing leaves the machine.

It prints who got what and what was recorded, and writes into DIR:
  NNNN-<recipient>-<kind>.eml   every message in order; open any in a mail client
  agreement-vN.md, .html        each version of the agreement (v1, and v2 after the review)
  transcript.txt                what was printed
  accord.db, accord.log         the database and the service's log
Files from an earlier demo in DIR are replaced; nothing else is touched.

With --lang fr (or de, es) Dana and Sam read French: every mail,
agreement and calendar invitation is written in it. They write in it
too, from mail clients set to it, with the commands French readers use.

With --interactive there are no simulated people and the clock is real:
the same pair is enrolled, quiet hours are off, and the sandbox's IMAP and
SMTP ports are printed. Connect any mail client and play both roles; stop
with Ctrl-C.`

func runDemo(ctx context.Context, a *app, args []string) error {
	fs := a.flags("demo", demoUsage)
	out := fs.String("out", "accord-demo", "directory for the messages, agreements and database")
	speed := fs.Float64("speed", 0, "simulated hours per real second, to watch it unfold; 0 runs as fast as it can")
	interactive := fs.Bool("interactive", false, "no simulated people: answer as Dana and Sam from a mail client")
	lang := fs.String("lang", "", "the language Dana and Sam read: en, fr, de or es")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("demo takes no arguments")
	}
	if *speed < 0 {
		return usagef("--speed must be 0 (as fast as possible) or more")
	}
	if err := checkLanguage(*lang); err != nil {
		return usagef("--lang %s", err)
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	return demo.Run(ctx, cfg, demo.Options{Dir: *out, Speed: *speed, Interactive: *interactive, Out: a.stdout, Logger: a.log, Lang: *lang})
}
