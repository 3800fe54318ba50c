package staff

import (
	"reflect"
	"testing"

	"restaurant/domain"
)

func TestDecide(t *testing.T) {
	added := StaffMemberAdded{Username: "ana", Role: Kitchen}
	tests := []struct {
		name    string
		given   []domain.Event
		when    Command
		then    []domain.Event
		wantErr string
		field   string
	}{
		{"add", nil, AddMember{Username: "ana", Role: Kitchen}, []domain.Event{added}, "", ""},
		{"add twice", []domain.Event{added}, AddMember{Username: "ana", Role: Kitchen}, nil, domain.ECONFLICT, ""},
		{"bad username", nil, AddMember{Username: "Ana Maria", Role: Kitchen}, nil, domain.EINVALID, "username"},
		{"one-letter username", nil, AddMember{Username: "a", Role: Kitchen}, nil, domain.EINVALID, "username"},
		{"bad role", nil, AddMember{Username: "ana", Role: "chef"}, nil, domain.EINVALID, "role"},
		{"change role", []domain.Event{added}, ChangeRole{Role: Manager}, []domain.Event{StaffRoleChanged{"ana", Manager}}, "", ""},
		{"same role", []domain.Event{added}, ChangeRole{Role: Kitchen}, nil, "", ""},
		{"change to a bad role", []domain.Event{added}, ChangeRole{Role: "owner"}, nil, domain.EINVALID, "role"},
		{"disable", []domain.Event{added}, Disable{}, []domain.Event{StaffMemberDisabled{"ana"}}, "", ""},
		{"disable twice", []domain.Event{added, StaffMemberDisabled{"ana"}}, Disable{}, nil, "", ""},
		{"enable", []domain.Event{added, StaffMemberDisabled{"ana"}}, Enable{}, []domain.Event{StaffMemberEnabled{"ana"}}, "", ""},
		{"enable an enabled member", []domain.Event{added}, Enable{}, nil, "", ""},
		{"password changed", []domain.Event{added}, RecordPasswordChange{}, []domain.Event{StaffPasswordChanged{"ana"}}, "", ""},
		{"unknown member", nil, Disable{}, nil, domain.ENOTFOUND, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s State
			for _, e := range tt.given {
				s = Evolve(s, e)
			}
			got, err := Decide(s, tt.when)
			if tt.wantErr != "" {
				var de *domain.Error
				if domain.ErrorCode(err) != tt.wantErr {
					t.Fatalf("got %v, want %s", err, tt.wantErr)
				}
				if tt.field != "" && (!asError(err, &de) || de.Field != tt.field) {
					t.Fatalf("error %v is not about %s", err, tt.field)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.then) {
				t.Fatalf("got %v, %v; want %v", got, err, tt.then)
			}
		})
	}
}

func asError(err error, target **domain.Error) bool {
	e, ok := err.(*domain.Error)
	*target = e
	return ok
}
