package ui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageSet holds one parsed template per page, each with the shared layout.
type pageSet struct {
	byName map[string]*template.Template
}

// parsePages parses templates/layout.html together with each other
// template file, so each page defines its own "title" and "content" blocks.
func parsePages(assets *assetSet) (*pageSet, error) {
	funcs := templateFuncs(assets)
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout template: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	set := &pageSet{byName: map[string]*template.Template{}}
	for _, file := range files {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		clone, err := layout.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := clone.ParseFS(templateFS, file); err != nil {
			return nil, fmt.Errorf("parse template %s: %w", file, err)
		}
		set.byName[name] = clone
	}
	return set, nil
}

// pageData is the input of every page template. Data holds the page's own
// view.
type pageData struct {
	Lang  string
	Title string
	// Nav names the main menu item to mark as current.
	Nav       string
	Email     string
	Role      string
	CSRF      string
	CanExport bool
	CanDelete bool
	IsAdmin   bool
	Account   string
	TimeZone  string
	// Notice is a translated confirmation shown at the top of the page.
	Notice string
	Data   any
}

// render writes page name with status. titleKey is the catalog key of the
// window title; the page may override the title with its own "title" block.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, v *viewer, status int, name, titleKey string, data any) {
	tmpl, ok := h.pages.byName[name]
	if !ok {
		h.log.Error("render: no template", "template", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	pd := pageData{Lang: DefaultLang, Title: T(DefaultLang, titleKey), Data: data}
	if v != nil {
		pd.Email = v.User.Email
		pd.Role = string(v.Role)
		pd.CSRF = v.Session.CSRFToken
		pd.CanExport = v.Role.CanExport()
		pd.CanDelete = v.Role.CanDelete()
		pd.IsAdmin = v.Role == "admin"
		pd.Account = v.Account.Name
		pd.TimeZone = v.Account.Location().String()
	}
	if key := r.URL.Query().Get("notice"); key != "" && HasKey("notice."+key) {
		// Only digits pass into a notice, so a crafted link cannot put
		// its own words on the page.
		n := r.URL.Query().Get("n")
		if n == "" || strings.Trim(n, "0123456789") != "" {
			n = "0"
		}
		pd.Notice = T(DefaultLang, "notice."+key, n)
	}
	if section, ok := navSection[name]; ok {
		pd.Nav = section
	}

	// Rendering into a buffer first turns a template error into a clean
	// 500 instead of half a page.
	var buf bytes.Buffer
	if err := tmpl.ExecuteTemplate(&buf, "layout.html", pd); err != nil {
		h.log.Error("render failed", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// navSection maps a page template to its main menu item.
var navSection = map[string]string{
	"campaigns": "campaigns",
	"report":    "campaigns",
	"contacts":  "campaigns",
	"compare":   "campaigns",
	"delete":    "campaigns",
	"message":   "campaigns",
	"settings":  "settings",
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// originOf returns the scheme://host of an absolute URL, or "".
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
