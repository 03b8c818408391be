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
)

const extractUsage = `
Usage: accord extract [--format text|jsonl] FILE...

Shows what Accord keeps of a reply: the words the person wrote, without
quoted mail, quote headers, signatures and footers. A .eml file is read as a
whole message (its text part, or its HTML part when there is none), a .txt
file as a plain-text body, a .html file as an HTML body. A message is read
the way Accord reads replies: character sets as declared (guessed only
when missing or wrong), attachments skipped. With --format jsonl each file
gives one line: {"file": …, "reply": …}.`

func runExtract(_ context.Context, a *app, args []string) error {
	fs := a.flags("extract", extractUsage)
	format := fs.String("format", "text", "text or jsonl")
	if err := parse(fs, reorder(args)); err != nil {
		return err
	}
	if *format != "text" && *format != "jsonl" {
		return usagef("--format %q: use text or jsonl", *format)
	}
	if fs.NArg() == 0 {
		return usagef("give one or more files (.eml, .txt or .html)")
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
			return usagef("%s: name the file .eml, .txt or .html so its kind is clear", path)
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

const inboundUsage = `
Usage: accord inbound list [--outcome OUTCOME]

Lists the mail Accord has read from its mailbox and what became of each:
answer, command, calendar-reply, auto-reply, bounce, loop, rejected (with
why), unreadable, too-large, ignored, duplicate, quarantined (set aside
after repeated failures), or pending. Never what the mail said.`

func runInbound(ctx context.Context, a *app, args []string) error {
	if len(args) == 0 || args[0] != "list" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(a.stdout, strings.TrimSpace(inboundUsage))
			return nil
		}
		return usagef("use: accord inbound list [--outcome OUTCOME]")
	}
	fs := a.flags("inbound list", inboundUsage)
	outcome := fs.String("outcome", "", "only this outcome")
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
		fmt.Fprintln(a.stdout, "No inbound mail recorded.")
		return nil
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECEIVED\tFROM\tSIZE\tOUTCOME\tATTEMPTS\tDETAIL")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%d\t%s\n", r.ID, r.CreatedAt.UTC().Format(time.DateTime), r.From, r.Size, r.Outcome, r.Attempts, r.Detail)
	}
	return tw.Flush()
}
