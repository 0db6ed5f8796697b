package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	cuejson "cuelang.org/go/encoding/json"
	"github.com/spf13/cobra"

	"github.com/supctl/supctl/reconcile"
	"github.com/supctl/supctl/reconcile/api"
	"github.com/supctl/supctl/schema"
)

func init() { register(newImportCmd) }

// importFlags are the flags of supctl import.
type importFlags struct {
	common  commonFlags
	site    string
	servers []string
	out     string
	pkg     string
}

func newImportCmd(e *env) *cobra.Command {
	f := &importFlags{}
	c := newCommand("import --site CODE --server FQDN... [--out FILE] [--package NAME]",
		"write a config (CUE) from the observed state of running servers, to start a repo", `  # Start a repo from site P01's running servers.
  supctl import --site P01 --server cm01.corp.example.com --server sup01.corp.example.com --out sites/p01.cue

  # Then check that the imported config plans to no changes.
  supctl plan --detailed-exitcode sites/`)
	c.RunE = runWith(e, f.run)
	fs := c.Flags()
	fs.StringVar(&f.site, "site", "", "site code (required)")
	fs.StringArrayVar(&f.servers, "server", nil, "FQDN of a server of the site (repeatable; required)")
	fs.StringVar(&f.out, "out", "", "write the CUE to FILE (default: stdout)")
	fs.StringVar(&f.pkg, "package", "config", "CUE package name of the file")
	registerNetworkFlags(fs, &f.common)
	return c
}

