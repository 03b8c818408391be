package main

import (
	"context"
	"fmt"

	"accord/internal/demo"
	"accord/templates"
)

func runDemo(ctx context.Context, a *app, args []string) error {
	fs := a.flags("demo", templates.Operator("demo.usage", nil))
	out := fs.String("out", "accord-demo", templates.Operator("demo.flag.out", nil))
	speed := fs.Float64("speed", 0, templates.Operator("demo.flag.speed", nil))
	interactive := fs.Bool("interactive", false, templates.Operator("demo.flag.interactive", nil))
	lang := fs.String("lang", "", templates.Operator("demo.flag.lang", nil))
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usage(templates.Operator("demo.no-arguments", nil))
	}
	if *speed < 0 {
		return usage(templates.Operator("demo.bad-speed", nil))
	}
	if err := checkLanguage(*lang); err != nil {
		return usage(fmt.Sprintf("--lang %s", err))
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	return demo.Run(ctx, cfg, demo.Options{Dir: *out, Speed: *speed, Interactive: *interactive, Out: a.stdout, Logger: a.log, Lang: *lang})
}
