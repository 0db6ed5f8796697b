package api

import (
	"maps"
	"slices"
)

// NewServer returns the document of a server named fqdn with nothing
// installed: no certificates, no WSUS, no bindings, all nine virtual roots
// with no sslFlags, no ConfigMgr.
func NewServer(fqdn string) Server {
	s := Server{FQDN: fqdn}
	s.Normalize()
	return s
}

// Normalize puts s in canonical form, in place: empty lists instead of nil
// (so that they encode as [] rather than null), all nine virtual roots
// present, and every root's sslFlags in canonical order. Virtual roots
// other than the nine are kept (validation reports them).
func (s *Server) Normalize() {
	if s.Certificates == nil {
		s.Certificates = []Certificate{}
	}
	for i := range s.Certificates {
		c := &s.Certificates[i]
		if c.DNSNames == nil {
			c.DNSNames = []string{}
		}
		if c.EKU == nil {
			c.EKU = []string{}
		}
	}
	if s.IIS.Bindings == nil {
		s.IIS.Bindings = []Binding{}
	}
	if s.IIS.VRoots == nil {
		s.IIS.VRoots = make(map[string][]string, len(VRoots))
	}
	for _, v := range VRoots {
		if _, ok := s.IIS.VRoots[v]; !ok {
			s.IIS.VRoots[v] = []string{}
		}
	}
	for v, flags := range s.IIS.VRoots {
		s.IIS.VRoots[v] = CanonicalFlags(flags)
	}
	if s.ConfigMgr != nil && s.ConfigMgr.SoftwareUpdatePoint != nil {
		s.ConfigMgr.SoftwareUpdatePoint.Normalize()
	}
}

// Normalize puts p in canonical form, in place: empty lists instead of nil.
func (p *SUP) Normalize() {
	if p.Classifications == nil {
		p.Classifications = []string{}
	}
	if p.Products == nil {
		p.Products = []string{}
	}
	if p.Languages == nil {
		p.Languages = []string{}
	}
}

// Clone returns a deep copy of s.
func (s *Server) Clone() Server {
	c := *s
	if s.InternetFQDN != nil {
		v := *s.InternetFQDN
		c.InternetFQDN = &v
	}
	if s.Certificates != nil {
		c.Certificates = make([]Certificate, len(s.Certificates))
		for i, cert := range s.Certificates {
			cert.DNSNames = slices.Clone(cert.DNSNames)
			cert.EKU = slices.Clone(cert.EKU)
			c.Certificates[i] = cert
		}
	}
	if s.WSUS != nil {
		w := *s.WSUS
		if w.SSLConfiguredFor != nil {
			v := *w.SSLConfiguredFor
			w.SSLConfiguredFor = &v
		}
		c.WSUS = &w
	}
	c.IIS.Bindings = slices.Clone(s.IIS.Bindings)
	if s.IIS.VRoots != nil {
		c.IIS.VRoots = make(map[string][]string, len(s.IIS.VRoots))
		for k, v := range maps.All(s.IIS.VRoots) {
			c.IIS.VRoots[k] = slices.Clone(v)
		}
	}
	if s.ConfigMgr != nil {
		cm := *s.ConfigMgr
		if cm.SoftwareUpdatePoint != nil {
			sup := cm.SoftwareUpdatePoint.Clone()
			cm.SoftwareUpdatePoint = &sup
		}
		c.ConfigMgr = &cm
	}
	return c
}

// Clone returns a deep copy of p.
func (p *SUP) Clone() SUP {
	c := *p
	if p.Proxy != nil {
		v := *p.Proxy
		c.Proxy = &v
	}
	if p.Sync.Schedule != nil {
		v := *p.Sync.Schedule
		c.Sync.Schedule = &v
	}
	c.Classifications = slices.Clone(p.Classifications)
	c.Products = slices.Clone(p.Products)
	c.Languages = slices.Clone(p.Languages)
	return c
}

// Certificate returns the certificate of the store with the given thumbprint
// (compared case-insensitively), or nil.
func (s *Server) Certificate(thumbprint string) *Certificate {
	for i := range s.Certificates {
		if equalFoldASCII(s.Certificates[i].Thumbprint, thumbprint) {
			return &s.Certificates[i]
		}
	}
	return nil
}

// Binding returns the binding with the given protocol and port, or nil.
func (s *Server) Binding(protocol string, port int) *Binding {
	for i := range s.IIS.Bindings {
		if b := &s.IIS.Bindings[i]; b.Protocol == protocol && b.Port == port {
			return b
		}
	}
	return nil
}

// Names reports whether the certificate names host (DNS names compare
// case-insensitively; a "*." wildcard covers exactly one leftmost label).
func (c *Certificate) Names(host string) bool {
	for _, n := range c.DNSNames {
		if equalFoldASCII(n, host) {
			return true
		}
		if len(n) > 2 && n[:2] == "*." {
			for i := 0; i < len(host); i++ {
				if host[i] == '.' {
					if i > 0 && equalFoldASCII(n[1:], host[i:]) {
						return true
					}
					break
				}
			}
		}
	}
	return false
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
