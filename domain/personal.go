package domain

// Personal is an event that carries personal data: its string fields tagged
// `personal:"true"` (also inside nested structs) are sealed by the event
// store with the key of the person DataSubject names, a customer id or a
// guest id, and read back only while that key exists. Erasing the person
// deletes the key, so the fields in history that is never rewritten become
// unreadable: crypto-shredding. DataSubject is "" only in events written
// before personal data was sealed; the store refuses to write such an event
// with personal data in it.
type Personal interface {
	Event
	DataSubject() string
}

// Erasure is an event after which the keys of the people it names are gone:
// every reader that keeps keys or personal data drops what it holds of them.
type Erasure interface {
	Event
	ErasedSubjects() []string
}
