// Package static serves the stylesheet and scripts under content-hashed
// names, so browsers may cache them for a year and still never run stale code.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed *.css *.js *.svg
var files embed.FS

var (
	hashed = map[string]string{} // "style.css" -> "style.1a2b3c4d5e.css"
	byHash = map[string]string{} // and back
)

func init() {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".go") {
			continue
		}
		b, err := files.ReadFile(e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(e.Name())
		name := strings.TrimSuffix(e.Name(), ext) + "." + hex.EncodeToString(sum[:5]) + ext
		hashed[e.Name()] = name
		byHash[name] = e.Name()
	}
}

// URL is the address of an asset; it changes whenever the asset does.
func URL(name string) string {
	h, ok := hashed[name]
	if !ok {
		panic("static: no asset " + name)
	}
	return "/static/" + h
}

// Handler serves assets by their hashed names, mounted at /static/.
func Handler() http.Handler {
	fileServer := http.FileServerFS(files)
	return http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		orig, ok := byHash[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		r.URL.Path = orig
		fileServer.ServeHTTP(w, r)
	}))
}
