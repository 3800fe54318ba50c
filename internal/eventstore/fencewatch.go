package eventstore

import (
	"context"
	"log/slog"
	"time"
)

// fenceEpisode is one stretch of subscribers waiting behind the same
// transaction.
type fenceEpisode struct {
	xmin    uint64
	since   time.Time
	checked time.Time // when its holder was last looked up
	warned  bool
}

// watchFence follows the fence whenever a subscriber waits behind it. The
// transaction that releases it may never notify anyone (another database's,
// or another application's), so the watcher's reading of the horizon is what
// wakes subscribers at once.
func (s *Store) watchFence(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.fence.nudge:
		}
		s.followFence(ctx)
	}
}

// followFence reads the horizon every horizonPoll while subscribers wait,
// wakes them whenever it moves, and names whoever holds it still.
func (s *Store) followFence(ctx context.Context) {
	tick := time.NewTicker(horizonPoll)
	defer tick.Stop()
	var ep fenceEpisode
	defer func() { s.endEpisode(&ep) }()
	for s.fence.wanted() {
		xmin, err := s.horizon(ctx)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			// Subscribers still look again on their own; their reads say
			// what is wrong with the database.
			slog.Debug("fence not read", "error", err)
		case xmin != ep.xmin:
			// Moved, or first seen: it may have moved since a subscriber
			// last looked, so every subscriber looks again.
			s.wake.fire()
			s.endEpisode(&ep)
			ep = fenceEpisode{xmin: xmin, since: time.Now()}
		default:
			s.checkHolder(ctx, &ep)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// checkHolder looks up who holds the fence, at most every holderEvery and
// only once subscribers have waited that long (a fence held for a few
// milliseconds by a concurrent append is the normal case), then publishes
// the report and warns once per episode past the threshold.
func (s *Store) checkHolder(ctx context.Context, ep *fenceEpisode) {
	warnAfter := time.Duration(s.fence.warnAfter.Load())
	now := time.Now()
	if now.Sub(ep.since) < min(holderEvery, warnAfter) || now.Sub(ep.checked) < holderEvery {
		return
	}
	ep.checked = now
	h, err := s.fenceHolder(ctx, ep.xmin)
	if err != nil {
		if ctx.Err() == nil {
			slog.Debug("fence holder not looked up", "error", err)
		}
		return
	}
	held := now.Sub(ep.since) >= warnAfter
	s.fence.publish(FenceReport{Held: held, Since: ep.since, Holder: h})
	if held && !ep.warned {
		ep.warned = true
		slog.Warn("events wait behind an open transaction: every subscriber (screens, read models, policies) is stalled until it ends",
			"xid", h.XID, "pid", h.PID, "database", h.Database, "user", h.User, "state", h.State,
			"application", h.Application, "gid", h.GID, "transaction_age", h.Age.Round(time.Second),
			"waiting_for", now.Sub(ep.since).Round(time.Second), "query", h.Query)
	}
}

// endEpisode clears the report, saying so if the episode was warned of.
func (s *Store) endEpisode(ep *fenceEpisode) {
	if ep.xmin == 0 {
		return
	}
	s.fence.publish(FenceReport{})
	if ep.warned {
		slog.Info("the fence cleared: subscribers resume", "xid", ep.xmin,
			"waited_for", time.Since(ep.since).Round(time.Millisecond))
	}
	*ep = fenceEpisode{}
}
