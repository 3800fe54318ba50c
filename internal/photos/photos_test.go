package photos

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"

	"restaurant/domain"
)

// picture is a w×h image with a gradient, so that a crop shows.
func picture(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 90, 255})
		}
	}
	return img
}

func encoded(t *testing.T, encode func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := encode(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestMakeTakesJPEGPNGAndWebP(t *testing.T) {
	webp, err := os.ReadFile("testdata/dish.webp")
	if err != nil {
		t.Fatal(err)
	}
	for name, upload := range map[string][]byte{
		"jpeg": encoded(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, picture(640, 480), nil) }),
		"png":  encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, picture(300, 900)) }),
		"webp": webp,
	} {
		p, err := Make(upload)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(p.ID) != 32 || strings.Trim(p.ID, "0123456789abcdef") != "" {
			t.Fatalf("%s: id %q", name, p.ID)
		}
		for _, size := range Sizes {
			img, format, err := image.Decode(bytes.NewReader(p.JPEGs[size]))
			if err != nil || format != "jpeg" || img.Bounds().Dx() != size || img.Bounds().Dy() != size {
				t.Fatalf("%s at %d: %s %v (%v)", name, size, format, img.Bounds(), err)
			}
		}
		again, _ := Make(upload)
		if again.ID != p.ID {
			t.Fatalf("%s: the same upload got ids %s and %s", name, p.ID, again.ID)
		}
	}
}

func TestMakeRefusesWhatIsNoPhoto(t *testing.T) {
	jpg := encoded(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, picture(640, 480), nil) })
	huge := encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, image.NewGray(image.Rect(0, 0, MaxSide+1, 10))) })
	for name, tc := range map[string]struct {
		upload []byte
		says   string
	}{
		"nothing":          {nil, "Choose a photo"},
		"text":             {[]byte("<?php system($_GET['c']); ?>"), "JPEG, PNG or WebP"},
		"a gif":            {encoded(t, func(b *bytes.Buffer) error { return gif.Encode(b, picture(300, 300), nil) }), "JPEG, PNG or WebP"},
		"a cut-off jpeg":   {jpg[:len(jpg)/2], "damaged or incomplete"},
		"a tiny png":       {encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, picture(199, 400)) }), "too small"},
		"a huge png":       {huge, "too large"},
		"over the bytes":   {append(jpg, make([]byte, MaxBytes)...), "at most 5 MB"},
		"a jpeg's header":  {jpg[:200], "damaged or incomplete"},
		"html named .jpeg": {[]byte("<html><body>hello</body></html>"), "JPEG, PNG or WebP"},
	} {
		_, err := Make(tc.upload)
		if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v, want a refusal saying %q", name, err, tc.says)
		}
	}
}

func TestCentreSquare(t *testing.T) {
	for _, tc := range []struct{ in, want image.Rectangle }{
		{image.Rect(0, 0, 400, 300), image.Rect(50, 0, 350, 300)},
		{image.Rect(0, 0, 300, 900), image.Rect(0, 300, 300, 600)},
		{image.Rect(10, 10, 110, 110), image.Rect(10, 10, 110, 110)},
	} {
		if got := centreSquare(tc.in); got != tc.want {
			t.Errorf("centreSquare(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