func (f *importFlags) run(ctx context.Context, e *env, args []string) int {
	switch {
	case len(args) > 0:
		fmt.Fprintf(e.stderr, "supctl import: unexpected arguments %v\n", args)
		return exitUsage
	case f.site == "" || len(f.servers) == 0:
		fmt.Fprintln(e.stderr, "supctl import: --site and at least one --server are required")
		return exitUsage
	case !ast.IsValidIdent(f.pkg):
		fmt.Fprintf(e.stderr, "supctl import: --package %q is not a CUE identifier\n", f.pkg)
		return exitUsage
	}
	rec, err := newReconciler(e, &f.common, nil, reconcile.Options{}, false)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl import: %v\n", err)
		return exitUsage
	}
	obs, err := rec.Observe(ctx, f.servers)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl import: %v\n", err)
		return exitTarget
	}
	s, err := importSite(f.site, obs)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl import: %v\n", err)
		return exitTarget
	}
	src, err := siteCUE(f.pkg, s)
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl import: %v\n", err)
		return exitTarget
	}
	if f.out == "" {
		_, err = e.stdout.Write(src)
	} else {
		err = os.WriteFile(f.out, src, 0o644)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "supctl import: write: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// importSite turns the observed documents of a site's servers into the
// site's config: the inverse of schema's derivation, so that the config
// plans to zero changes against the same servers.
func importSite(code string, obs reconcile.Observation) (*schema.Site, error) {
	s := &schema.Site{Code: code, Mode: api.ModeMixed, Product: "cm2007-sp2", Servers: map[string]*schema.Server{}}
	fqdns := make([]string, 0, len(obs))
	for f := range obs {
		fqdns = append(fqdns, f)
	}
	slices.Sort(fqdns)
	for _, f := range fqdns {
		doc := obs[f].Server
		srv := &schema.Server{FQDN: f}
		if doc.InternetFQDN != nil {
			srv.InternetFQDN = *doc.InternetFQDN
		}
		if doc.WSUS != nil {
			srv.WSUS = importWSUS(&doc)
			if !schema.VersionLess(doc.WSUS.Version, "6.2.9200.0") {
				s.Product = "current-branch"
			}
		}
		s.Servers[f] = srv
		if cm := doc.ConfigMgr; cm != nil && cm.SiteCode == code {
			if s.SiteServer != "" {
				return nil, fmt.Errorf("both %s and %s say they are the site server of %s", s.SiteServer, f, code)
			}
			s.SiteServer, s.Mode = f, cm.Mode
			if cm.SoftwareUpdatePoint != nil {
				sup, err := reconcile.Twin[schema.SUP](cm.SoftwareUpdatePoint)
				if err != nil {
					return nil, err
				}
				s.SoftwareUpdatePoint = &sup
			}
			agent, err := reconcile.Twin[schema.ClientAgent](cm.ClientAgent)
			if err != nil {
				return nil, err
			}
			s.ClientAgent = agent
		}
	}
	if s.SiteServer == "" {
		return nil, fmt.Errorf("none of the servers is the site server of %s (configmgr.siteCode)", code)
	}
	return s, nil
}

// importWSUS describes a server's WSUS: ports from its bindings, the
// certificate bound to HTTPS, ssl when configuressl ran for the FQDN and the
// five roots require SSL, and the roots that differ from what ssl implies.
func importWSUS(doc *api.Server) *schema.WSUS {
	w := &schema.WSUS{InstallType: doc.WSUS.InstallType, Version: doc.WSUS.Version, Website: "default"}
	if w.InstallType != api.InstallServer {
		return w
	}
	var cert *api.Certificate
	for _, b := range doc.IIS.Bindings {
		switch {
		case b.Protocol == api.ProtocolHTTP && w.Ports.HTTP == 0:
			w.Ports.HTTP = b.Port
		case b.Protocol == api.ProtocolHTTPS && w.Ports.HTTPS == 0:
			w.Ports.HTTPS = b.Port
			cert = doc.Certificate(b.Thumbprint)
		}
	}
	if w.Ports.HTTP == 0 {
		w.Ports.HTTP = 80
	}
	if w.Ports.HTTPS == 0 {
		w.Ports.HTTPS = w.Ports.HTTP + 1
		if w.Ports.HTTP == 80 {
			w.Ports.HTTPS = 443
		}
	}
	if w.Ports.HTTP != 80 || w.Ports.HTTPS != 443 {
		w.Website = "custom"
	}
	if cert != nil {
		w.Certificate = &schema.Certificate{Thumbprint: cert.Thumbprint, DNSNames: cert.DNSNames, EKU: cert.EKU, NotAfter: cert.NotAfter}
	}
	configured := doc.WSUS.SSLConfiguredFor != nil && *doc.WSUS.SSLConfiguredFor == doc.FQDN
	w.SSL = configured
	for _, r := range api.SSLRoots {
		w.SSL = w.SSL && api.RequiresSSL(doc.IIS.VRoots[r])
	}
	implied := schema.EffectiveVirtualRoots(w)
	for _, r := range api.VRoots {
		if got := api.CanonicalFlags(doc.IIS.VRoots[r]); !slices.Equal(got, api.CanonicalFlags(implied[r])) {
			if w.VirtualRoots == nil {
				w.VirtualRoots = map[string]schema.VirtualRootTLS{}
			}
			w.VirtualRoots[r] = schema.VirtualRootTLS{SSLFlags: got}
		}
	}
	return w
}

// siteCUE renders the site as a CUE file of package pkg.
func siteCUE(pkg string, s *schema.Site) ([]byte, error) {
	v := map[string]any{"sites": map[string]any{s.Code: s}}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode site: %w", err)
	}
	expr, err := cuejson.Extract("import", data)
	if err != nil {
		return nil, fmt.Errorf("convert to CUE: %w", err)
	}
	lit, ok := expr.(*ast.StructLit)
	if !ok {
		return nil, fmt.Errorf("convert to CUE: unexpected %T", expr)
	}
	f := &ast.File{Decls: []ast.Decl{&ast.Package{Name: ast.NewIdent(pkg)}}}
	f.Decls = append(f.Decls, lit.Elts...)
	src, err := format.Node(f, format.Simplify())
	if err != nil {
		return nil, fmt.Errorf("format CUE: %w", err)
	}
	header := fmt.Sprintf("// Imported by supctl import from the observed state of site %s.\n", s.Code)
	return append([]byte(header), src...), nil
}
