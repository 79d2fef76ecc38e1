// Package phone normalizes phone numbers to E.164 with libphonenumber's
// metadata (github.com/nyaruka/phonenumbers).
package phone

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// ErrInvalid matches, through errors.Is, every error that Normalize
// returns for a number it cannot read.
var ErrInvalid = errors.New("invalid phone number")

// maxInputLength is the longest input, in characters, that Normalize reads.
// E.164 allows at most 15 digits, so this leaves room for any formatting.
const maxInputLength = 64

// fallbackExample is the number shown in error messages when the default
// region is empty.
const fallbackExample = "+380671234567"

// Error is a rejected phone number with the reason shown to the user.
type Error struct {
	Input  string // the number as given, empty when it is blank or too long
	reason string
}

func (e *Error) Error() string {
	if e.Input == "" {
		return "phone number " + e.reason
	}
	return fmt.Sprintf("phone %q: %s", e.Input, e.reason)
}

// Is reports whether target is ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

// Normalize parses raw and returns it in E.164 form with a leading +.
//
// raw may be international (+380 67 123 45 67, or 00380... where the
// region's international prefix is 00), national for defaultRegion
// (067 123 45 67 for UA), or international digits without the + as some
// SMS providers send them (380671234567). Spaces, dashes, dots, slashes and
// parentheses are ignored. defaultRegion is an ISO 3166-1 alpha-2 code such
// as "UA", or empty to accept only numbers with a country code.
//
// A number without + is read in defaultRegion first. When it is not a
// valid number there but is valid with a + in front, it is read as
// international. Errors wrap ErrInvalid, except for an invalid
// defaultRegion.
func Normalize(raw, defaultRegion string) (string, error) {
	region := strings.ToUpper(strings.TrimSpace(defaultRegion))
	if region != "" && phonenumbers.GetCountryCodeForRegion(region) == 0 {
		return "", fmt.Errorf("invalid default region %q: use an ISO 3166-1 alpha-2 code such as UA", defaultRegion)
	}

	input := strings.TrimSpace(raw)
	if input == "" {
		return "", &Error{reason: "is empty"}
	}
	if n := utf8.RuneCountInString(input); n > maxInputLength {
		return "", &Error{reason: fmt.Sprintf("is too long: %d characters, maximum %d", n, maxInputLength)}
	}
	digits, international, err := stripFormatting(input)
	if err != nil {
		return "", &Error{Input: raw, reason: err.Error()}
	}

	if international {
		if number, ok := parseValid("+"+digits, region); ok {
			return number, nil
		}
		return "", &Error{Input: raw, reason: "invalid international number: check the country code and the number of digits"}
	}

	if region != "" {
		if number, ok := parseValid(digits, region); ok {
			return number, nil
		}
	}
	if number, ok := parseValid("+"+digits, region); ok {
		return number, nil
	}

	if region == "" {
		return "", &Error{Input: raw, reason: "invalid number without a country code: write it in international format, e.g. " + fallbackExample}
	}
	return "", &Error{Input: raw, reason: fmt.Sprintf("invalid number for region %s: write it in international format, e.g. %s", region, example(region))}
}

// stripFormatting returns the digits of input and whether it starts with +.
// It rejects letters and any other character that is not a digit or a
// common separator, because phonenumbers.Parse would otherwise read
// letters as keypad digits (1-800-FLOWERS).
func stripFormatting(input string) (digits string, international bool, err error) {
	var b strings.Builder
	for i, r := range input {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			international = true
		case unicode.IsSpace(r), r == '-', r == '.', r == '/', r == '(', r == ')':
		default:
			return "", false, fmt.Errorf("invalid character %q: write only digits, spaces, dashes, dots, slashes, parentheses and a leading +", r)
		}
	}
	if b.Len() == 0 {
		return "", false, errors.New("contains no digits")
	}
	return b.String(), international, nil
}

// parseValid parses number in region and returns its E.164 form when
// libphonenumber's metadata finds it valid.
func parseValid(number, region string) (string, bool) {
	parsed, err := phonenumbers.Parse(number, region)
	if err != nil || !phonenumbers.IsValidNumber(parsed) {
		return "", false
	}
	return phonenumbers.Format(parsed, phonenumbers.E164), true
}

// example returns a mobile number of region in E.164 form, for error
// messages.
func example(region string) string {
	number := phonenumbers.GetExampleNumberForType(region, phonenumbers.MOBILE)
	if number == nil {
		return fallbackExample
	}
	return phonenumbers.Format(number, phonenumbers.E164)
}
