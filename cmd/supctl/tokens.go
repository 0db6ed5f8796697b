package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path"
	"strings"
)

// Where tokens go (SPEC §4): a token is sent only to servers whose FQDN
// matches one of the token-host globs, which come from the command line or
// the environment, never from the repo. Plain http is refused unless the
// host is a loopback address.

// tokenHostsHelp says how to allow hosts; it ends the usage error of a
// token given without globs.
const tokenHostsHelp = "pass --token-hosts or set SUPCTL_TOKEN_HOSTS to comma-separated globs of the server FQDNs that may receive it (e.g. '*.corp.example.com'); they never come from the repo"

// tokenHosts are the globs of server FQDNs a token may be sent to, in
// path.Match syntax on the whole name, case ignored: '*.corp.example.com'
// matches sup01.corp.example.com and cm01.pr1.corp.example.com (a name
// under corp.example.com is the operator's), not corp.example.com.evil.
type tokenHosts []string

// parseTokenHosts parses comma-separated globs ("" gives none).
func parseTokenHosts(s string) (tokenHosts, error) {
	var out tokenHosts
	for _, g := range strings.Split(s, ",") {
		g = strings.ToLower(strings.TrimSpace(g))
		if g == "" {
			continue
		}
		if strings.ContainsAny(g, "/:@ \t") {
			return nil, fmt.Errorf("--token-hosts: %q is not a host glob (a name such as *.corp.example.com, no scheme, port or path)", g)
		}
		if _, err := path.Match(g, ""); err != nil {
			return nil, fmt.Errorf("--token-hosts: %q: %w", g, err)
		}
		out = append(out, g)
	}
	return out, nil
}

// match reports whether host matches one of the globs.
func (th tokenHosts) match(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, g := range th {
		if ok, _ := path.Match(g, host); ok {
			return true
		}
	}
	return false
}

func (th tokenHosts) String() string { return "[" + strings.Join(th, ", ") + "]" }

// isLoopback reports whether host (no port) is localhost or a loopback IP.
func isLoopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkTarget refuses, before any connection, to reach server fqdn at rawURL:
// plain http to a host that is not loopback, a server FQDN outside the
// token-host globs, and a URL host outside them too (an endpoints file
// cannot send a server's token elsewhere) unless it is loopback.
func checkTarget(fqdn, rawURL string, hosts tokenHosts) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("supd URL %q: %w", rawURL, err)
	}
	host := u.Hostname()
	if u.Scheme == "http" && !isLoopback(host) {
		return fmt.Errorf("refused to reach %s at %s: plain http is allowed only to a loopback address; use https", fqdn, rawURL)
	}
	if !hosts.match(fqdn) {
		return fmt.Errorf("refused to send a token to %s: it matches none of the token hosts %s (--token-hosts / SUPCTL_TOKEN_HOSTS)", fqdn, hosts)
	}
	if !isLoopback(host) && !hosts.match(host) {
		return fmt.Errorf("refused to send %s's token to %s: the host %s matches none of the token hosts %s (--token-hosts / SUPCTL_TOKEN_HOSTS)", fqdn, rawURL, host, hosts)
	}
	return nil
}

// tokens are the bearer tokens a command sends.
type tokens struct {
	write string // sent to change something (and to read when read is empty)
	read  string // sent to read, when given
}

// readTokens returns the tokens a command may send: the write token from
// --token-file or $SUPCTL_TOKEN, the read token from --read-token-file or
// $SUPCTL_READ_TOKEN. A command that writes needs the write token; one that
// only reads needs either and, given a read token, never reads the write
// one. The errors are usage errors.
func readTokens(e *env, common *commonFlags, writes bool) (tokens, error) {
	var t tokens
	var err error
	if t.read, err = tokenFrom(e, common.readTokenFile, "SUPCTL_READ_TOKEN", "read"); err != nil {
		return t, err
	}
	if writes || t.read == "" {
		if t.write, err = tokenFrom(e, common.tokenFile, "SUPCTL_TOKEN", "write"); err != nil {
			return t, err
		}
	}
	switch {
	case writes && t.write == "":
		return t, errors.New("no token: pass --token-file or set SUPCTL_TOKEN (a write token: this command changes servers)")
	case t.write == "" && t.read == "":
		return t, errors.New("no token: pass --read-token-file or set SUPCTL_READ_TOKEN (or a write token: --token-file, SUPCTL_TOKEN)")
	}
	return t, nil
}

// tokenFrom returns the token in file, else in the environment variable
// (empty when neither is given). The file holds the token alone, or
// supd's "NAME SCOPE TOKEN" lines (the first of the given scope is used);
// blank lines and # comments are skipped.
func tokenFrom(e *env, file, envVar, scope string) (string, error) {
	if file == "" {
		return strings.TrimSpace(e.getenv(envVar)), nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s token file: %w", scope, err)
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
		case len(f) == 3 && f[1] == scope:
			return f[2], nil
		}
	}
	return "", fmt.Errorf("%s token file %s: no token (a line TOKEN, or NAME %s TOKEN)", scope, file, scope)
}
