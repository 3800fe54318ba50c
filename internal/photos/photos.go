// Package photos turns a manager's upload into the dish photos the pages
// show: it checks that the file is really a JPEG, PNG or WebP image of a
// sensible size, crops it square and scales it to the sizes the menu needs,
// and keeps them in PostgreSQL under an id made from the upload's content,
// so their URLs never change and can be cached for good.
package photos

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png" // decodes uploads
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // decodes uploads

	"restaurant/domain"
)

// Limits on uploads.
const (
	MaxBytes    = 5 << 20 // 5 MB
	MinSide     = 200     // pixels, the shorter side
	MaxSide     = 8000    // pixels, either side
	maxPixels   = 40_000_000
	jpegQuality = 82
)

// Sizes are the square sizes kept of every photo, in pixels: the menu's
// card shows it at 96 CSS pixels, so 96 for plain screens and 192 for
// dense ones.
var Sizes = []int{96, 192}

// Photo is an upload made ready: its id and a JPEG for each of Sizes.
type Photo struct {
	ID    string
	JPEGs map[int][]byte
}

// The refusals of an upload, each said on the form's photo field.
var (
	errEmpty    = domain.Invalid("photo", "Choose a photo to upload.")
	errFormat   = domain.Invalid("photo", "A photo must be a JPEG, PNG or WebP image.")
	errDamaged  = domain.Invalid("photo", "This image is damaged or incomplete; please upload it again.")
	errTooSmall = domain.Invalid("photo", "The photo is too small: it needs at least %d pixels on its shorter side.", MinSide)
	errTooLarge = domain.Invalid("photo", "The photo is too large: at most %d pixels a side.", MaxSide)
	// ErrTooManyBytes is the refusal of a file over MaxBytes.
	ErrTooManyBytes = domain.Invalid("photo", "The photo can be at most %d MB.", MaxBytes>>20)
)

// Make checks an upload and makes its sizes. Only the header is read before
// the size checks, so a small file that claims to be a huge image is
// refused before any memory goes to its pixels.
func Make(upload []byte) (Photo, error) {
	switch {
	case len(upload) == 0:
		return Photo{}, errEmpty
	case len(upload) > MaxBytes:
		return Photo{}, ErrTooManyBytes
	}
	if !looksLikeAPhoto(upload) {
		return Photo{}, errFormat
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(upload))
	if err != nil || !slices.Contains([]string{"jpeg", "png", "webp"}, format) {
		return Photo{}, errDamaged
	}
	switch {
	case cfg.Width > MaxSide || cfg.Height > MaxSide || cfg.Width*cfg.Height > maxPixels:
		return Photo{}, errTooLarge
	case min(cfg.Width, cfg.Height) < MinSide:
		return Photo{}, errTooSmall
	}
	img, _, err := image.Decode(bytes.NewReader(upload))
	if err != nil {
		return Photo{}, errDamaged
	}
	sum := sha256.Sum256(upload)
	p := Photo{ID: hex.EncodeToString(sum[:16]), JPEGs: map[int][]byte{}}
	square := centreSquare(img.Bounds())
	for _, size := range Sizes {
		dst := image.NewRGBA(image.Rect(0, 0, size, size))
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, square, draw.Src, nil)
		var out bytes.Buffer
		if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: jpegQuality}); err != nil {
			return Photo{}, fmt.Errorf("encode a %d px photo: %w", size, err)
		}
		p.JPEGs[size] = out.Bytes()
	}
	return p, nil
}

// looksLikeAPhoto says whether an upload starts as a JPEG, a PNG or a WebP
// file does, whatever its name or the type the browser claimed.
func looksLikeAPhoto(b []byte) bool {
	switch {
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return true
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return true
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return true
	}
	return false
}

// centreSquare is the largest square in the middle of r.
func centreSquare(r image.Rectangle) image.Rectangle {
	side := min(r.Dx(), r.Dy())
	x, y := r.Min.X+(r.Dx()-side)/2, r.Min.Y+(r.Dy()-side)/2
	return image.Rect(x, y, x+side, y+side)
}

// Store keeps photos in PostgreSQL (menu_photos), outside the event log:
// the log says which photo a dish shows, not its bytes.
type Store struct{ Pool *pgxpool.Pool }

// Save keeps every size of a photo; saving one that is kept already is
// harmless.
func (s Store) Save(ctx context.Context, p Photo) error {
	batch := &pgx.Batch{}
	for size, data := range p.JPEGs {
		batch.Queue(`INSERT INTO menu_photos (photo_id, size, data) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, p.ID, size, data)
	}
	if err := s.Pool.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("save photo %s: %w", p.ID, err)
	}
	return nil
}

// ErrNotFound says there is no such photo, or not in that size.
var ErrNotFound = errors.New("no such photo")

// Load is one size of a photo, as a JPEG.
func (s Store) Load(ctx context.Context, id string, size int) ([]byte, error) {
	var data []byte
	err := s.Pool.QueryRow(ctx, `SELECT data FROM menu_photos WHERE photo_id = $1 AND size = $2`, id, size).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load photo %s: %w", id, err)
	}
	return data, nil
}

// Kept says whether every size of a photo is kept.
func (s Store) Kept(ctx context.Context, id string) (bool, error) {
	var n int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM menu_photos WHERE photo_id = $1`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("look up photo %s: %w", id, err)
	}
	return n == len(Sizes), nil
}
