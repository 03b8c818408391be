package main

import (
	"context"

	"accord/internal/service"
	"accord/templates"
)

func runServe(ctx context.Context, a *app, args []string) error {
	fs := a.flags("serve", templates.Operator("serve.usage", nil))
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usage(templates.Operator("serve.no-arguments", nil))
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	return service.Run(ctx, cfg, a.serviceOptions())
}
