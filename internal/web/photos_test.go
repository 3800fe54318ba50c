package web

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// uploadPhoto posts a photo of a dish as a browser's file upload does.
func (g *guest) uploadPhoto(itemID, commandID, filename string, file []byte) *httptest.ResponseRecorder {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("command_id", commandID)
	if file != nil {
		fw, _ := mw.CreateFormFile("photo", filename)
		_, _ = fw.Write(file)
	}
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/menu/items/"+itemID+"/commands/upload-photo", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return g.do(req)
}

// dishPicture is a w×h PNG.
func dishPicture(t *testing.T, w, h int, encode func(*bytes.Buffer, image.Image) error) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func pngOf(b *bytes.Buffer, img image.Image) error  { return png.Encode(b, img) }
func jpegOf(b *bytes.Buffer, img image.Image) error { return jpeg.Encode(b, img, nil) }
func gifOf(b *bytes.Buffer, img image.Image) error  { return gif.Encode(b, img, nil) }

func (a *testApp) photoRows() int {
	a.t.Helper()
	var n int
	if err := a.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM menu_photos`).Scan(&n); err != nil {
		a.t.Fatal(err)
	}
	return n
}

var photoURL = regexp.MustCompile(`/photos/([0-9a-f]{32})/96\.jpg`)

func TestAManagerGivesADishAPhoto(t *testing.T) {
	a := withStaff(t)
	m := a.guest()
	m.signIn("maria", managerPassword)
	before := a.events()
	rec := m.uploadPhoto("margherita", "photo-1", "pizza.png", dishPicture(t, 400, 300, pngOf))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	if a.events() != before+1 || a.photoRows() != 2 {
		t.Fatalf("an upload wrote %d events and kept %d photo sizes, want 1 and 2", a.events()-before, a.photoRows())
	}
	// The same form sent again is the same upload.
	if rec := m.uploadPhoto("margherita", "photo-1", "pizza.png", dishPicture(t, 400, 300, pngOf)); rec.Code != http.StatusSeeOther || a.events() != before+1 {
		t.Fatalf("the upload sent again: %d, %d events", rec.Code, a.events()-before)
	}
	a.caughtUp()
	menu := m.get("/").Body.String()
	found := photoURL.FindStringSubmatch(menu)
	if found == nil || !strings.Contains(menu, `srcset="/photos/`+found[1]+`/192.jpg 2x"`) || !strings.Contains(menu, `width="76" height="76"`) {
		t.Fatalf("the guest's menu shows no photo of the dish:\n%s", menu)
	}
	if staff := m.get("/staff/menu").Body.String(); !strings.Contains(staff, "/photos/"+found[1]+"/96.jpg") || !strings.Contains(staff, "Remove the photo") {
		t.Fatal("the staff menu shows no photo")
	}
	for size, px := range map[string]int{"96": 96, "192": 192} {
		res := a.guest().get("/photos/" + found[1] + "/" + size + ".jpg")
		if res.Code != http.StatusOK || res.Header().Get("Content-Type") != "image/jpeg" || !strings.Contains(res.Header().Get("Cache-Control"), "immutable") {
			t.Fatalf("photo %s: %d %v", size, res.Code, res.Header())
		}
		img, err := jpeg.Decode(res.Body)
		if err != nil || img.Bounds().Dx() != px || img.Bounds().Dy() != px {
			t.Fatalf("photo %s: %v (%v)", size, img.Bounds(), err)
		}
		again := httptest.NewRequest(http.MethodGet, "/photos/"+found[1]+"/"+size+".jpg", nil)
		again.Header.Set("If-None-Match", res.Header().Get("ETag"))
		if rec := a.guest().do(again); rec.Code != http.StatusNotModified {
			t.Fatalf("photo %s asked again: %d, want 304", size, rec.Code)
		}
	}
	for _, path := range []string{"/photos/" + found[1] + "/100.jpg", "/photos/" + found[1] + "/96.png", "/photos/" + strings.Repeat("0", 32) + "/96.jpg",
		"/photos/../../etc/passwd/96.jpg", "/photos/" + strings.ToUpper(found[1]) + "/96.jpg"} {
		if rec := a.guest().get(path); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, rec.Code)
		}
	}
	// Taken away again.
	if rec := m.post("/menu/items/margherita/commands/remove-photo", form()); rec.Code != http.StatusSeeOther {
		t.Fatalf("remove the photo: %d", rec.Code)
	}
	a.caughtUp()
	if photoURL.MatchString(m.get("/").Body.String()) {
		t.Fatal("the menu still shows the removed photo")
	}
}

func TestWhatIsNoPhotoIsRefusedAndChangesNothing(t *testing.T) {
	a := withStaff(t)
	m := a.guest()
	m.signIn("maria", managerPassword)
	jpg := dishPicture(t, 640, 480, jpegOf)
	for name, tc := range map[string]struct {
		file []byte
		says string
	}{
		"no file":          {nil, "Choose a photo to upload."},
		"a script":         {[]byte("#!/bin/sh\nrm -rf /\n"), "A photo must be a JPEG, PNG or WebP image."},
		"a gif":            {dishPicture(t, 300, 300, gifOf), "A photo must be a JPEG, PNG or WebP image."},
		"a cut-off jpeg":   {jpg[:len(jpg)/3], "damaged or incomplete"},
		"a thumbnail":      {dishPicture(t, 120, 120, pngOf), "too small"},
		"six megabytes":    {append(append([]byte{}, jpg...), make([]byte, 6<<20)...), "at most 5 MB"},
		"html as a photo":  {[]byte("<html><script>alert(1)</script></html>"), "A photo must be a JPEG, PNG or WebP image."},
		"an empty picture": {[]byte{}, "Choose a photo to upload."},
	} {
		before := a.events()
		rec := m.uploadPhoto("margherita", "", "photo.jpg", tc.file)
		body := rec.Body.String()
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, tc.says) || !strings.Contains(body, `id="photo-margherita"`) {
			t.Errorf("%s: %d, want 422 saying %q beside the dish's photo form", name, rec.Code, tc.says)
		}
		if a.events() != before || a.photoRows() != 0 {
			t.Errorf("%s: %d events written, %d photo sizes kept", name, a.events()-before, a.photoRows())
		}
	}
	png := dishPicture(t, 400, 300, pngOf)
	if rec := m.uploadPhoto("no-such-dish", "", "p.png", png); rec.Code != http.StatusNotFound || a.photoRows() != 0 {
		t.Fatalf("a photo of no dish: %d, %d kept", rec.Code, a.photoRows())
	}
	if rec := m.uploadPhoto("NOT_A_DISH", "", "p.png", png); rec.Code != http.StatusNotFound {
		t.Fatalf("a photo of a malformed dish id: %d", rec.Code)
	}
	req := httptest.NewRequest(http.MethodPost, "/menu/items/margherita/commands/upload-photo", strings.NewReader("photo=abc"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if rec := m.do(req); rec.Code != http.StatusBadRequest {
		t.Fatalf("a photo not sent as a file: %d, want 400", rec.Code)
	}
	// One command id, two different photos: the second is refused.
	if rec := m.uploadPhoto("margherita", "same-key", "a.png", png); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d", rec.Code)
	}
	if rec := m.uploadPhoto("margherita", "same-key", "b.jpg", jpg); rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("another photo under the same command id: %d, want 422", rec.Code)
	}
	cook, nobody := a.guest(), a.guest()
	cook.signIn("kai", kitchenPassword)
	if rec := cook.uploadPhoto("margherita", "", "p.png", png); rec.Code != http.StatusForbidden {
		t.Fatalf("a cook uploads a photo: %d, want 403", rec.Code)
	}
	if rec := nobody.uploadPhoto("margherita", "", "p.png", png); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
		t.Fatalf("an anonymous upload: %d %s", rec.Code, rec.Header().Get("Location"))
	}
}
