// Package fakewin is a fake Windows server for tests: it stands in for one
// machine behind supd's windows backend. It accepts only the texts the
// windows package generates (ReadScript, OpScript, probe scripts), answers a
// read with the tools' outputs in their real formats rendered from its model,
// and applies operations with SPEC §6.2 semantics (the sim backend's).
// Anything else is refused with ErrUnknownScript, which fails the test.
//
// Its state can live in a file (File), so that a supd process and the test
// that drives it share one machine, and a test can change it "by hand" (an
// out-of-band change) between two reads.
package fakewin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/reconcile/supd/sim"
	"github.com/supctl/supctl/reconcile/supd/windows"
)

// ErrUnknownScript is returned by Run for a text the windows package did not
// generate (or generated from other arguments).
var ErrUnknownScript = errors.New("fakewin: not a script of the windows package")

// Machine is the model of one Windows server.
type Machine struct {
	// Doc is the server as supd would read it.
	Doc api.Server `json:"doc"`
	// IISMajor is IIS's major version (0: not installed; 6: Server 2003).
	IISMajor int `json:"iisMajor"`
	// SiteID is the WSUS website's IIS site ID (1: Default Web Site).
	SiteID int `json:"siteId"`
}

// New returns a machine holding doc with IIS 7.5's major version 7 and the
// WSUS website on the "WSUS Administration" site (a custom site, as WSUS 3.0
// SP2 creates for ports 8530/8531) unless it binds port 80 or 443.
func New(doc api.Server) *Machine {
	doc = doc.Clone()
	doc.Normalize()
	m := &Machine{Doc: doc, IISMajor: 7, SiteID: 1158245553}
	for _, b := range doc.IIS.Bindings {
		if b.Port == 80 || b.Port == 443 {
			m.SiteID = 1
		}
	}
	return m
}

// Run runs one script on the machine (the windows Runner interface).
func (m *Machine) Run(_ context.Context, script string) (stdout, stderr []byte, exitCode int, err error) {
	if script == windows.ReadScript() {
		return m.read()
	}
	h, err := windows.ParseHeader(script)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("%w: %v", ErrUnknownScript, err)
	}
	switch h.Kind {
	case "probe":
		p, err := windows.ProbeScriptByName(h.Name, h.Args)
		if err != nil || p.Script != script {
			return nil, nil, 0, fmt.Errorf("%w: probe %s differs from the generated text", ErrUnknownScript, h.Name)
		}
		if code, msg := m.precheck(); code != 0 {
			return nil, []byte(msg + "\n"), code, nil
		}
		return []byte(p.Value(m.Doc)), nil, 0, nil
	case "op":
		args, err := api.DecodeArgs(api.Op{Op: h.Name, Args: h.Args})
		if err != nil {
			return nil, nil, 0, fmt.Errorf("%w: %v", ErrUnknownScript, err)
		}
		want, err := windows.OpScript(h.Name, args)
		if err != nil || want != script {
			return nil, nil, 0, fmt.Errorf("%w: op %s differs from the generated text", ErrUnknownScript, h.Name)
		}
		return m.apply(h.Name, args)
	}
	return nil, nil, 0, fmt.Errorf("%w: kind %q", ErrUnknownScript, h.Kind)
}

func (m *Machine) read() ([]byte, []byte, int, error) {
	if m.IISMajor > 0 && m.IISMajor < 7 {
		return nil, []byte(fmt.Sprintf("manual step: IIS %d (Windows Server 2003) is not supported: manage this server by hand\n", m.IISMajor)), windows.ExitManual, nil
	}
	out, err := json.Marshal(m.render())
	if err != nil {
		return nil, nil, 0, fmt.Errorf("fakewin: encode read: %w", err)
	}
	return out, nil, 0, nil
}

// precheck answers what Assert-SupWebsite answers: a manual step without
// IIS 7+ or the WSUS server role.
func (m *Machine) precheck() (int, string) {
	switch {
	case m.IISMajor == 0:
		return windows.ExitManual, "manual step: IIS is not installed on this server"
	case m.IISMajor < 7:
		return windows.ExitManual, fmt.Sprintf("manual step: IIS %d (Windows Server 2003) is not supported: change it in IIS Manager by hand", m.IISMajor)
	case m.Doc.WSUS == nil || m.Doc.WSUS.InstallType != api.InstallServer:
		return windows.ExitManual, "manual step: the WSUS server role is not installed on this server"
	}
	return 0, ""
}

func (m *Machine) apply(op string, args any) ([]byte, []byte, int, error) {
	if code, msg := m.precheck(); code != 0 {
		return nil, []byte(msg + "\n"), code, nil
	}
	next, changed, err := sim.Apply(m.Doc, op, args)
	var inv *sim.InvalidError
	if errors.As(err, &inv) {
		return nil, []byte(inv.Reason + "\n"), windows.ExitInvalid, nil
	}
	if err != nil {
		return nil, nil, 0, fmt.Errorf("fakewin: apply %s: %w", op, err)
	}
	m.Doc = next
	return []byte(fmt.Sprintf(`{"changed":%t}`, changed)), nil, 0, nil
}

// File is a machine whose state lives in a JSON file: every Run loads it,
// and an op that runs saves it (atomically: temp file and rename). A test
// changes the machine by hand with Load, an edit and Save.
type File struct {
	Path string
	mu   sync.Mutex
}

// Run loads the machine, runs script on it and saves it.
func (f *File) Run(ctx context.Context, script string) ([]byte, []byte, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := Load(f.Path)
	if err != nil {
		return nil, nil, 0, err
	}
	before, _ := json.Marshal(m)
	stdout, stderr, code, err := m.Run(ctx, script)
	if err != nil {
		return stdout, stderr, code, err
	}
	if after, _ := json.Marshal(m); string(after) != string(before) {
		if err := m.Save(f.Path); err != nil {
			return nil, nil, 0, err
		}
	}
	return stdout, stderr, code, nil
}

// Load reads a machine from a file written by Save.
func Load(path string) (*Machine, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fakewin: %w", err)
	}
	var m Machine
	if err := api.DecodeStrict(bytes.NewReader(data), &m); err != nil {
		return nil, fmt.Errorf("fakewin: %s: %w", path, err)
	}
	m.Doc.Normalize()
	return &m, nil
}

// Save writes the machine to path atomically.
func (m *Machine) Save(path string) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("fakewin: encode: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fakewin-*")
	if err != nil {
		return fmt.Errorf("fakewin: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("fakewin: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("fakewin: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("fakewin: %w", err)
	}
	return nil
}
