package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"restaurant/domain"
	"restaurant/domain/menu"
	"restaurant/internal/eventstore"
	"restaurant/internal/photos"
)

// photoForm is the form of a dish's photo on the staff menu.
func photoForm(r *http.Request) string { return "photo-" + chi.URLParam(r, "itemID") }

// uploadPhoto takes a manager's photo of a dish (a multipart form with the
// file in "photo"): checked, cropped, scaled and kept, then shown on the
// menu by a menu command. What is not a photo is refused beside the field,
// and nothing is kept or written.
func (d Deps) uploadPhoto(w http.ResponseWriter, r *http.Request) {
	in, upload, err := readUpload(w, r)
	if err != nil {
		commandFailed(w, r, in, err, func(status int) {
			d.renderStaffMenu(w, r, status, formError(r, photoForm(r), in, err), true)
		})
		return
	}
	d.runDishCommand(w, r, in, photoForm, d.onTheDish(func(r *http.Request, _ input, _ uuid.UUID) (string, menu.Command, error) {
		itemID := chi.URLParam(r, "itemID")
		if err := checkDishID(itemID); err != nil {
			return itemID, nil, err
		}
		dish, _, err := eventstore.Load(r.Context(), d.Store, menu.Stream(itemID), menu.Decider)
		switch {
		case err != nil:
			return itemID, nil, err
		case !dish.Exists:
			return itemID, nil, domain.NotFound("There is no such dish.")
		case dish.Removed:
			return itemID, nil, domain.Conflict("This item was removed from the menu.")
		}
		p, err := photos.Make(upload)
		if err != nil {
			return itemID, nil, err
		}
		if err := d.photoStore().Save(r.Context(), p); err != nil {
			return itemID, nil, err
		}
		return itemID, menu.ChangePhoto{PhotoID: p.ID}, nil
	}), toStaffMenu)
}

func (d Deps) photoStore() photos.Store { return photos.Store{Pool: d.Pool} }

// readUpload reads a photo upload: the form's fields as readInput would,
// and the file's bytes (nil when none was chosen). The request digest
// covers the file, so a command id sent again with another photo is
// caught.
func readUpload(w http.ResponseWriter, r *http.Request) (input, []byte, error) {
	in := input{values: map[string]string{}, lists: map[string][]string{}}
	r.Body = http.MaxBytesReader(w, r.Body, photos.MaxBytes+maxBody)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return in, nil, photos.ErrTooManyBytes
		}
		return in, nil, &requestError{http.StatusBadRequest, "A photo is sent as a file in a multipart form (multipart/form-data)."}
	}
	defer r.MultipartForm.RemoveAll()
	for k, vs := range r.MultipartForm.Value {
		if len(vs) > 0 {
			in.values[k] = vs[0]
		}
	}
	in.key = in.values["command_id"]
	if len(in.key) > 200 {
		return in, nil, &requestError{http.StatusBadRequest, "The idempotency key is longer than 200 characters."}
	}
	if err := textOnly(in.values); err != nil {
		return in, nil, err
	}
	var upload []byte
	if f, _, err := r.FormFile("photo"); err == nil {
		defer f.Close()
		if upload, err = io.ReadAll(io.LimitReader(f, photos.MaxBytes+1)); err != nil {
			return in, nil, &requestError{http.StatusBadRequest, "The photo could not be read."}
		}
	}
	sum := sha256.Sum256(upload)
	digestOf := map[string]string{"photo": hex.EncodeToString(sum[:])}
	for k, v := range in.values {
		digestOf[k] = v
	}
	in.request = requestDigest(r.Method, r.URL.Path, digestOf, nil)
	return in, upload, nil
}

// photoPath is a photo's URL in one size.
var photoPath = regexp.MustCompile(`^[0-9a-f]{32}$`)

// servePhoto answers a dish's photo in one of the kept sizes. The URL names
// the photo by its content, so it is cached for good.
func (d Deps) servePhoto(w http.ResponseWriter, r *http.Request) {
	id, file := chi.URLParam(r, "photoID"), chi.URLParam(r, "file")
	size, err := strconv.Atoi(file[:max(0, len(file)-len(".jpg"))])
	if !photoPath.MatchString(id) || err != nil || file != strconv.Itoa(size)+".jpg" || !slices.Contains(photos.Sizes, size) {
		http.NotFound(w, r)
		return
	}
	data, err := d.photoStore().Load(r.Context(), id, size)
	if errors.Is(err, photos.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("ETag", `"`+id+"-"+file+`"`)
	if r.Header.Get("If-None-Match") == h.Get("ETag") {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(data)
}
