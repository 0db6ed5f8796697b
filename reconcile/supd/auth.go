package supd

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Scope is what a token may do.
type Scope int

// Scopes, each including the ones before it.
const (
	ScopeRead  Scope = iota + 1 // GET /v1/state, GET /v1/events
	ScopeWrite                  // also POST /v1/ops and the lease calls
)

// String returns the scope as written in the token file.
func (s Scope) String() string {
	switch s {
	case ScopeRead:
		return "read"
	case ScopeWrite:
		return "write"
	}
	return fmt.Sprintf("Scope(%d)", int(s))
}

// Tokens are the bearer tokens supd accepts.
type Tokens struct {
	entries []tokenEntry
}

type tokenEntry struct {
	name  string
	scope Scope
	hash  [sha256.Size]byte
}

// MinTokenLength is the length, in bytes, of the shortest token accepted.
const MinTokenLength = 16

// ReadPrivateFile reads a file holding secrets (the token file, the TLS
// key, the WinRM credentials). It refuses a file others may read: group or
// others in its mode bits (mode & 0o077 != 0), or on Windows anyone but its
// owner, SYSTEM and Administrators in its ACL (checkPrivate).
func ReadPrivateFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := checkPrivate(f, path); err != nil {
		return nil, err
	}
	return io.ReadAll(f)
}

// LoadTokens reads a token file with ReadPrivateFile and parses it with
// ParseTokens.
func LoadTokens(path string) (*Tokens, error) {
	data, err := ReadPrivateFile(path)
	if err != nil {
		return nil, fmt.Errorf("load tokens: %w", err)
	}
	t, err := ParseTokens(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("load tokens %s: %w", path, err)
	}
	return t, nil
}

// ParseTokens parses token-file lines "NAME SCOPE TOKEN" (fields separated by
// white space; SCOPE is "read" or "write"). Blank lines and lines starting
// with '#' are skipped. Names and tokens must be unique, tokens at least
// MinTokenLength bytes long; at least one token is required.
func ParseTokens(r io.Reader) (*Tokens, error) {
	t := &Tokens{}
	names := map[string]bool{}
	tokens := map[[sha256.Size]byte]bool{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			return nil, fmt.Errorf("line %d: want NAME SCOPE TOKEN, got %d fields", n, len(fields))
		}
		var e tokenEntry
		e.name = fields[0]
		switch fields[1] {
		case "read":
			e.scope = ScopeRead
		case "write":
			e.scope = ScopeWrite
		default:
			return nil, fmt.Errorf("line %d: scope %q is neither read nor write", n, fields[1])
		}
		if len(fields[2]) < MinTokenLength {
			return nil, fmt.Errorf("line %d: the token of %q has %d characters, fewer than %d", n, e.name, len(fields[2]), MinTokenLength)
		}
		e.hash = sha256.Sum256([]byte(fields[2]))
		if names[e.name] {
			return nil, fmt.Errorf("line %d: name %q appears twice", n, e.name)
		}
		if tokens[e.hash] {
			return nil, fmt.Errorf("line %d: the token of %q is also another name's", n, e.name)
		}
		names[e.name], tokens[e.hash] = true, true
		t.entries = append(t.entries, e)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(t.entries) == 0 {
		return nil, errors.New("no tokens")
	}
	return t, nil
}

// bearerToken returns the token of an Authorization header value of the
// Bearer scheme, whose name is case-insensitive (RFC 7235 §2.1).
func bearerToken(header string) (token string, ok bool) {
	scheme, token, found := strings.Cut(strings.TrimSpace(header), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// Lookup returns the name and scope of token. It compares the token's hash
// with every entry in constant time, so the time taken does not depend on
// which entry (if any) matches or on how much of it does.
func (t *Tokens) Lookup(token string) (name string, scope Scope, ok bool) {
	h := sha256.Sum256([]byte(token))
	for _, e := range t.entries {
		if subtle.ConstantTimeCompare(h[:], e.hash[:]) == 1 {
			name, scope, ok = e.name, e.scope, true
		}
	}
	return name, scope, ok && token != ""
}
