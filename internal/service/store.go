package service

import (
	"context"
	"errors"
	"time"

	"accord/internal/config"
	"accord/mailout"
	"accord/store"
)

// OpenStore opens the database cfg names, set up as the service uses it
// (pacing rules, mail rendered when it is queued, the mail budget), and
// checks its schema. A brand new SQLite file gets the schema created on
// the spot, so the embedded default works with no setup; anything else
// must be migrated explicitly. It logs to opts.Logger and keeps time by
// opts.Clock.
func OpenStore(ctx context.Context, cfg *config.Config, opts Options) (*store.Store, error) {
	return openStore(ctx, cfg, opts, nil)
}

// OpenStoreUnchecked opens the database as OpenStore does without looking
// at its schema, for accord migrate.
func OpenStoreUnchecked(ctx context.Context, cfg *config.Config, opts Options) (*store.Store, error) {
	return open(ctx, cfg, opts, nil)
}

// openStore is OpenStore; budgetSpent, when set, hears of mail held back
// by the mail budget.
func openStore(ctx context.Context, cfg *config.Config, opts Options, budgetSpent func(recipient, kind string)) (*store.Store, error) {
	st, err := open(ctx, cfg, opts, budgetSpent)
	if err != nil {
		return nil, err
	}
	err = st.CheckSchema(ctx)
	var se *store.SchemaError
	if errors.As(err, &se) && se.Have == 0 && st.Dialect() == store.SQLite {
		if empty, eerr := st.Empty(ctx); eerr == nil && empty {
			if _, err = st.Migrate(ctx); err == nil {
				opts.logger().Info("created a new database", "database", st.Where())
			}
		}
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// open opens the configured database without looking at its schema.
func open(ctx context.Context, cfg *config.Config, opts Options, budgetSpent func(recipient, kind string)) (*store.Store, error) {
	log := opts.logger()
	var ttl time.Duration
	if cfg.Pacing.ReplyTokenDays > 0 {
		ttl = time.Duration(cfg.Pacing.ReplyTokenDays) * 24 * time.Hour
	}
	var linkTTL time.Duration
	if cfg.HTTP.PublicURL != "" {
		linkTTL = time.Duration(cfg.HTTP.LinkDays) * 24 * time.Hour
	}
	return store.Open(ctx, cfg.Database.URL, store.Options{
		LinkTTL:         linkTTL,
		Logger:          log,
		Clock:           opts.Clock,
		Rules:           cfg.Rules(),
		DefaultZone:     cfg.People.DefaultTimeZone,
		DefaultLanguage: cfg.People.DefaultLanguage,
		TokenTTL:        ttl,
		Budget: store.MailBudget{PerDay: cfg.Inbound.ReplyBudget, NoticesPerDay: cfg.Inbound.NoticeBudget,
			OnSpent: budgetSpent},
		// Mail is rendered when it is queued, in the transaction of the
		// change that causes it.
		Dispatcher: &mailout.Dispatcher{Renderer: &mailout.Renderer{Identity: cfg.Identity()}, Logger: log},
	})
}
