package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// asset is one embedded static file.
type asset struct {
	body        []byte
	contentType string
	// hashedName is "app.3f2a1b9c.css": the name with the first eight hex
	// digits of the content's SHA-256 before the extension, so a changed
	// file gets a new URL and browsers may cache each URL for good.
	hashedName string
}

// assetSet holds the static files by plain name and by hashed name.
type assetSet struct {
	byName   map[string]*asset
	byHashed map[string]*asset
}

func loadAssets() (*assetSet, error) {
	set := &assetSet{byName: map[string]*asset{}, byHashed: map[string]*asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		a := &asset{
			body:        body,
			contentType: mime.TypeByExtension(ext),
			hashedName:  strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext,
		}
		if a.contentType == "" {
			a.contentType = "application/octet-stream"
		}
		set.byName[name] = a
		set.byHashed[a.hashedName] = a
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load static files: %w", err)
	}
	return set, nil
}

// url returns the versioned URL of a static file. Templates call it, so an
// unknown name is a programming error and panics at render time.
func (s *assetSet) url(name string) string {
	a, ok := s.byName[name]
	if !ok {
		panic(fmt.Sprintf("ui: no static file %q", name))
	}
	return "/static/" + a.hashedName
}

// serveAsset serves a static file by its hashed name with a cache lifetime
// of a year. An outdated hash is not found, because the page that asked
// for it was rendered by another build.
//
// Files under demo/ are also served by their plain names, with a short
// cache lifetime, because demo messages link to them from outside any page.
func (h *Handler) serveAsset(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	cache := "public, max-age=31536000, immutable"
	a, ok := h.assets.byHashed[name]
	if !ok && strings.HasPrefix(name, "demo/") {
		a, ok = h.assets.byName[name]
		cache = "public, max-age=3600"
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("Cache-Control", cache)
	http.ServeContent(w, r, a.hashedName, time.Time{}, bytes.NewReader(a.body))
}
