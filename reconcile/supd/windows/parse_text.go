package windows

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// regValue is one value of a reg query listing.
type regValue struct {
	Type string // REG_SZ, REG_DWORD, ...
	Data string // as reg prints it (REG_DWORD: 0x hex)
}

// regValueRE matches a value line of "reg query" output (Windows commands
// reference, "reg query"): four spaces, the name, four spaces, the type,
// four spaces, the data, e.g. "    PortNumber    REG_DWORD    0x1f92".
var regValueRE = regexp.MustCompile(`^    (.+?)    (REG_[A-Z_]+)(?:    (.*))?$`)

// parseRegQuery parses the output of "reg query KEY" (one key, no /s):
// the values of the key by name (compared case-insensitively: lower-cased
// keys). Empty output means the key does not exist (nil map).
func parseRegQuery(text string) (map[string]regValue, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	out := map[string]regValue{}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	sawKey := false
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.TrimSpace(line) == "":
		case strings.HasPrefix(line, "HKEY_"):
			if sawKey {
				return nil, fmt.Errorf("reg query line %d: a second key %q (subkeys are not read)", n, line)
			}
			sawKey = true
		default:
			m := regValueRE.FindStringSubmatch(line)
			if m == nil || !sawKey {
				return nil, fmt.Errorf("reg query line %d: not a value line: %q", n, line)
			}
			out[strings.ToLower(m[1])] = regValue{Type: m[2], Data: m[3]}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reg query: %w", err)
	}
	if !sawKey {
		return nil, errors.New("reg query: no key line")
	}
	return out, nil
}

// dword returns a REG_DWORD value as a number.
func (v regValue) dword() (int64, error) {
	if v.Type != "REG_DWORD" {
		return 0, fmt.Errorf("type %s, want REG_DWORD", v.Type)
	}
	n, err := strconv.ParseInt(v.Data, 0, 64)
	if err != nil || n < 0 || n > 0xFFFFFFFF {
		return 0, fmt.Errorf("REG_DWORD data %q is not a 32-bit number", v.Data)
	}
	return n, nil
}

// appcmdElement is one element of appcmd /xml output with its attributes
// and children (IIS 7 "Getting Started with AppCmd.exe": /xml writes one
// element per object, its properties as attributes, under <appcmd>).
type appcmdElement struct {
	Name     string
	Attrs    map[string]string
	Children []*appcmdElement
}

// parseAppcmdXML parses appcmd /xml output and returns the children of <appcmd>.
func parseAppcmdXML(text string) ([]*appcmdElement, error) {
	dec := xml.NewDecoder(strings.NewReader(text))
	var stack []*appcmdElement
	root := &appcmdElement{}
	sawRoot := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("appcmd XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := &appcmdElement{Name: t.Name.Local, Attrs: map[string]string{}}
			for _, a := range t.Attr {
				e.Attrs[a.Name.Local] = a.Value
			}
			if len(stack) == 0 {
				if e.Name != "appcmd" || sawRoot {
					return nil, fmt.Errorf("appcmd XML: root element <%s>, want one <appcmd>", e.Name)
				}
				sawRoot = true
				root = e
			} else {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, e)
			}
			stack = append(stack, e)
			if len(stack) > 16 {
				return nil, errors.New("appcmd XML: nested too deep")
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 && strings.TrimSpace(string(t)) != "" {
				return nil, errors.New("appcmd XML: text outside <appcmd>")
			}
		}
	}
	if !sawRoot {
		return nil, errors.New("appcmd XML: no <appcmd> element")
	}
	return root.Children, nil
}

// siteBinding is one binding of an IIS site.
type siteBinding struct {
	Protocol string
	Port     int
}

