package main

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"restaurant/internal/testdb"
)

// TestAManagerAddsAPhotoAndGuestsSeeIt: a manager uploads a photo of the
// margherita from the staff menu; the guests' menu on a phone shows it,
// at the size it was laid out for.
func TestAManagerAddsAPhotoAndGuestsSeeIt(t *testing.T) {
	chrome := chromiumPath(t)
	base := startServer(t, map[string]string{"DATABASE_URL": testdb.URL(t), "RESTAURANT_ADMIN_PASSWORD": "owner's own secret"})
	img := image.NewRGBA(image.Rect(0, 0, 800, 600))
	for y := range 600 {
		for x := range 800 {
			img.Set(x, y, color.RGBA{uint8(200 + x%55), uint8(60 + y%80), 40, 255})
		}
	}
	var photo bytes.Buffer
	if err := jpeg.Encode(&photo, img, nil); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "margherita.jpg")
	if err := os.WriteFile(file, photo.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	manager := openBrowser(t, chrome, 60*time.Second)
	manager.signIn(base + "/staff/menu")
	manager.do("upload", chromedp.WaitVisible(chromedp.CSS(`#photo-margherita input[type="file"]`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#photo-margherita input[type="file"]`), []string{file}))
	manager.load("upload", chromedp.Click(chromedp.CSS(`#photo-margherita button`)))
	manager.do("uploaded", chromedp.WaitVisible(chromedp.CSS(`#photo-margherita img.dish-photo`)))
	manager.shot("staff-menu-photo")

	guest := openBrowser(t, chrome, 60*time.Second)
	guest.eventually("menu", func() (bool, string) {
		guest.load("menu", chromedp.Navigate(base+"/"))
		n := value(guest, "menu", chromedp.Evaluate[int](`document.querySelectorAll("#item-margherita img.dish-photo").length`))
		return n == 1, "the menu shows no photo yet"
	})
	// The photo has loaded, at its place's size (a 2x screen gets 192 px).
	guest.eventually("photo", func() (bool, string) {
		w := value(guest, "photo", chromedp.Evaluate[int](`(i => i.complete ? i.naturalWidth : 0)(document.querySelector("#item-margherita img.dish-photo"))`))
		return w == 96 || w == 192, "the photo has not loaded"
	})
	if box := value(guest, "photo", chromedp.Evaluate[[2]float64](`(r => [r.width, r.height])(document.querySelector("#item-margherita img.dish-photo").getBoundingClientRect())`)); box != [2]float64{76, 76} {
		guest.fail("photo", "the photo is laid out at %v, want 76 × 76", box)
	}
	guest.shot("menu-photo")
}
