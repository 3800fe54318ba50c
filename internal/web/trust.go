package web

import (
	"context"
	"log/slog"

	"restaurant/internal/live"
)

// endTrust ends every session of a member but keep (empty: all of them),
// after their password changed or they were disabled, and tells their live
// screens, in every process, to check their access at once: a screen whose
// session ended, or whose member may no longer follow it, closes.
func (d Deps) endTrust(ctx context.Context, username, keep string) error {
	ended, err := endSessionsOf(ctx, d.Pool, username, keep)
	if err != nil {
		return err
	}
	slog.InfoContext(ctx, "staff sessions ended", "username", username, "sessions", ended)
	d.accessChanged(ctx, username)
	return nil
}

// accessChanged tells a member's live screens to check their access now.
// A notice that is lost is made good by the screens' next ping.
func (d Deps) accessChanged(ctx context.Context, username string) {
	if err := live.Notify(ctx, d.Pool, []live.Topic{live.AccessTopic(username)}); err != nil {
		slog.WarnContext(ctx, "access notice not sent; screens check at their next ping", "username", username, "error", err)
	}
}
