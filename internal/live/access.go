package live

// AccessTopic is the notice that a staff member's access changed (disabled,
// signed out everywhere, a new password, another role): their screens, in
// every process, check at once whether they may still follow what they
// show, rather than at their next ping. Screens are never sent it as a
// region; clients cannot follow it.
func AccessTopic(username string) string { return "access:" + username }
