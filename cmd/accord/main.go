// Command accord runs Accord: serve is the service itself (it reads replies,
// sends mail and keeps time), and the other commands are the operator's
// tools to enrol partnerships and inspect their progress, manage the
// database schema, and check question sets, configuration and mail.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	_ "time/tzdata" // time zones work on machines without tzdata

	"accord/internal/config"
	"accord/internal/service"
	"accord/store"
	"accord/templates"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError is a mistake in how a command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// app is one invocation: its arguments, streams and environment, so tests
// can run commands in-process.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	env            func(string) string
	configPath     string
	cfg            *config.Config
	log            *slog.Logger
	// clock is the time source; tests pin it.
	clock store.Clock
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, a *app, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"serve", "run Accord: read replies, send mail, keep time (sandbox without mail settings)", runServe},
		{"demo", "watch a simulated pair go from welcome to agreement, offline", runDemo},
		{"migrate", "create or upgrade the database schema", runMigrate},
		{"pair", "enrol and manage partnerships (add, list, show, pause, resume, end)", runPair},
		{"checkin", "set, skip, move, pause or cancel a pair's weekly check-ins", runCheckin},
		{"import", "enrol many partnerships from a CSV file, all or none", runImport},
		{"questions", "check a question set file (questions check FILE)", runQuestions},
		{"send-test", "send sample mail of every kind to an address", runSendTest},
		{"extract", "show what Accord keeps of a reply (.eml, .txt, .html)", runExtract},
		{"inbound", "list the mail read from the mailbox and its outcomes", runInbound},
		{"unbounce", "let mail go to an address again after it bounced", runUnbounce},
		{"mail", "sign the mailbox in with OAuth (mail login) or check that Accord can use it (mail check)", runMail},
		{"config", "print the effective configuration (config check)", runConfig},
		{"version", "print the version", runVersion},
		{"help", "explain a command (help COMMAND)", runHelp},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) int {
	return runApp(ctx, &app{stdin: os.Stdin, stdout: stdout, stderr: stderr, env: env}, args)
}

// runApp executes one command line for a, whose clock tests may pin.
func runApp(ctx context.Context, a *app, args []string) int {
	stdout, stderr, env := a.stdout, a.stderr, a.env
	fs := flag.NewFlagSet("accord", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.configPath, "config", env("ACCORD_CONFIG"), "configuration file (default accord.toml when present)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printOverview(stdout)
			return exitOK
		}
		fmt.Fprintf(stderr, "accord: %v\n\n", err)
		printOverview(stderr)
		return exitUsage
	}
	rest := fs.Args()
	if len(rest) == 0 {
		printOverview(stderr)
		return exitUsage
	}
	var cmd *command
	for i := range commands {
		if commands[i].name == rest[0] {
			cmd = &commands[i]
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "accord: unknown command %q%s\n\n", rest[0], commandHint(rest[0]))
		printOverview(stderr)
		return exitUsage
	}
	err := cmd.run(ctx, a, rest[1:])
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "accord %s: %s\n", cmd.name, templates.ErrorText(err))
		fmt.Fprintf(stderr, "Run 'accord help %s' for usage.\n", cmd.name)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "accord %s: %s\n", cmd.name, templates.ErrorText(err))
		return exitFailure
	}
}

// commandHint is a "did you mean" for an unknown command: a pair
// subcommand given on its own (accord add), or a command a slip away.
func commandHint(name string) string {
	if slices.Contains(pairSubcommands, name) {
		return fmt.Sprintf("; did you mean accord pair %s?", name)
	}
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	if s := templates.Suggest(name, names); s != "" {
		return fmt.Sprintf("; did you mean accord %s?", s)
	}
	return ""
}

func printOverview(w io.Writer) {
	fmt.Fprint(w, `Accord helps two people at work build a working partnership by email.

Usage: accord [--config FILE] COMMAND [arguments]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Every command takes -h. Configuration comes from accord.toml (or --config,
or ACCORD_CONFIG) and ACCORD_* environment variables; see 'accord config check'.
`)
}

