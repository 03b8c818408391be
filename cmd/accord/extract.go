package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"accord/mailin"
	"accord/mailin/reply"
	"accord/templates"
)

var extractUsage = templates.Operator("extract.usage", nil)

func runExtract(_ context.Context, a *app, args []string) error {
	fs := a.flags("extract", extractUsage)
	format := fs.String("format", "text", templates.Operator("extract.flag.format", nil))
	if err := parse(fs, reorder(args)); err != nil {
		return err
	}
	if *format != "text" && *format != "jsonl" {
		return usage(templates.Operator("extract.bad-format", templates.Args{"Format": *format}))
	}
	if fs.NArg() == 0 {
		return usage(templates.Operator("extract.no-files", nil))
	}
	for _, path := range fs.Args() {
		if extractKind(path) == "" {
			return usage(templates.Operator("extract.unknown-kind", templates.Args{"File": path}))
		}
	}
	// One write per file would cost more than reading a short reply.
	out := bufio.NewWriterSize(a.stdout, 64<<10)
	err := extractFiles(out, a.stderr, fs.Args(), *format)
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	return err
}

// extractKind is how a file is read, by its extension: "eml", "html",
// "txt", or "" for none of these.
func extractKind(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".eml":
		return "eml"
	case ".html", ".htm":
		return "html"
	case ".txt", "":
		return "txt"
	}
	return ""
}

// extractFiles writes the reply of each file to out. A file that cannot be
// read is reported (on errw, or as an "error" line in jsonl) and the rest
// are read all the same; the error at the end says how many failed.
func extractFiles(out *bufio.Writer, errw io.Writer, paths []string, format string) error {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	failed := 0
	for i, path := range paths {
		text, err := extractFile(path)
		if err != nil {
			failed++
			if format == "jsonl" {
				if err := enc.Encode(map[string]string{"file": path, "error": err.Error()}); err != nil {
					return err
				}
				continue
			}
			out.Flush()
			fmt.Fprintf(errw, "accord: %s: %v\n", path, err)
			continue
		}
		if format == "jsonl" {
			if err := enc.Encode(map[string]string{"file": path, "reply": text}); err != nil {
				return err
			}
			continue
		}
		if len(paths) > 1 {
			if i > 0 {
				fmt.Fprintln(out)
			}
			fmt.Fprintf(out, "==> %s <==\n", path)
		}
		fmt.Fprintln(out, strings.TrimRight(text, "\n"))
	}
	if failed > 0 {
		return errors.New(templates.Operator("extract.failed", templates.Args{"Failed": failed, "Total": len(paths)}))
	}
	return nil
}

// extractFile reads what the person wrote in one file.
func extractFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	switch extractKind(path) {
	case "eml":
		return mailin.ExtractReply(data)
	case "html":
		return reply.HTML(string(data)), nil
	}
	return reply.Text(string(data)), nil
}

var inboundUsage = templates.Operator("inbound.usage", nil)

func runInbound(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || args[0] != "list" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(a.stdout, strings.TrimSpace(inboundUsage))
			return nil
		}
		return usage(templates.Operator("inbound.use-list", nil))
	}
	fs := a.flags("inbound list", inboundUsage)
	outcome := fs.String("outcome", "", templates.Operator("inbound.flag.outcome", nil))
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	st, err := a.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	rows, err := st.InboundLog(ctx, *outcome)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		fmt.Fprintln(a.stdout, templates.Operator("inbound.none", nil))
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, templates.Operator("inbound.header", nil))
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%d\t%s\n", r.ID, r.CreatedAt.UTC().Format(time.DateTime), r.From, r.Size, r.Outcome, r.Attempts, r.Detail)
	}
	return tw.Flush()
}
