package phone

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeValid(t *testing.T) {
	tests := []struct {
		name   string
		raw    string
		region string
		want   string
	}{
		{"ua international", "+380671234567", "UA", "+380671234567"},
		{"ua international spaced", "+380 67 123 45 67", "UA", "+380671234567"},
		{"ua international in other region", "+380671234567", "PL", "+380671234567"},
		{"ua national spaced", "067 123 45 67", "UA", "+380671234567"},
		{"ua national dashes", "067-123-45-67", "UA", "+380671234567"},
		{"ua national parentheses", "(067) 123-45-67", "UA", "+380671234567"},
		{"ua national compact", "0671234567", "UA", "+380671234567"},
		{"ua digits only in own region", "380671234567", "UA", "+380671234567"},
		{"ua digits only in us", "380671234567", "US", "+380671234567"},
		{"ua digits only in pl", "380501234567", "PL", "+380501234567"},
		{"ua idd prefix", "00 380 67 123 45 67", "UA", "+380671234567"},
		{"ua lowercase region", "067 123 45 67", "ua", "+380671234567"},
		{"ua surrounding whitespace", "  +380671234567\t", "UA", "+380671234567"},
		{"ua kyiv landline", "044 234 56 78", "UA", "+380442345678"},
		{"pl national", "601 234 567", "PL", "+48601234567"},
		{"pl international", "+48 601-234-567", "UA", "+48601234567"},
		{"pl digits only in ua", "48601234567", "UA", "+48601234567"},
		{"us national", "(202) 555-0123", "US", "+12025550123"},
		{"us dots", "202.555.0123", "US", "+12025550123"},
		{"us with trunk 1", "1 202 555 0123", "US", "+12025550123"},
		{"us digits only in ua", "12025550123", "UA", "+12025550123"},
		{"us international", "+1 (202) 555-0123", "GB", "+12025550123"},
		{"gb national", "07911 123456", "GB", "+447911123456"},
		{"gb international", "+44 7911 123456", "UA", "+447911123456"},
		{"gb digits only in ua", "447911123456", "UA", "+447911123456"},
		{"gb london slash", "020/7946 0958", "GB", "+442079460958"},
		{"international without region", "+380671234567", "", "+380671234567"},
		{"digits only without region", "380671234567", "", "+380671234567"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.raw, tt.region)
			if err != nil {
				t.Fatalf("Normalize(%q, %q) error: %v", tt.raw, tt.region, err)
			}
			if got != tt.want {
				t.Errorf("Normalize(%q, %q) = %q, want %q", tt.raw, tt.region, got, tt.want)
			}
		})
	}
}

func TestNormalizeInvalid(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		region  string
		wantErr string
	}{
		{"empty", "", "UA", `phone number is empty`},
		{"blank", "   ", "UA", `phone number is empty`},
		{"too short", "12", "UA",
			`phone "12": invalid number for region UA: write it in international format, e.g. +380501234567`},
		{"too short pl", "12", "PL",
			`phone "12": invalid number for region PL: write it in international format, e.g. +48512345678`},
		{"ua national too short", "067 123 45", "UA",
			`phone "067 123 45": invalid number for region UA: write it in international format, e.g. +380501234567`},
		{"ua national too long", "067 123 45 678", "UA",
			`phone "067 123 45 678": invalid number for region UA: write it in international format, e.g. +380501234567`},
		{"ua national in pl", "067 123 45 67", "PL",
			`phone "067 123 45 67": invalid number for region PL: write it in international format, e.g. +48512345678`},
		{"international too short", "+3806712", "UA",
			`phone "+3806712": invalid international number: check the country code and the number of digits`},
		{"unknown country code", "+999123456789", "UA",
			`phone "+999123456789": invalid international number: check the country code and the number of digits`},
		{"letters", "1-800-FLOWERS", "US",
			`phone "1-800-FLOWERS": invalid character 'F': write only digits, spaces, dashes, dots, slashes, parentheses and a leading +`},
		{"word", "abc", "UA",
			`phone "abc": invalid character 'a': write only digits, spaces, dashes, dots, slashes, parentheses and a leading +`},
		{"plus inside", "380+671234567", "UA",
			`phone "380+671234567": invalid character '+': write only digits, spaces, dashes, dots, slashes, parentheses and a leading +`},
		{"extension", "+380671234567 ext 5", "UA",
			`phone "+380671234567 ext 5": invalid character 'e': write only digits, spaces, dashes, dots, slashes, parentheses and a leading +`},
		{"separators only", "+ ( ) -", "UA", `phone "+ ( ) -": contains no digits`},
		{"too long", strings.Repeat("1", 65), "UA", `phone number is too long: 65 characters, maximum 64`},
		{"national without region", "0671234567", "",
			`phone "0671234567": invalid number without a country code: write it in international format, e.g. +380671234567`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.raw, tt.region)
			if err == nil {
				t.Fatalf("Normalize(%q, %q) = %q, want error %q", tt.raw, tt.region, got, tt.wantErr)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("Normalize(%q, %q) error:\n got  %s\n want %s", tt.raw, tt.region, err, tt.wantErr)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(%v, ErrInvalid) = false, want true", err)
			}
			if got != "" {
				t.Errorf("Normalize(%q, %q) returned %q with the error, want empty", tt.raw, tt.region, got)
			}
		})
	}
}

func TestNormalizeRejectsUnknownRegion(t *testing.T) {
	_, err := Normalize("+380671234567", "XX")
	want := `invalid default region "XX": use an ISO 3166-1 alpha-2 code such as UA`
	if err == nil || err.Error() != want {
		t.Fatalf("Normalize with region XX error = %v, want %q", err, want)
	}
	if errors.Is(err, ErrInvalid) {
		t.Errorf("errors.Is(%v, ErrInvalid) = true, want false for a bad region", err)
	}
}
