package supd

import (
	"fmt"
	"slices"
	"strings"
)

// A secrets file (the token file, the TLS key, the WinRM credentials) must
// be readable by nobody but its owner — on Windows its owner, SYSTEM and the
// Administrators group (SPEC §6.5). On Unix the mode bits say it
// (private_other.go); on Windows the file's DACL (private_windows.go), whose
// entries are judged here, portably, so that the rule is tested everywhere.

// Well-known SIDs that may read a secrets file besides its owner.
const (
	sidSystem         = "S-1-5-18"     // NT AUTHORITY\SYSTEM
	sidAdministrators = "S-1-5-32-544" // BUILTIN\Administrators
)

// Access rights that let a principal read a file, or give itself the right
// to: FILE_READ_DATA, READ_CONTROL is harmless, WRITE_DAC and WRITE_OWNER,
// GENERIC_ALL, GENERIC_READ (winnt.h).
const readRights uint32 = 0x00000001 | 0x00040000 | 0x00080000 | 0x10000000 | 0x80000000

// aclEntry is one access control entry of a file's DACL.
type aclEntry struct {
	Allow       bool   // ACCESS_ALLOWED_ACE_TYPE (else denied or another type)
	InheritOnly bool   // INHERIT_ONLY_ACE: applies to children, not the file
	Mask        uint32 // the access mask
	SID         string // the trustee, in S-1-… form
	Name        string // the trustee's DOMAIN\name when known, for messages
}

// checkDACL returns an error naming who else may read a file whose owner
// is owner and whose DACL is dacl (present false: a NULL DACL, which grants
// everyone everything).
func checkDACL(path, owner string, present bool, dacl []aclEntry) error {
	if !present {
		return fmt.Errorf("%s has no access control list (everyone may read it): give it one that only its owner, SYSTEM and Administrators may read", path)
	}
	allowed := []string{owner, sidSystem, sidAdministrators}
	var others []string
	for _, e := range dacl {
		if !e.Allow || e.InheritOnly || e.Mask&readRights == 0 || slices.Contains(allowed, e.SID) {
			continue
		}
		who := e.SID
		if e.Name != "" {
			who = e.Name + " (" + e.SID + ")"
		}
		if !slices.Contains(others, who) {
			others = append(others, who)
		}
	}
	if len(others) > 0 {
		return fmt.Errorf("%s may be read by %s: only its owner, SYSTEM and Administrators may (icacls %q /inheritance:r /grant:r \"%%USERNAME%%:F\" SYSTEM:F Administrators:F)",
			path, strings.Join(others, ", "), path)
	}
	return nil
}
