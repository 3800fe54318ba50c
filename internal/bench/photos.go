package bench

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"restaurant/domain/menu"
	"restaurant/internal/eventstore"
	"restaurant/internal/photos"
)

// PhotographDishes gives each dish a photo, as a manager's upload would: a
// 600-pixel JPEG made into the menu's sizes, kept in the database, and the
// dish's command. The menu page is measured as a restaurant shows it, with
// a photo on every card.
func PhotographDishes(ctx context.Context, store *eventstore.Store, pool *pgxpool.Pool, dishIDs []string) error {
	kept := photos.Store{Pool: pool}
	for i, id := range dishIDs {
		upload, err := picture(i)
		if err != nil {
			return err
		}
		p, err := photos.Make(upload)
		if err != nil {
			return fmt.Errorf("photo of %s: %w", id, err)
		}
		if err := kept.Save(ctx, p); err != nil {
			return fmt.Errorf("photo of %s: %w", id, err)
		}
		meta := eventstore.Metadata{CommandID: uuid.New(), Actor: "system:bench"}
		if _, err := eventstore.Handle(ctx, store, menu.Stream(id), menu.Decider, meta, menu.Command(menu.ChangePhoto{PhotoID: p.ID})); err != nil {
			return fmt.Errorf("photo of %s: %w", id, err)
		}
	}
	return nil
}

// picture draws a plate on a table, in colours of its own for each n.
func picture(n int) ([]byte, error) {
	const size = 600
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	food := color.RGBA{uint8(120 + 37*n%120), uint8(60 + 53*n%150), uint8(40 + 29*n%100), 255}
	for y := range size {
		for x := range size {
			dx, dy := x-size/2, y-size/2
			switch r := dx*dx + dy*dy; {
			case r < 180*180:
				img.Set(x, y, food)
			case r < 240*240:
				img.Set(x, y, color.RGBA{245, 240, 228, 255})
			default:
				img.Set(x, y, color.RGBA{110, 78, 55, 255})
			}
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
