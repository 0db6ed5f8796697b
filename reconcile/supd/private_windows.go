//go:build windows

package supd

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

// checkPrivate refuses the open secrets file f (at path) whose DACL lets anyone but its
// owner, SYSTEM and Administrators read it (see private.go).
func checkPrivate(f *os.File, path string) error {
	sd, err := windows.GetSecurityInfo(windows.Handle(f.Fd()), windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return fmt.Errorf("%s: read its security descriptor: %w", path, err)
	}
	owner, _, err := sd.Owner()
	if err != nil {
		return fmt.Errorf("%s: its owner: %w", path, err)
	}
	dacl, _, err := sd.DACL()
	if err != nil && err != windows.ERROR_OBJECT_NOT_FOUND {
		return fmt.Errorf("%s: its access control list: %w", path, err)
	}
	if dacl == nil {
		return checkDACL(path, owner.String(), false, nil)
	}
	var entries []aclEntry
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return fmt.Errorf("%s: access control entry %d: %w", path, i, err)
		}
		e := aclEntry{
			Allow:       ace.Header.AceType == windows.ACCESS_ALLOWED_ACE_TYPE,
			InheritOnly: ace.Header.AceFlags&windows.INHERIT_ONLY_ACE != 0,
			Mask:        uint32(ace.Mask),
		}
		if e.Allow {
			sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
			e.SID = sid.String()
			if account, domain, _, err := sid.LookupAccount(""); err == nil {
				e.Name = domain + `\` + account
			}
		}
		entries = append(entries, e)
	}
	return checkDACL(path, owner.String(), true, entries)
}