// flags returns a flag set for a subcommand whose -h prints usage text.
func (a *app) flags(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	w := a.stdout
	fs.Usage = func() {
		fmt.Fprintln(w, strings.TrimSpace(usage))
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if len(names) == 0 {
			return
		}
		sort.Strings(names)
		fmt.Fprintln(w, "\nFlags:")
		for _, n := range names {
			f := fs.Lookup(n)
			def := ""
			if f.DefValue != "" && f.DefValue != "false" {
				def = fmt.Sprintf(" (default %s)", f.DefValue)
			}
			fmt.Fprintf(w, "  --%-12s %s%s\n", f.Name, f.Usage, def)
		}
	}
	return fs
}

// parse parses subcommand flags, turning flag errors other than -h (whose
// usage text the flag package has already printed) into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return flag.ErrHelp
	}
	if err != nil {
		return usageError{err.Error()}
	}
	return nil
}

// loadConfig loads the configuration once and sets up logging from it.
func (a *app) loadConfig() (*config.Config, error) {
	if a.cfg != nil {
		return a.cfg, nil
	}
	cfg, err := config.Load(a.configPath, a.env)
	if err != nil {
		return nil, err
	}
	level := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}[cfg.Log.Level]
	opts := &slog.HandlerOptions{Level: level}
	if cfg.Log.Format == "json" {
		a.log = slog.New(slog.NewJSONHandler(a.stderr, opts))
	} else {
		a.log = slog.New(slog.NewTextHandler(a.stderr, opts))
	}
	a.cfg = cfg
	return cfg, nil
}

// now is the time, from the injected clock when tests set one.
func (a *app) now() time.Time {
	if a.clock != nil {
		return a.clock.Now()
	}
	return time.Now()
}

// serviceOptions are the app's log, clock and output, for the service and
// the store it opens.
func (a *app) serviceOptions() service.Options {
	return service.Options{Logger: a.log, Clock: a.clock, Out: a.stdout}
}

// openStore opens the configured database as the service does and checks
// its schema (a brand new SQLite file gets it on the spot).
func (a *app) openStore(ctx context.Context) (*store.Store, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	return service.OpenStore(ctx, cfg, a.serviceOptions())
}

func runMigrate(ctx context.Context, a *app, args []string) error {
	fs := a.flags("migrate", `
Usage: accord migrate

Creates the database schema, or brings it up to date after an upgrade. Each
step runs in its own transaction; running it again does nothing. Several
instances may run it at once.`)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("migrate takes no arguments")
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	st, err := service.OpenStoreUnchecked(ctx, cfg, a.serviceOptions())
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(a.stdout, "The database %s is up to date (schema version %d).\n", st.Where(), v)
		return nil
	}
	for _, m := range applied {
		fmt.Fprintf(a.stdout, "applied %04d_%s\n", m.Version, m.Name)
	}
	fmt.Fprintf(a.stdout, "The database %s is at schema version %d.\n", st.Where(), v)
	return nil
}

func runVersion(_ context.Context, a *app, args []string) error {
	fs := a.flags("version", "Usage: accord version")
	if err := parse(fs, args); err != nil {
		return err
	}
	version, revision := "(devel)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				revision = " " + s.Value[:12]
			}
		}
	}
	ms, err := store.Migrations(store.SQLite)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "accord %s%s, database schema %d\n", version, revision, len(ms))
	return nil
}

func runHelp(_ context.Context, a *app, args []string) error {
	if len(args) == 0 {
		printOverview(a.stdout)
		return nil
	}
	for _, c := range commands {
		if c.name == args[0] && c.name != "help" {
			return c.run(context.Background(), a, append(args[1:], "-h"))
		}
	}
	return usagef("no command %q", args[0])
}

func runConfig(_ context.Context, a *app, args []string) error {
	fs := a.flags("config", `
Usage: accord config check

Reads the configuration (file, then environment), reports every problem, and
prints the effective settings with secrets masked and where each came from.`)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || fs.Arg(0) != "check" {
		return usagef("the only config subcommand is: accord config check")
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	cfg.Write(a.stdout)
	fmt.Fprintf(a.stdout, "\n# sign-in: %s\n", cfg.SignInSummary())
	return nil
}
