package reconcile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/supd/windows"
)

// MaxObservedSize is the largest document LoadObserved reads (a read
// script's output is tens of kilobytes).
const MaxObservedSize = 4 << 20

// ErrLocalPath: a local file or directory given on the command line cannot
// be read (SPEC §4 exit 3).
var ErrLocalPath = errors.New("cannot read a local path")

// ObservedFile is where one server's document came from (SPEC §5.9).
type ObservedFile struct {
	FQDN   string `json:"fqdn"`
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	// Form is "document" (§6.1), "state" (GET /v1/state) or "read" (the
	// read script's raw output, parsed by windows.ParseRead).
	Form string `json:"form"`
}

// LoadObserved reads the document of every server in fqdns from dir, one
// file per server named FQDN.json, for planning without an agent (SPEC
// §5.9). A file holds a server document (§6.1), a GET /v1/state answer
// ({"version", "server"}: its version is kept) or the read script's raw
// output. A server without a file, a file that is too large, malformed or
// another server's document wraps ErrTarget (exit 4); a directory or file
// that cannot be read wraps ErrLocalPath (exit 3).
func LoadObserved(dir string, fqdns []string) (Observation, []ObservedFile, error) {
	if st, err := os.Stat(dir); err != nil {
		return nil, nil, fmt.Errorf("--observed %s: %w: %w", dir, ErrLocalPath, err)
	} else if !st.IsDir() {
		return nil, nil, fmt.Errorf("--observed %s: %w: not a directory", dir, ErrLocalPath)
	}
	fqdns = slices.Clone(fqdns)
	slices.Sort(fqdns)
	fqdns = slices.Compact(fqdns)
	obs := make(Observation, len(fqdns))
	var files []ObservedFile
	var errs []error
	for _, f := range fqdns {
		st, file, err := loadObservedFile(filepath.Join(dir, f+".json"), f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		obs[f] = st
		files = append(files, file)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return obs, files, nil
}

func loadObservedFile(path, fqdn string) (api.State, ObservedFile, error) {
	fail := func(kind error, format string, a ...any) (api.State, ObservedFile, error) {
		return api.State{}, ObservedFile{}, fmt.Errorf("observed document %s: %w: %s", path, kind, fmt.Sprintf(format, a...))
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fail(ErrTarget, "no document for server %s (run the read script on it and put its %s.json here)", fqdn, fqdn)
	}
	if err != nil {
		return fail(ErrLocalPath, "%v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxObservedSize+1))
	if err != nil {
		return fail(ErrLocalPath, "%v", err)
	}
	if len(data) > MaxObservedSize {
		return fail(ErrTarget, "larger than %d bytes", MaxObservedSize)
	}
	sum := sha256.Sum256(data)
	file := ObservedFile{FQDN: fqdn, Path: path, SHA256: hex.EncodeToString(sum[:])}
	var st api.State
	var top map[string]json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&top); err != nil {
		return fail(ErrTarget, "not a JSON object: %v", err)
	}
	switch {
	case windows.IsRawRead(data):
		file.Form = "read"
		st.Server, err = windows.ParseRead(data)
	case top["server"] != nil:
		file.Form = "state"
		err = api.DecodeStrict(bytes.NewReader(data), &st)
	default:
		file.Form = "document"
		err = api.DecodeStrict(bytes.NewReader(data), &st.Server)
	}
	if err != nil {
		return fail(ErrTarget, "%s: %v", file.Form, err)
	}
	if st.Server.FQDN != fqdn {
		return fail(ErrTarget, "holds the document of %q, not of %s", st.Server.FQDN, fqdn)
	}
	st.Server.Normalize()
	return st, file, nil
}
