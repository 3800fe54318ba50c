package web

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"time"

	"restaurant/projections"
	"restaurant/views"
)

// menuFreshFor is how long the menu may be served from memory. The menu
// changes a few times a day and readers are eventually consistent anyway;
// a client who has written reads the read model itself (see waitFor).
const menuFreshFor = 200 * time.Millisecond

// menuCache keeps the menu read model, and the page as anonymous visitors
// see it, in memory for a moment: the front page is the most requested and
// the least changing.
type menuCache struct {
	mu         sync.Mutex
	items      []projections.MenuItem
	fetched    time.Time
	refreshing bool
	// page is the anonymous menu page cut at its idempotency keys; each
	// response stitches fresh keys between the pieces. It was rendered at
	// pageAt from rendered; one request at a time renders it again once it
	// is stale (claimed at renderClaimed), while the others serve it.
	page          *stitched
	pageAt        time.Time
	rendered      []byte
	renderClaimed time.Time
}

// keyMarker stands for a form's command id in the cached page.
const keyMarker = "00000000-0000-4000-8000-00000000c0de"

// listed returns the menu, from memory when fresh. When it has gone stale
// one request reads it again while the others keep serving the copy they
// have, so a slow database never queues every request behind one query.
func (d Deps) listed(ctx context.Context, fresh bool) ([]projections.MenuItem, error) {
	c := d.menu
	c.mu.Lock()
	// While one request reads the menu again, others keep the copy, for a
	// few seconds at most.
	if !fresh && c.items != nil && (time.Since(c.fetched) < menuFreshFor || (c.refreshing && time.Since(c.fetched) < 3*time.Second)) {
		items := c.items
		c.mu.Unlock()
		return items, nil
	}
	c.refreshing = true
	c.mu.Unlock()
	items, err := d.Menus.Listed(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refreshing = false
	if err != nil {
		return nil, err
	}
	c.items, c.fetched = items, time.Now()
	return items, nil
}

// menuItem finds a dish on the menu, from memory when fresh; a dish that is
// not listed (never added, or removed) is reported absent.
func (d Deps) menuItem(ctx context.Context, id string) (projections.MenuItem, bool, error) {
	items, err := d.listed(ctx, false)
	if err != nil {
		return projections.MenuItem{}, false, err
	}
	for _, it := range items {
		if it.ItemID == id {
			return it, true, nil
		}
	}
	return projections.MenuItem{}, false, nil
}

// menuByID is the menu as listed now, by dish; fresh reads the read model
// rather than the copy kept for a moment.
func (d Deps) menuByID(ctx context.Context, fresh bool) (map[string]projections.MenuItem, error) {
	items, err := d.listed(ctx, fresh)
	if err != nil {
		return nil, err
	}
	menu := make(map[string]projections.MenuItem, len(items))
	for _, it := range items {
		menu[it.ItemID] = it
	}
	return menu, nil
}

// whyUnavailable says why the menu no longer offers a dish ("sold out",
// "no longer on the menu"), or "" when it does: one answer for placing and
// the order page. A dish's portions are not its business: placing takes
// them from the dish's own stream (see placeTakingPortions).
func whyUnavailable(menu map[string]projections.MenuItem, dish string) string {
	switch it, ok := menu[dish]; {
	case !ok:
		return "no longer on the menu"
	case it.SoldOut:
		return "sold out"
	}
	return ""
}

// whyNotOffered is whyUnavailable, and "sold out" too when a dish's
// portions are all gone: what adding a dish, or ordering it again, asks.
func whyNotOffered(menu map[string]projections.MenuItem, dish string) string {
	if why := whyUnavailable(menu, dish); why != "" {
		return why
	}
	if menu[dish].NoneLeft() {
		return "sold out"
	}
	return ""
}

// cachedAnonymousMenu serves the anonymous menu page from memory, if it is
// there and fresh.
func (d Deps) cachedAnonymousMenu(w http.ResponseWriter, r *http.Request) bool {
	c := d.menu
	c.mu.Lock()
	page := c.page
	if page != nil && time.Since(c.pageAt) >= menuFreshFor {
		// Stale: this request renders it again, unless another one is
		// already at it (for a few seconds at most).
		if time.Since(c.renderClaimed) >= 3*time.Second {
			c.renderClaimed = time.Now()
			page = nil
		}
	}
	c.mu.Unlock()
	if page == nil {
		return false
	}
	page.write(w, r)
	return true
}

// storeAnonymousMenu renders the anonymous page once with markers for its
// keys, keeps it, and serves it.
func (d Deps) storeAnonymousMenu(w http.ResponseWriter, r *http.Request, v views.MenuView) {
	v.CommandID = func() string { return keyMarker }
	var buf bytes.Buffer
	if err := views.MenuPage(v).Render(r.Context(), &buf); err != nil {
		fail(w, r, err)
		return
	}
	c := d.menu
	c.mu.Lock()
	page := c.page
	same := page != nil && bytes.Equal(c.rendered, buf.Bytes())
	c.mu.Unlock()
	if !same { // compressed once per change, not once per rendering
		var err error
		if page, err = newStitched(bytes.Split(buf.Bytes(), []byte(keyMarker))); err != nil {
			fail(w, r, err)
			return
		}
	}
	c.mu.Lock()
	c.page, c.pageAt, c.rendered, c.renderClaimed = page, c.fetched, buf.Bytes(), time.Time{}
	c.mu.Unlock()
	page.write(w, r)
}
