package ui_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vibereport/vibereport/internal/cli"
	"github.com/vibereport/vibereport/internal/domain"
)

// browserClient is an HTTP client with cookies that signs in through the
// sign-in form, as a browser does.
type browserClient struct {
	t    *testing.T
	site *site
	http *http.Client
	csrf string
}

var (
	signinTokenInput = regexp.MustCompile(`name="token" value="([^"]+)"`)
	csrfInput        = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
)

func newBrowserClient(t *testing.T, s *site) *browserClient {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browserClient{t: t, site: s, http: client}
}

// get returns the status and body of a GET.
func (c *browserClient) get(path string) (int, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.site.url + path)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfInput.FindStringSubmatch(string(body)); m != nil {
		c.csrf = m[1]
	}
	return resp.StatusCode, string(body)
}

// post sends a form with the given Origin header ("" for none).
func (c *browserClient) post(path, origin string, form url.Values) (int, http.Header, string) {
	c.t.Helper()
	req, err := http.NewRequest("POST", c.site.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(body)
}

// signin signs in through the form and returns the response status.
func (c *browserClient) signin(email, password string) int {
	c.t.Helper()
	_, page := c.get("/signin")
	m := signinTokenInput.FindStringSubmatch(page)
	if m == nil {
		c.t.Fatalf("sign-in page has no form token")
	}
	status, _, _ := c.post("/signin", c.site.url, url.Values{"email": {email}, "password": {password}, "token": {m[1]}})
	return status
}

// redirect sends req with the client's cookies and returns the status and
// the raw Location header. It bypasses http.Client, which rejects a
// Location that is not a valid URL before the test could inspect it.
func (c *browserClient) redirect(req *http.Request) (int, string) {
	c.t.Helper()
	for _, cookie := range c.http.Jar.Cookies(req.URL) {
		req.AddCookie(cookie)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

func TestViewerCannotExportOrDelete(t *testing.T) {
	s := startSite(t)
	id := s.newCampaign(campaignSpec{name: "Viewer check", sent: 4, delivered: 3, read: 1})
	c := newBrowserClient(t, s)
	if status := c.signin(s.viewerEmail, s.viewerPassword); status != http.StatusSeeOther {
		t.Fatalf("viewer sign-in: status %d, want 303", status)
	}

	status, page := c.get(fmt.Sprintf("/campaigns/%d", id))
	if status != http.StatusOK {
		t.Fatalf("viewer opens report: status %d", status)
	}
	for _, hidden := range []string{`id="export"`, `data-action="delete"`, "/export.csv", "/export/list"} {
		if strings.Contains(page, hidden) {
			t.Errorf("viewer's report page contains %s", hidden)
		}
	}

	if status, _ := c.get(fmt.Sprintf("/campaigns/%d/export.csv?metric=delivered", id)); status != http.StatusForbidden {
		t.Errorf("viewer CSV export: status %d, want 403", status)
	}
	if status, _ := c.get(fmt.Sprintf("/campaigns/%d/delete", id)); status != http.StatusForbidden {
		t.Errorf("viewer delete confirmation: status %d, want 403", status)
	}
	forms := map[string]url.Values{
		fmt.Sprintf("/campaigns/%d/delete", id):      {},
		fmt.Sprintf("/campaigns/%d/restore", id):     {},
		fmt.Sprintf("/campaigns/%d/export/list", id): {"metric": {"read"}, "new_list": {"Readers"}},
		"/campaigns/selection":                       {"action": {"export"}, "ids": {fmt.Sprint(id)}},
		"/settings":                                  {"read.green": {"50"}, "read.red": {"20"}},
	}
	for path, form := range forms {
		form.Set("csrf", c.csrf)
		if status, _, _ := c.post(path, s.url, form); status != http.StatusForbidden {
			t.Errorf("viewer POST %s: status %d, want 403", path, status)
		}
	}
}

func TestFormsRejectForeignOriginAndMissingToken(t *testing.T) {
	s := startSite(t)
	id := s.newCampaign(campaignSpec{name: "CSRF check", sent: 2, delivered: 2})
	c := newBrowserClient(t, s)
	if status := c.signin(s.email, s.password); status != http.StatusSeeOther {
		t.Fatalf("sign-in: status %d, want 303", status)
	}
	c.get(fmt.Sprintf("/campaigns/%d", id))
	path := fmt.Sprintf("/campaigns/%d/delete", id)

	if status, _, _ := c.post(path, s.url, url.Values{}); status != http.StatusForbidden {
		t.Errorf("delete without CSRF token: status %d, want 403", status)
	}
	if status, _, _ := c.post(path, "http://attacker.example", url.Values{"csrf": {c.csrf}}); status != http.StatusForbidden {
		t.Errorf("delete from a foreign origin: status %d, want 403", status)
	}
	status, header, _ := c.post(path, s.url, url.Values{"csrf": {c.csrf}})
	if status != http.StatusSeeOther || !strings.HasPrefix(header.Get("Location"), "/campaigns?notice=deleted") {
		t.Errorf("delete with token and own origin: status %d to %q, want 303 to the list", status, header.Get("Location"))
	}
}

func TestSigninCookieAndRateLimit(t *testing.T) {
	s := startSite(t)
	c := newBrowserClient(t, s)

	for i := range 5 {
		if status := c.signin(s.email, "wrong password "+fmt.Sprint(i)); status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: status %d, want 401", i, status)
		}
	}
	if status := c.signin(s.email, s.password); status != http.StatusTooManyRequests {
		t.Errorf("sign-in after five failures: status %d, want 429 even with the right password", status)
	}
	if status := c.signin(s.viewerEmail, s.viewerPassword); status != http.StatusSeeOther {
		t.Errorf("another email from the same address: status %d, want 303", status)
	}

	other := newBrowserClient(t, s)
	_, page := other.get("/signin")
	token := signinTokenInput.FindStringSubmatch(page)[1]
	req, _ := http.NewRequest("POST", s.url+"/signin", strings.NewReader(url.Values{
		"email": {s.viewerEmail}, "password": {s.viewerPassword}, "token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := other.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, cookie := range resp.Cookies() {
		if cookie.Name == "vibereport_session" {
			session = cookie
		}
	}
	if session == nil {
		t.Fatalf("sign-in set no session cookie")
	}
	if !session.HttpOnly {
		t.Errorf("session cookie is not HttpOnly")
	}
	if session.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie SameSite = %v, want Lax", session.SameSite)
	}
}

func TestSigninNextStaysOnSite(t *testing.T) {
	s := startSite(t)
	// Browsers drop tabs and line breaks inside a URL and read a backslash
	// as a slash, so a next with a control character or a backslash falls
	// back to the report list.
	cases := []struct {
		next string
		want string
	}{
		{"/campaigns/7?metric=read", "/campaigns/7?metric=read"},
		{"/settings", "/settings"},
		{"//evil.example/x", "/campaigns"},
		{"https://evil.example/x", "/campaigns"},
		{"/\\evil.example", "/campaigns"},
		{"/./\\evil.example", "/campaigns"},
		{"/campaigns\\..\\..\\evil.example", "/campaigns"},
		{"/\t/evil.example", "/campaigns"},
		{"/\n/evil.example", "/campaigns"},
		{"/\x00/evil.example", "/campaigns"},
		{"/\x7f/evil.example", "/campaigns"},
		{"/signin?next=/settings", "/campaigns"},
		{"", "/campaigns"},
	}

	signedIn := newBrowserClient(t, s)
	if status := signedIn.signin(s.email, s.password); status != http.StatusSeeOther {
		t.Fatalf("sign-in: status %d, want 303", status)
	}
	for _, tc := range cases {
		req, err := http.NewRequest("GET", s.url+"/signin?next="+url.QueryEscape(tc.next), nil)
		if err != nil {
			t.Fatal(err)
		}
		status, got := signedIn.redirect(req)
		if status != http.StatusSeeOther || got != tc.want {
			t.Errorf("signed in, GET /signin?next=%q: status %d to %q, want 303 to %q", tc.next, status, got, tc.want)
		}
	}

	for _, tc := range cases {
		c := newBrowserClient(t, s)
		_, page := c.get("/signin")
		token := signinTokenInput.FindStringSubmatch(page)[1]
		form := url.Values{"email": {s.viewerEmail}, "password": {s.viewerPassword}, "token": {token}, "next": {tc.next}}
		req, err := http.NewRequest("POST", s.url+"/signin", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", s.url)
		status, got := c.redirect(req)
		if status != http.StatusSeeOther || got != tc.want {
			t.Errorf("POST /signin with next %q: status %d to %q, want 303 to %q", tc.next, status, got, tc.want)
		}
	}
}

func TestPagesRequireSession(t *testing.T) {
	s := startSite(t)
	c := newBrowserClient(t, s)
	for _, path := range []string{"/campaigns", "/campaigns/1", "/campaigns/1/contacts?metric=sent", "/settings", "/messages/1"} {
		resp, err := c.http.Get(s.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin") {
			t.Errorf("GET %s signed out: status %d to %q, want 303 to /signin", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if status, _, _ := c.post("/campaigns/1/delete", s.url, url.Values{}); status != http.StatusUnauthorized {
		t.Errorf("POST signed out: status %d, want 401", status)
	}
	resp, err := c.http.Get(s.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Location") != "/signin" {
		t.Errorf("GET / signed out redirects to %q, want /signin", resp.Header.Get("Location"))
	}
}

func TestNULCharacterRejected(t *testing.T) {
	s := startSite(t)
	id := s.newCampaign(campaignSpec{name: "NUL check", sent: 2, delivered: 2})
	c := newBrowserClient(t, s)
	if status := c.signin(s.email, s.password); status != http.StatusSeeOther {
		t.Fatalf("sign-in: status %d, want 303", status)
	}
	const message = "contains the NUL character, which cannot be stored. Remove it and try again."

	for _, path := range []string{"/campaigns?q=Sale%00", "/campaigns?tag=sale%00", "/campaigns?q%00=Sale"} {
		status, page := c.get(path)
		if status != http.StatusBadRequest {
			t.Errorf("GET %s: status %d, want 400", path, status)
		}
		if !strings.Contains(page, message) {
			t.Errorf("GET %s: page does not say %q", path, message)
		}
	}

	c.get(fmt.Sprintf("/campaigns/%d", id))
	form := url.Values{"csrf": {c.csrf}, "metric": {"delivered"}, "new_list": {"Readers\x00"}}
	status, _, page := c.post(fmt.Sprintf("/campaigns/%d/export/list", id), s.url, form)
	if status != http.StatusBadRequest {
		t.Errorf("export to a new list named with NUL: status %d, want 400", status)
	}
	if !strings.Contains(page, message) {
		t.Errorf("export to a new list named with NUL: page does not say %q", message)
	}
	other := newBrowserClient(t, s)
	_, signinPage := other.get("/signin")
	token := signinTokenInput.FindStringSubmatch(signinPage)[1]
	form = url.Values{"email": {"anna\x00@shop.example"}, "password": {s.password}, "token": {token}}
	status, _, page = other.post("/signin", s.url, form)
	if status != http.StatusBadRequest {
		t.Errorf("sign-in with NUL in the email: status %d, want 400", status)
	}
	if !strings.Contains(page, message) {
		t.Errorf("sign-in with NUL in the email: page does not say %q", message)
	}

	var lists struct {
		ContactLists []struct {
			Name string `json:"name"`
		} `json:"contact_lists"`
	}
	s.call("GET", "/api/v1/contact-lists", nil, &lists)
	if len(lists.ContactLists) != 0 {
		t.Errorf("contact lists after the rejected export: %+v, want none", lists.ContactLists)
	}
}

func TestOtherAccountsCampaignNotFound(t *testing.T) {
	s := startSite(t)
	mine := s.newCampaign(campaignSpec{name: "Mine", sent: 2, delivered: 1})
	created, err := cli.CreateAccount(context.Background(), s.app.DB, &domain.Account{
		Name: "Other shop", TimeZone: "UTC", DefaultCountry: "UA",
	})
	if err != nil {
		t.Fatalf("create second account: %v", err)
	}
	other := *s
	other.apiKey = created.APIKey
	var conn struct {
		ID int64 `json:"id"`
	}
	other.call("POST", "/api/v1/providers", map[string]any{"kind": "sandbox", "name": "Sandbox", "secret": sandboxSecret}, &conn)
	other.providerID = conn.ID
	theirs := other.newCampaign(campaignSpec{name: "Theirs", sent: 2, delivered: 1})

	c := newBrowserClient(t, s)
	c.signin(s.email, s.password)
	for _, path := range []string{
		fmt.Sprintf("/campaigns/%d", theirs),
		fmt.Sprintf("/campaigns/%d/contacts?metric=sent", theirs),
		fmt.Sprintf("/campaigns/%d/export.csv?metric=sent", theirs),
		fmt.Sprintf("/campaigns/compare?ids=%d,%d", mine, theirs),
	} {
		if status, _ := c.get(path); status != http.StatusNotFound {
			t.Errorf("GET %s of another account: status %d, want 404", path, status)
		}
	}
}

func TestAdminSavesNorms(t *testing.T) {
	s := startSite(t)
	c := newBrowserClient(t, s)
	c.signin(s.email, s.password)
	c.get("/settings")
	form := url.Values{"csrf": {c.csrf}}
	for _, name := range []string{"delivered", "read", "ctr", "ctor", "undelivered", "expired", "unsubscribed"} {
		form.Set(name+".green", "10")
		form.Set(name+".red", "5")
	}
	form.Set("read.green", "70")
	form.Set("read.red", "abc")
	if status, _, body := c.post("/settings", s.url, form); status != http.StatusBadRequest || !strings.Contains(body, "Invalid value") {
		t.Errorf("invalid norm: status %d, want 400 with the reason", status)
	}
	form.Set("read.red", "25")
	if status, _, _ := c.post("/settings", s.url, form); status != http.StatusSeeOther {
		t.Fatalf("save norms: status %d, want 303", status)
	}
	_, page := c.get("/settings")
	if !strings.Contains(page, `name="read.green" value="70"`) || !strings.Contains(page, `name="read.red" value="25"`) {
		t.Errorf("settings page does not show the saved read norm 70 and 25")
	}
}