// parseBindings parses the bindings attribute of appcmd list site:
// "http/*:8530:,https/*:8531:" (protocol/IP:port:host, comma-separated).
func parseBindings(attr string) ([]siteBinding, error) {
	var out []siteBinding
	if strings.TrimSpace(attr) == "" {
		return nil, nil
	}
	for _, b := range strings.Split(attr, ",") {
		proto, info, ok := strings.Cut(b, "/")
		if !ok {
			return nil, fmt.Errorf("binding %q: no protocol/", b)
		}
		if proto != "http" && proto != "https" {
			continue // net.tcp, net.pipe, ...: not the WSUS website's concern
		}
		last := strings.LastIndexByte(info, ':')
		mid := -1
		if last >= 0 {
			mid = strings.LastIndexByte(info[:last], ':')
		}
		if mid < 0 {
			return nil, fmt.Errorf("binding %q: not IP:port:host", b)
		}
		port, err := strconv.Atoi(info[mid+1 : last])
		if err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("binding %q: port %q is not 1-65535", b, info[mid+1:last])
		}
		out = append(out, siteBinding{Protocol: proto, Port: port})
	}
	return out, nil
}

// parseSslCert parses "netsh http show sslcert" output (netsh http
// reference): blocks of "Name : value" lines, each starting with
// "IP:port". It returns the certificate hash (upper case) by IP:port.
func parseSslCert(text string) (map[string]string, error) {
	out := map[string]string{}
	cur := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(strings.TrimRight(sc.Text(), "\r"))
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue // title, dashes, blank
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		switch name {
		case "IP":
			// "IP:port                 : 0.0.0.0:8531": the name itself has a colon.
			rest, ok := strings.CutPrefix(line, "IP:port")
			if !ok {
				return nil, fmt.Errorf("netsh sslcert line %d: %q", n, line)
			}
			_, v, ok := strings.Cut(rest, ":")
			if !ok {
				return nil, fmt.Errorf("netsh sslcert line %d: no value after IP:port", n)
			}
			cur = strings.TrimSpace(v)
			if _, dup := out[cur]; dup {
				return nil, fmt.Errorf("netsh sslcert line %d: %s listed twice", n, cur)
			}
			out[cur] = ""
		case "Certificate Hash":
			if cur == "" {
				return nil, fmt.Errorf("netsh sslcert line %d: Certificate Hash before IP:port", n)
			}
			if !thumbprintRE.MatchString(strings.ToUpper(value)) {
				return nil, fmt.Errorf("netsh sslcert line %d: certificate hash %q is not 40 hex digits", n, value)
			}
			out[cur] = strings.ToUpper(value)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("netsh sslcert: %w", err)
	}
	return out, nil
}

// certEntry is one certificate of the listing the read script writes.
type certEntry struct {
	Thumbprint, NotAfter string
	EKU, DNSNames        []string
}

var dateRE = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// parseCertListing parses the read script's listing of Cert:\LocalMachine\My:
// blocks of "Thumbprint : …", "NotAfter : YYYY-MM-DD", "EKU : oid;oid" and
// "SAN : DNS Name=a, DNS Name=b" (X509Extension.Format of OID 2.5.29.17).
func parseCertListing(text string) ([]certEntry, error) {
	var out []certEntry
	var cur *certEntry
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("certificates line %d: no \"name : value\": %q", n, line)
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if name == "Thumbprint" {
			out = append(out, certEntry{Thumbprint: strings.ToUpper(value), EKU: []string{}, DNSNames: []string{}})
			cur = &out[len(out)-1]
			if !thumbprintRE.MatchString(cur.Thumbprint) {
				return nil, fmt.Errorf("certificates line %d: thumbprint %q is not 40 hex digits", n, value)
			}
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("certificates line %d: %s before Thumbprint", n, name)
		}
		switch name {
		case "NotAfter":
			if !dateRE.MatchString(value) {
				return nil, fmt.Errorf("certificates line %d: NotAfter %q is not YYYY-MM-DD", n, value)
			}
			cur.NotAfter = value
		case "EKU":
			for _, o := range strings.Split(value, ";") {
				if o = strings.TrimSpace(o); o != "" {
					cur.EKU = append(cur.EKU, o)
				}
			}
		case "SAN":
			for _, part := range strings.Split(value, ",") {
				k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
				if ok && k == "DNS Name" && v != "" {
					cur.DNSNames = append(cur.DNSNames, strings.ToLower(v))
				}
			}
		default:
			return nil, fmt.Errorf("certificates line %d: unknown field %q", n, name)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("certificates: %w", err)
	}
	for _, c := range out {
		if c.NotAfter == "" {
			return nil, fmt.Errorf("certificates: %s has no NotAfter", c.Thumbprint)
		}
	}
	return out, nil
}
