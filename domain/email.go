package domain

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxEmailLength is the most bytes an email address may have, as mail
// servers allow, for every context that keeps one.
const MaxEmailLength = 254

// NormalizeEmail trims and lowercases an email address and checks its shape:
// one @, something before it, a domain with a dot after it, no spaces, at
// most MaxEmailLength bytes. An empty address returns "" with no problem; the
// caller says whether one is needed. problem is a sentence saying what is
// wrong, or "".
func NormalizeEmail(email string) (normalized, problem string) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", ""
	}
	// Checked before lowercasing, which would quietly replace broken bytes.
	if !utf8.ValidString(email) {
		return "", "The email address holds characters that cannot be read."
	}
	email = strings.ToLower(email)
	if len(email) > MaxEmailLength {
		return "", fmt.Sprintf("The email address can be at most %d characters long.", MaxEmailLength)
	}
	if strings.IndexFunc(email, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "", "The email address cannot contain spaces."
	}
	local, host, ok := strings.Cut(email, "@")
	if !ok || strings.Contains(host, "@") {
		return "", "The email address needs exactly one @."
	}
	if local == "" {
		return "", "The email address needs a name before the @."
	}
	if !strings.Contains(host, ".") || strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") || strings.Contains(host, "..") {
		return "", "The email address needs a domain with a dot after the @, like example.com."
	}
	return email, ""
}
