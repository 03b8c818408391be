package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
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
	// One write per file would cost more than reading a short reply.
	out := bufio.NewWriterSize(a.stdout, 64<<10)
	if err := extractFiles(out, fs.Args(), *format); err != nil {
		out.Flush()
		return err
	}
	return out.Flush()
}

// extractFiles writes the reply of each file to out, stopping at the first
// file that cannot be read.
func extractFiles(out *bufio.Writer, paths []string, format string) error {
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for i, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var text string
		switch strings.ToLower(filepath.Ext(path)) {
		case ".eml":
			if text, err = mailin.ExtractReply(data); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		case ".html", ".htm":
			text = reply.HTML(string(data))
		case ".txt", "":
			text = reply.Text(string(data))
		default:
			return usage(templates.Operator("extract.unknown-kind", templates.Args{"File": path}))
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
	return nil
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
