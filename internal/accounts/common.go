package accounts

import (
	_ "embed"
	"strings"
	"sync"
)

//go:embed common_passwords.txt
var commonPasswordsText string

// commonPasswords is the embedded list as a set, read on first use.
var commonPasswords = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	for line := range strings.Lines(commonPasswordsText) {
		line = strings.TrimRight(line, "\r\n")
		if line != "" && !strings.HasPrefix(line, "#") {
			set[line] = true
		}
	}
	return set
})

// unleet undoes the letter swaps people make to dress a common word up.
var unleet = strings.NewReplacer("@", "a", "4", "a", "3", "e", "1", "i", "!", "i", "0", "o", "$", "s", "5", "s", "7", "t")

// common says whether a password is among the first ones guessed: in the
// list, or a word of the list with digits or symbols before or after it, with
// letters swapped for look-alikes, or made of three characters or fewer.
func common(p string) bool {
	lower := strings.ToLower(p)
	core := strings.Trim(lower, "0123456789!@#$%^&*()-_=+.,;:?~ ")
	set := commonPasswords()
	for _, c := range []string{lower, core, unleet.Replace(lower), unleet.Replace(core)} {
		if set[c] {
			return true
		}
	}
	distinct := map[rune]bool{}
	for _, r := range lower {
		distinct[r] = true
	}
	return len(distinct) <= 3
}
