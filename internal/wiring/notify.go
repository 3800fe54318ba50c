package wiring

import (
	"context"

	"restaurant/internal/eventstore"
	"restaurant/internal/integration"
	"restaurant/internal/notify"
)

// startNotify runs the notifications service: on its own queue on the
// broker when one is configured (the relay, wherever it runs, publishes
// there), and otherwise fed in this process straight from the event store
// through the same translation the relay publishes, so that the embedded
// default sends the same emails with no broker. Either way one notifier
// leads across the processes on the database.
func startNotify(ctx context.Context, rt *Runtime) (*Running, error) {
	cfg := rt.Settings.Notify
	cfg.Pool, cfg.Log = rt.App.Pool, rt.Log
	work, stop := context.WithCancel(context.WithoutCancel(ctx))
	failed := make(chan error, 1)
	run := func() error { return notify.Run(work, cfg) }
	if cfg.AMQPURL == "" {
		translator := &integration.Translator{Store: rt.App.Store}
		run = func() error {
			return notify.RunFromStore(work, cfg, notify.StoreSource{Store: rt.App.Store, Translate: deliveries(translator),
				Relevant: eventstore.OfTypes(eventstore.TypeNames(integration.Translated()))})
		}
		rt.Log.Info("notifications follow the event store in this process (no AMQP_URL)")
	}
	go func() {
		defer close(failed)
		if err := run(); err != nil {
			failed <- err
		}
	}()
	return &Running{Failed: failed, Stop: func(context.Context) error {
		stop()
		for range failed {
		}
		return nil
	}}, nil
}

// deliveries gives the notifications service, in process, the integration
// messages of an event as the relay would publish them: the same ids,
// types and bodies.
func deliveries(t *integration.Translator) notify.Translate {
	return func(ctx context.Context, e eventstore.RecordedEvent) ([]notify.Delivery, error) {
		msgs, err := t.Translate(ctx, e)
		if err != nil {
			return nil, err
		}
		out := make([]notify.Delivery, len(msgs))
		for i, m := range msgs {
			out[i] = notify.Delivery{MessageID: m.ID, Type: m.Type, Body: m.Body}
		}
		return out, nil
	}
}
