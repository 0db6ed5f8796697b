package supd

import (
	"strings"
	"testing"
)

// TestCheckDACL is the Windows rule for secrets files, on DACLs as
// private_windows.go reads them: only the owner, SYSTEM and Administrators
// may read.
func TestCheckDACL(t *testing.T) {
	const (
		owner    = "S-1-5-21-1004336348-1177238915-682003330-1001"
		users    = "S-1-5-32-545"
		everyone = "S-1-1-0"
		full     = 0x001F01FF // FILE_ALL_ACCESS
		readOnly = 0x00120089 // FILE_GENERIC_READ
	)
	for _, tt := range []struct {
		name    string
		present bool
		dacl    []aclEntry
		refused string // "" when accepted, else who the message names
	}{
		{"owner, SYSTEM, Administrators", true, []aclEntry{
			{Allow: true, Mask: full, SID: owner}, {Allow: true, Mask: full, SID: sidSystem},
			{Allow: true, Mask: full, SID: sidAdministrators}}, ""},
		{"empty DACL: nobody", true, nil, ""},
		{"NULL DACL: everyone", false, nil, "no access control list"},
		{"Users may read", true, []aclEntry{
			{Allow: true, Mask: full, SID: owner}, {Allow: true, Mask: readOnly, SID: users, Name: `BUILTIN\Users`}}, `BUILTIN\Users (S-1-5-32-545)`},
		{"Everyone GENERIC_READ", true, []aclEntry{{Allow: true, Mask: 0x80000000, SID: everyone}}, everyone},
		{"another user may change the DACL", true, []aclEntry{{Allow: true, Mask: 0x00040000, SID: "S-1-5-21-1-2-3-1002"}}, "S-1-5-21-1-2-3-1002"},
		{"Users denied", true, []aclEntry{{Allow: false, Mask: full, SID: users}, {Allow: true, Mask: full, SID: owner}}, ""},
		{"Users inherit-only", true, []aclEntry{{Allow: true, InheritOnly: true, Mask: full, SID: users}}, ""},
		{"Users may only append", true, []aclEntry{{Allow: true, Mask: 0x00000004, SID: users}}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := checkDACL(`C:\supd\tokens`, owner, tt.present, tt.dacl)
			switch {
			case tt.refused == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.refused != "" && (err == nil || !strings.Contains(err.Error(), tt.refused)):
				t.Fatalf("got %v, want a refusal naming %s", err, tt.refused)
			}
		})
	}
}
