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

// usage is a usage error that says text, an operator text.
func usage(text string) error { return usageError{text} }

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
		{"serve", templates.Operator("serve.summary", nil), runServe},
		{"demo", templates.Operator("demo.summary", nil), runDemo},
		{"migrate", templates.Operator("migrate.summary", nil), runMigrate},
		{"pair", templates.Operator("pair.summary", nil), runPair},
		{"checkin", templates.Operator("checkin.summary", nil), runCheckin},
		{"import", templates.Operator("import.summary", nil), runImport},
		{"questions", templates.Operator("questions.summary", nil), runQuestions},
		{"send-test", templates.Operator("send-test.summary", nil), runSendTest},
		{"extract", templates.Operator("extract.summary", nil), runExtract},
		{"inbound", templates.Operator("inbound.summary", nil), runInbound},
		{"unbounce", templates.Operator("unbounce.summary", nil), runUnbounce},
		{"mail", templates.Operator("mail.summary", nil), runMail},
		{"config", templates.Operator("config.summary", nil), runConfig},
		{"version", templates.Operator("version.summary", nil), runVersion},
		{"help", templates.Operator("help.summary", nil), runHelp},
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
	fs.StringVar(&a.configPath, "config", env("ACCORD_CONFIG"), templates.Operator("accord.flag.config", nil))
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
		fmt.Fprintf(stderr, "%s\n\n", templates.Operator("accord.unknown-command", templates.Args{"Name": rest[0], "Hint": commandHint(rest[0])}))
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
		fmt.Fprintln(stderr, templates.Operator("accord.run-help", templates.Args{"Command": cmd.name}))
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
		return templates.Operator("accord.hint.pair", templates.Args{"Sub": name})
	}
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	if s := templates.Suggest(name, names); s != "" {
		return templates.Operator("accord.hint.command", templates.Args{"Command": s})
	}
	return ""
}

func printOverview(w io.Writer) {
	var list strings.Builder
	for _, c := range commands {
		fmt.Fprintf(&list, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, templates.Operator("accord.overview", templates.Args{"Commands": list.String()}))
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
		fmt.Fprintf(w, "\n%s\n", templates.Operator("accord.flags", nil))
		for _, n := range names {
			f := fs.Lookup(n)
			def := ""
			if f.DefValue != "" && f.DefValue != "false" {
				def = templates.Operator("accord.flag-default", templates.Args{"Default": f.DefValue})
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
	fs := a.flags("migrate", templates.Operator("migrate.usage", nil))
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usage(templates.Operator("migrate.no-arguments", nil))
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
		fmt.Fprintln(a.stdout, templates.Operator("migrate.up-to-date", templates.Args{"Where": st.Where(), "Version": v}))
		return nil
	}
	for _, m := range applied {
		fmt.Fprintln(a.stdout, templates.Operator("migrate.applied", templates.Args{"Version": m.Version, "Name": m.Name}))
	}
	fmt.Fprintln(a.stdout, templates.Operator("migrate.done", templates.Args{"Where": st.Where(), "Version": v}))
	return nil
}

func runVersion(_ context.Context, a *app, args []string) error {
	fs := a.flags("version", templates.Operator("version.usage", nil))
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
	fmt.Fprintln(a.stdout, templates.Operator("version.line", templates.Args{"Version": version, "Revision": revision, "Schema": len(ms)}))
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
	return usage(templates.Operator("accord.no-command", templates.Args{"Name": args[0]}))
}

func runConfig(_ context.Context, a *app, args []string) error {
	fs := a.flags("config", templates.Operator("config.usage", nil))
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || fs.Arg(0) != "check" {
		return usage(templates.Operator("config.only-check", nil))
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	cfg.Write(a.stdout)
	fmt.Fprintf(a.stdout, "\n%s\n", templates.Operator("config.sign-in", templates.Args{"SignIn": cfg.SignInSummary()}))
	return nil
}
