package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/reconcile/client"
)

// endpointsName is the endpoints file looked for beside the first PATH.
const endpointsName = "supctl.endpoints.yaml"

// endpoints maps server FQDNs to supd URLs (SPEC §4):
//
//	defaults: {scheme: https, port: 8443}
//	servers: {sup01.corp.example.com: {url: "http://127.0.0.1:18443"}}
//
// A server with no entry is reached at scheme://fqdn:port.
type endpoints struct {
	Defaults struct {
		Scheme string `yaml:"scheme"`
		Port   int    `yaml:"port"`
	} `yaml:"defaults"`
	Servers map[string]struct {
		URL string `yaml:"url"`
	} `yaml:"servers"`
}

// loadEndpoints reads the endpoints file: path when given (it must exist),
// else supctl.endpoints.yaml beside the first config path (or in the
// current directory), which may be absent.
func loadEndpoints(path string, paths []string) (*endpoints, error) {
	explicit := path != ""
	if !explicit {
		dir := "."
		if len(paths) > 0 {
			dir = paths[0]
			if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
				dir = filepath.Dir(dir)
			}
		}
		path = filepath.Join(dir, endpointsName)
	}
	ep := &endpoints{}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(ep); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("endpoints file %s: %w", path, err)
		}
	case explicit || !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("endpoints file: %w", err)
	}
	if ep.Defaults.Scheme == "" {
		ep.Defaults.Scheme = "https"
	}
	if ep.Defaults.Port == 0 {
		ep.Defaults.Port = 8443
	}
	if s := ep.Defaults.Scheme; s != "http" && s != "https" {
		return nil, fmt.Errorf("endpoints file %s: defaults.scheme %q: want http or https", path, s)
	}
	if p := ep.Defaults.Port; p < 1 || p > 65535 {
		return nil, fmt.Errorf("endpoints file %s: defaults.port %d is outside 1–65535", path, p)
	}
	for f, s := range ep.Servers {
		if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("endpoints file %s: servers.%s.url %q: want http(s)://host[:port]", path, f, s.URL)
		}
	}
	return ep, nil
}

// url returns the supd URL of a server.
func (ep *endpoints) url(fqdn string) string {
	if s, ok := ep.Servers[fqdn]; ok {
		return s.URL
	}
	return ep.Defaults.Scheme + "://" + fqdn + ":" + strconv.Itoa(ep.Defaults.Port)
}

// readToken returns the bearer token: from --token-file, else $SUPCTL_TOKEN.
// The file holds the token alone, or supd's "NAME SCOPE TOKEN" lines (the
// first write token is used); blank lines and # comments are skipped.
func readToken(e *env, file string) (string, error) {
	if file == "" {
		if t := strings.TrimSpace(e.getenv("SUPCTL_TOKEN")); t != "" {
			return t, nil
		}
		return "", errors.New("no token: pass --token-file or set SUPCTL_TOKEN")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		switch f := strings.Fields(line); {
		case len(f) == 1:
			return f[0], nil
		case len(f) == 3 && f[1] == "write":
			return f[2], nil
		}
	}
	return "", fmt.Errorf("token file %s: no token (a line TOKEN, or NAME write TOKEN)", file)
}

// newReconciler wires the endpoints, the token and the common flags into a
// Reconciler. The error is a usage problem (exit 3).
func newReconciler(e *env, common *commonFlags, paths []string, opts reconcile.Options) (*reconcile.Reconciler, error) {
	ep, err := loadEndpoints(common.endpoints, paths)
	if err != nil {
		return nil, err
	}
	token, err := readToken(e, common.tokenFile)
	if err != nil {
		return nil, err
	}
	if common.caFile != "" {
		if _, err := os.Stat(common.caFile); err != nil {
			return nil, fmt.Errorf("--ca-file: %w", err)
		}
	}
	if common.timeout <= 0 {
		return nil, fmt.Errorf("--timeout %v must be positive", common.timeout)
	}
	opts.Client = func(fqdn string) (*client.Client, error) {
		return client.New(ep.url(fqdn), client.Options{Token: token, CAFile: common.caFile})
	}
	opts.RequestTimeout = common.timeout
	today, err := fixedToday(e)
	if err != nil {
		return nil, err
	}
	if !today.IsZero() {
		opts.Today = func() time.Time { return today }
	}
	return reconcile.New(opts)
}

// reconcileExit maps an error of the reconciler to the exit code of SPEC §4.
func reconcileExit(err error) int {
	if errors.Is(err, reconcile.ErrNotConverged) {
		return exitVerify
	}
	return exitTarget
}
