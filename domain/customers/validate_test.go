package customers

import (
	"strings"
	"testing"
	"unicode/utf8"

	"restaurant/domain"
)

// FuzzNormalize: normalising never panics, what it accepts keeps the rules,
// and normalising again changes nothing, so the email the application hashes
// for its reservation is the email SignUp stores.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Ana@Example.com", " +31 (20) 123-4567 ", "JOÃO@EXAMPLE.PT", "İ@example.com", "a@b.c", "\xff@x.y", "++123456", "ǅ@example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if email, err := NormalizeEmail(in); err == nil {
			if len(email) > MaxEmailLength || strings.Count(email, "@") != 1 || strings.ContainsAny(email, " \t\n") || !utf8.ValidString(email) {
				t.Fatalf("NormalizeEmail(%q) accepted %q", in, email)
			}
			if again, err := NormalizeEmail(email); err != nil || again != email {
				t.Fatalf("NormalizeEmail(%q) = %q, then %q (%v)", in, email, again, err)
			}
		}
		if phone, err := NormalizePhone(in); err == nil {
			digits := strings.TrimPrefix(phone, "+")
			if len(digits) < domain.MinPhoneDigits || len(digits) > domain.MaxPhoneDigits || strings.Trim(digits, "0123456789") != "" {
				t.Fatalf("NormalizePhone(%q) accepted %q", in, phone)
			}
			if again, err := NormalizePhone(phone); err != nil || again != phone {
				t.Fatalf("NormalizePhone(%q) = %q, then %q (%v)", in, phone, again, err)
			}
		}
	})
}
