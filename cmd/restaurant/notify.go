package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"

	"restaurant/internal/app"
	"restaurant/internal/notify"
)

// notifyFlags adds the notifications service's flags, each defaulting from
// its environment variable; parse, called once the flags are parsed, gives
// the service's configuration on the opened application. The server's
// notify role reads the same flags.
func notifyFlags(fs *flag.FlagSet, getenv func(string) string, broker *brokerOptions) (parse func(cfg *app.Config, log *slog.Logger) (notify.Config, error)) {
	queue := fs.String("notify-queue", envOr(getenv, "NOTIFY_QUEUE", notify.DefaultQueue), "the notifications' own durable queue (NOTIFY_QUEUE)")
	smtpURL := fs.String("smtp-url", getenv("SMTP_URL"),
		"the mail server: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465; empty writes each email to DATA_DIR/outbox (SMTP_URL)")
	from := fs.String("notify-from", envOr(getenv, "NOTIFY_FROM", notify.DefaultFrom), "the sender of the guests' emails (NOTIFY_FROM)")
	publicURL := fs.String("notify-public-url", getenv("PUBLIC_URL"), "where guests reach the site, for the link to their order (PUBLIC_URL)")
	timeZone := fs.String("notify-timezone", getenv("RESTAURANT_TIMEZONE"), "the restaurant's time zone, for the time of an order for later (RESTAURANT_TIMEZONE)")
	return func(cfg *app.Config, log *slog.Logger) (notify.Config, error) {
		loc, err := restaurantLocation(*timeZone)
		if err != nil {
			return notify.Config{}, err
		}
		return notify.Config{
			AMQPURL:   broker.url,
			Exchange:  broker.exchange,
			Queue:     *queue,
			SMTPURL:   *smtpURL,
			DataDir:   cfg.DataDir,
			From:      *from,
			PublicURL: *publicURL,
			Location:  loc,
			Log:       log,
		}, nil
	}
}

// runNotify is "restaurant notify": the notifications service on its own,
// consuming its queue on the broker until ctx ends.
func runNotify(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs, cfg := flags("notify", getenv, stdout)
	broker := brokerFlags(fs, getenv)
	parse := notifyFlags(fs, getenv, broker)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if broker.url == "" {
		return errors.New("notify: set AMQP_URL (or -amqp-url) to the RabbitMQ the public events are published to")
	}
	log, err := newLogger(cfg.LogLevel)
	if err != nil {
		return err
	}
	slog.SetDefault(log)
	a, err := app.Open(ctx, *cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ncfg, err := parse(cfg, log)
	if err != nil {
		return err
	}
	ncfg.Pool = a.Pool
	return notify.Run(ctx, ncfg)
}
