package ui

import "github.com/vibereport/vibereport/internal/domain"

// previewSet is a message's content as Viber clients show it, one version
// at a time, with the choice of versions for the switcher.
type previewSet struct {
	// Versions lists the languages to switch between; "" is the default
	// content, sent when no version matches the contact's language.
	Versions []string
	Current  string
	Content  domain.Content
	// Empty is true when there is no message to preview.
	Empty bool
}

// newPreviewSet selects the version named by lang, or the default content
// when the message has no such version.
func newPreviewSet(m *domain.Message, lang string) previewSet {
	if m == nil {
		return previewSet{Empty: true}
	}
	p := previewSet{Versions: []string{""}, Content: m.Content}
	for _, v := range m.Versions {
		p.Versions = append(p.Versions, v.Language)
		if v.Language == lang {
			p.Current = lang
			p.Content = v.Content
		}
	}
	return p
}
