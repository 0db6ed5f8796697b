package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/reconcile/client"
)

// endpointsName is the endpoints file looked for beside the first PATH.
const endpointsName = "supctl.endpoints.yaml"

// defaultEndpoints is the endpoints file looked for when --endpoints is not
// given: supctl.endpoints.yaml beside the first config path (or in the
// current directory).
func defaultEndpoints(paths []string) string {
	dir := "."
	if len(paths) > 0 {
		dir = paths[0]
		if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
			dir = filepath.Dir(dir)
		}
	}
	return filepath.Join(dir, endpointsName)
}

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
		path = defaultEndpoints(paths)
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

// endpointsPath is the endpoints file named by --endpoints, else by
// $SUPCTL_ENDPOINTS; "" means the default beside the first PATH.
func endpointsPath(e *env, common *commonFlags) string {
	if common.endpoints != "" {
		return common.endpoints
	}
	return e.getenv("SUPCTL_ENDPOINTS")
}

// newReconciler wires the endpoints, the tokens and the common flags into a
// Reconciler; writes says whether the command changes servers (it then
// needs the write token). Every server is checked against the token hosts
// before it is reached (checkTarget). The error is a usage problem (exit 3).
func newReconciler(e *env, common *commonFlags, paths []string, opts reconcile.Options, writes bool) (*reconcile.Reconciler, error) {
	ep, err := loadEndpoints(endpointsPath(e, common), paths)
	if err != nil {
		return nil, err
	}
	tok, err := readTokens(e, common, writes)
	if err != nil {
		return nil, err
	}
	globs := common.tokenHosts
	if globs == "" {
		globs = e.getenv("SUPCTL_TOKEN_HOSTS")
	}
	hosts, err := parseTokenHosts(globs)
	if err != nil {
		return nil, err
	}
	if len(hosts) == 0 {
		return nil, errors.New("a token is sent only to hosts you allow: " + tokenHostsHelp)
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
		u := ep.url(fqdn)
		if err := checkTarget(fqdn, u, hosts); err != nil {
			return nil, err
		}
		return client.New(u, client.Options{Token: tok.write, ReadToken: tok.read, CAFile: common.caFile})
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
