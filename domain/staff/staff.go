// Package staff is the restaurant's team: who may sign in, and in which role.
// It is pure. Passwords are not here: an event names a staff member, never
// their secret, which lives hashed outside the event log.
package staff

import (
	"strings"

	"restaurant/domain"
)

// Role is what a staff member may do.
type Role string

const (
	// Kitchen works the kitchen display.
	Kitchen Role = "kitchen"
	// Manager does everything: the menu, the team, the audit history.
	Manager Role = "manager"
)

// Roles lists the roles, for forms.
var Roles = []Role{Kitchen, Manager}

// ParseRole checks a role's name.
func ParseRole(s string) (Role, error) {
	switch Role(strings.TrimSpace(s)) {
	case Kitchen:
		return Kitchen, nil
	case Manager:
		return Manager, nil
	}
	return "", domain.Invalid("role", "Choose a role: kitchen or manager.")
}

// Events.

// StaffMemberAdded: someone joined the team.
type StaffMemberAdded struct {
	Username string `json:"username"`
	Role     Role   `json:"role"`
}

// StaffRoleChanged: a member's role changed.
type StaffRoleChanged struct {
	Username string `json:"username"`
	Role     Role   `json:"role"`
}

// StaffMemberDisabled: a member may no longer sign in.
type StaffMemberDisabled struct {
	Username string `json:"username"`
}

// StaffMemberEnabled: a disabled member may sign in again.
type StaffMemberEnabled struct {
	Username string `json:"username"`
}

// StaffPasswordChanged records that a member's password was set, for the
// audit trail; the password itself is never in an event.
type StaffPasswordChanged struct {
	Username string `json:"username"`
}

// EventType implements domain.Event.
func (StaffMemberAdded) EventType() string { return "staff.StaffMemberAdded" }

// EventType implements domain.Event.
func (StaffRoleChanged) EventType() string { return "staff.StaffRoleChanged" }

// EventType implements domain.Event.
func (StaffMemberDisabled) EventType() string { return "staff.StaffMemberDisabled" }

// EventType implements domain.Event.
func (StaffMemberEnabled) EventType() string { return "staff.StaffMemberEnabled" }

// EventType implements domain.Event.
func (StaffPasswordChanged) EventType() string { return "staff.StaffPasswordChanged" }

// Events lists one of each event type, for the codec.
func Events() []domain.Event {
	return []domain.Event{StaffMemberAdded{}, StaffRoleChanged{}, StaffMemberDisabled{}, StaffMemberEnabled{}, StaffPasswordChanged{}}
}

// Commands.

// Command is a staff command.
type Command interface{ command() }

// AddMember adds someone to the team.
type AddMember struct {
	Username string
	Role     Role
}

// ChangeRole gives a member another role.
type ChangeRole struct{ Role Role }

// Disable stops a member from signing in.
type Disable struct{}

// Enable lets a disabled member sign in again.
type Enable struct{}

// RecordPasswordChange notes that a member's password was set.
type RecordPasswordChange struct{}

func (AddMember) command()            {}
func (ChangeRole) command()           {}
func (Disable) command()              {}
func (Enable) command()               {}
func (RecordPasswordChange) command() {}

// State is a staff member as their events tell.
type State struct {
	Username string
	Role     Role
	Exists   bool
	Disabled bool
}

// Evolve applies an event.
func Evolve(s State, e domain.Event) State {
	switch e := e.(type) {
	case StaffMemberAdded:
		s = State{Username: e.Username, Role: e.Role, Exists: true}
	case StaffRoleChanged:
		s.Role = e.Role
	case StaffMemberDisabled:
		s.Disabled = true
	case StaffMemberEnabled:
		s.Disabled = false
	}
	return s
}

// ValidUsername says whether a name can be a username: 2 to 32 lowercase
// letters, digits, dots, dashes or underscores.
func ValidUsername(name string) bool {
	if len(name) < 2 || len(name) > 32 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Decide decides a command.
func Decide(s State, c Command) ([]domain.Event, error) {
	if add, ok := c.(AddMember); ok {
		if !ValidUsername(add.Username) {
			return nil, domain.Invalid("username", "A username has 2 to 32 lowercase letters, digits, dots, dashes or underscores.")
		}
		if _, err := ParseRole(string(add.Role)); err != nil {
			return nil, err
		}
		if s.Exists {
			return nil, domain.Conflict("There is already a staff member called %s.", add.Username)
		}
		return []domain.Event{StaffMemberAdded(add)}, nil
	}
	if !s.Exists {
		return nil, domain.NotFound("There is no such staff member.")
	}
	switch c := c.(type) {
	case ChangeRole:
		if _, err := ParseRole(string(c.Role)); err != nil {
			return nil, err
		}
		if c.Role == s.Role {
			return nil, nil
		}
		return []domain.Event{StaffRoleChanged{Username: s.Username, Role: c.Role}}, nil
	case Disable:
		if s.Disabled {
			return nil, nil
		}
		return []domain.Event{StaffMemberDisabled{Username: s.Username}}, nil
	case Enable:
		if !s.Disabled {
			return nil, nil
		}
		return []domain.Event{StaffMemberEnabled{Username: s.Username}}, nil
	case RecordPasswordChange:
		return []domain.Event{StaffPasswordChanged{Username: s.Username}}, nil
	}
	return nil, domain.Invalid("", "Unknown command.")
}
