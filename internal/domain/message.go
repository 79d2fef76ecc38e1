package domain

import (
	"fmt"
	"net/url"
	"time"
	"unicode/utf8"
)

// Viber Business Messages limits.
const (
	MaxMessageText = 1000
	MinTTL         = 30 * time.Second
	MaxTTL         = 14 * 24 * time.Hour
)

// Message is the content a campaign sends, with optional versions per
// language.
type Message struct {
	ID        int64
	AccountID int64
	Name      string
	Content
	TTL       time.Duration
	Tags      []string
	Versions  []MessageVersion
	CreatedAt time.Time
}

// Content is the text, image and button a Viber client shows for one message version.
type Content struct {
	Text          string `json:"text"`
	ImageURL      string `json:"image_url,omitempty"`
	ButtonCaption string `json:"button_caption,omitempty"`
	ButtonURL     string `json:"button_url,omitempty"`
	// IOSExpiryText replaces the text on iOS devices once the TTL has run out.
	IOSExpiryText string `json:"ios_expiry_text,omitempty"`
}

// MessageVersion is the content for one language.
type MessageVersion struct {
	Language string `json:"language"`
	Content
}

// Validate checks the content against Viber's limits; field names the JSON
// field the content came from.
func (c *Content) Validate(field string) error {
	if c.Text == "" && c.ImageURL == "" {
		return fmt.Errorf("%s.text: missing: a message needs text, an image or both", field)
	}
	if n := utf8.RuneCountInString(c.Text); n > MaxMessageText {
		return fmt.Errorf("%s.text: %d characters is over Viber's limit of %d: shorten the text", field, n, MaxMessageText)
	}
	for name, value := range map[string]string{"image_url": c.ImageURL, "button_url": c.ButtonURL} {
		if value == "" {
			continue
		}
		u, err := url.Parse(value)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("%s.%s: invalid URL %q: use an absolute http or https URL", field, name, value)
		}
	}
	if (c.ButtonCaption == "") != (c.ButtonURL == "") {
		return fmt.Errorf("%s.button_caption and %s.button_url: set both or neither", field, field)
	}
	if n := utf8.RuneCountInString(c.ButtonCaption); n > 30 {
		return fmt.Errorf("%s.button_caption: %d characters is over Viber's limit of 30: shorten the caption", field, n)
	}
	return nil
}

// ValidateTTL checks a time to live against Viber's bounds.
func ValidateTTL(ttl time.Duration) error {
	if ttl < MinTTL || ttl > MaxTTL {
		return fmt.Errorf("ttl_seconds: %d is out of range: use 30 to 1209600 (14 days)", int64(ttl/time.Second))
	}
	return nil
}
