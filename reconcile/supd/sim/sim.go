// Package sim is supd's "sim" backend: a file-free, pure model of a WSUS /
// IIS / ConfigMgr server. Apply gives the effect of one operation of SPEC
// §6.2 on a server document, or says why the operation is invalid on it.
//
// The semantics every other backend must match:
//   - an invalid operation changes nothing (Apply returns an *InvalidError);
//   - an operation whose effect is already in place changes nothing and is
//     not an error (Apply reports changed == false): re-sends are no-ops;
//   - validity is checked before the no-op test, so an operation that is
//     invalid is reported as such even when the document happens to match.
package sim

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/supctl/supctl/reconcile/api"
)

// InvalidError says why an operation is invalid on a server (HTTP 422).
type InvalidError struct {
	Op     string // the operation name
	Reason string // what is wrong, for humans
}

// Error implements error.
func (e *InvalidError) Error() string { return e.Op + ": " + e.Reason }

func invalid(op, format string, a ...any) error {
	return &InvalidError{Op: op, Reason: fmt.Sprintf(format, a...)}
}

// Apply returns the document that results from the operation name with the
// decoded arguments args (as returned by api.DecodeArgs) on doc, and whether
// it differs from doc. doc is not modified. An invalid operation returns an
// *InvalidError and the unchanged doc.
func Apply(doc api.Server, name string, args any) (next api.Server, changed bool, err error) {
	next = doc.Clone()
	next.Normalize()
	if err := apply(&next, name, args); err != nil {
		return doc, false, err
	}
	before := doc.Clone()
	before.Normalize()
	return next, !reflect.DeepEqual(before, next), nil
}

func apply(s *api.Server, name string, args any) error {
	switch a := args.(type) {
	case api.AddBindingArgs:
		return addBinding(s, a)
	case api.RemoveBindingArgs:
		if err := checkBinding(name, a.Protocol, a.Port); err != nil {
			return err
		}
		s.IIS.Bindings = slices.DeleteFunc(s.IIS.Bindings, func(b api.Binding) bool {
			return b.Protocol == a.Protocol && b.Port == a.Port
		})
		return nil
	case api.SetSslFlagsArgs:
		if !api.IsVRoot(a.VRoot) {
			return invalid(name, "%q is not one of the nine WSUS virtual roots", a.VRoot)
		}
		if err := checkFlags(name, a.Flags); err != nil {
			return err
		}
		s.IIS.VRoots[a.VRoot] = api.CanonicalFlags(a.Flags)
		return nil
	case api.ConfigureSslArgs:
		return configureSsl(s, a)
	case api.UnconfigureSslArgs:
		if s.WSUS != nil {
			s.WSUS.SSLConfiguredFor = nil
		}
		return nil
	case api.SetSiteModeArgs:
		return setSiteMode(s, a)
	case *api.SUP:
		if s.ConfigMgr == nil {
			return invalid(name, "%s is not a site server", s.FQDN)
		}
		if a == nil {
			s.ConfigMgr.SoftwareUpdatePoint = nil
			return nil
		}
		if err := CheckSUP(a); err != nil {
			return invalid(name, "%v", err)
		}
		sup := a.Clone()
		sup.Normalize()
		s.ConfigMgr.SoftwareUpdatePoint = &sup
		return nil
	case api.ClientAgent:
		if s.ConfigMgr == nil {
			return invalid(name, "%s is not a site server", s.FQDN)
		}
		if err := CheckClientAgent(&a); err != nil {
			return invalid(name, "%v", err)
		}
		s.ConfigMgr.ClientAgent = a
		return nil
	default:
		return invalid(name, "arguments of type %T are not an operation", args)
	}
}

// addBinding adds a binding. An https binding on a port that already has an
// https binding rebinds it to the new certificate (IIS allows a certificate
// change in place); any other binding on the port makes the port taken.
func addBinding(s *api.Server, a api.AddBindingArgs) error {
	const name = api.OpAddBinding
	if err := checkBinding(name, a.Protocol, a.Port); err != nil {
		return err
	}
	if s.WSUS == nil || s.WSUS.InstallType != api.InstallServer {
		return invalid(name, "WSUS (installType %q) is not installed on %s", api.InstallServer, s.FQDN)
	}
	switch a.Protocol {
	case api.ProtocolHTTPS:
		if a.Thumbprint == "" {
			return invalid(name, "an https binding needs a certificate thumbprint")
		}
		cert := s.Certificate(a.Thumbprint)
		if cert == nil {
			return invalid(name, "certificate %s is not in the machine store of %s", a.Thumbprint, s.FQDN)
		}
		a.Thumbprint = cert.Thumbprint // the store's spelling
	case api.ProtocolHTTP:
		if a.Thumbprint != "" {
			return invalid(name, "an http binding takes no certificate")
		}
	}
	for i, b := range s.IIS.Bindings {
		if b.Port != a.Port {
			continue
		}
		if b.Protocol != a.Protocol {
			return invalid(name, "port %d is taken by the %s binding", a.Port, b.Protocol)
		}
		s.IIS.Bindings[i] = api.Binding(a)
		return nil
	}
	s.IIS.Bindings = append(s.IIS.Bindings, api.Binding(a))
	slices.SortFunc(s.IIS.Bindings, func(x, y api.Binding) int {
		if c := strings.Compare(x.Protocol, y.Protocol); c != 0 {
			return c
		}
		return x.Port - y.Port
	})
	return nil
}

func configureSsl(s *api.Server, a api.ConfigureSslArgs) error {
	const name = api.OpConfigureSsl
	if s.WSUS == nil || s.WSUS.InstallType != api.InstallServer {
		return invalid(name, "WSUS (installType %q) is not installed on %s", api.InstallServer, s.FQDN)
	}
	if a.CertificateName == "" {
		return invalid(name, "certificateName is empty")
	}
	named := false
	for _, b := range s.IIS.Bindings {
		if b.Protocol != api.ProtocolHTTPS {
			continue
		}
		if c := s.Certificate(b.Thumbprint); c != nil && c.Names(a.CertificateName) {
			named = true
			break
		}
	}
	if !named {
		return invalid(name, "no https binding of %s has a certificate that names %q", s.FQDN, a.CertificateName)
	}
	n := a.CertificateName
	s.WSUS.SSLConfiguredFor = &n
	return nil
}

func setSiteMode(s *api.Server, a api.SetSiteModeArgs) error {
	const name = api.OpSetSiteMode
	if s.ConfigMgr == nil {
		return invalid(name, "%s is not a site server", s.FQDN)
	}
	switch a.Mode {
	case api.ModeMixed:
	case api.ModeNative:
		if sup := s.ConfigMgr.SoftwareUpdatePoint; sup == nil || !sup.SSL {
			return invalid(name, "native mode needs an active software update point with ssl: true")
		}
	default:
		return invalid(name, "mode %q is neither %q nor %q", a.Mode, api.ModeMixed, api.ModeNative)
	}
	s.ConfigMgr.Mode = a.Mode
	return nil
}

func checkBinding(name, protocol string, port int) error {
	if protocol != api.ProtocolHTTP && protocol != api.ProtocolHTTPS {
		return invalid(name, "protocol %q is neither http nor https", protocol)
	}
	if port < 1 || port > 65535 {
		return invalid(name, "port %d is outside 1–65535", port)
	}
	return nil
}

func checkFlags(name string, flags []string) error {
	for i, f := range flags {
		if !api.IsSSLFlag(f) {
			return invalid(name, "sslFlags value %q is not one of %s", f, strings.Join(api.SSLFlags, ", "))
		}
		if slices.Contains(flags[:i], f) {
			return invalid(name, "sslFlags value %q appears twice", f)
		}
	}
	return nil
}

// CheckSUP checks the enums and bounds the schema puts on a #SUP.
func CheckSUP(p *api.SUP) error {
	var errs []error
	if p.Active == "" {
		errs = append(errs, errors.New("active is empty"))
	}
	errs = append(errs,
		oneOf("clientConnection", p.ClientConnection, "intranet", "internet", "both"),
		portRange("ports.http", p.Ports.HTTP),
		portRange("ports.https", p.Ports.HTTPS),
		oneOf("sync.source", p.Sync.Source, "microsoft-update", "upstream", "none"),
		oneOf("sync.reportingEvents", p.Sync.ReportingEvents, "none", "status-only", "all"),
		oneOf("supersedence.expire", p.Supersedence.Expire, "immediately", "after-months"),
	)
	if p.Proxy != nil {
		errs = append(errs, portRange("proxy.port", p.Proxy.Port))
	}
	if p.Sync.Schedule != nil {
		errs = append(errs, checkSchedule("sync.schedule", *p.Sync.Schedule, 31))
	}
	if m := p.Supersedence.Months; m < 0 || m > 99 {
		errs = append(errs, fmt.Errorf("supersedence.months %d is outside 1–99", m))
	}
	return errors.Join(errs...)
}

// CheckClientAgent checks the bounds the schema puts on a #ClientAgent.
func CheckClientAgent(a *api.ClientAgent) error {
	return errors.Join(
		checkSchedule("scanSchedule", a.ScanSchedule, 31),
		checkSchedule("reevaluationSchedule", a.ReevaluationSchedule, 31),
		checkSchedule("deadlineWindow", a.DeadlineWindow, 365),
	)
}

// checkSchedule: exactly one of days (1–maxDays) or hours (1–23).
func checkSchedule(field string, s api.Schedule, maxDays int) error {
	switch {
	case s.Days != 0 && s.Hours != 0:
		return fmt.Errorf("%s: set days or hours, not both", field)
	case s.Days != 0:
		if s.Days < 1 || s.Days > maxDays {
			return fmt.Errorf("%s: days %d is outside 1–%d", field, s.Days, maxDays)
		}
	case s.Hours != 0:
		if s.Hours < 1 || s.Hours > 23 {
			return fmt.Errorf("%s: hours %d is outside 1–23", field, s.Hours)
		}
	default:
		return fmt.Errorf("%s: days or hours is required", field)
	}
	return nil
}

func oneOf(field, v string, allowed ...string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	return fmt.Errorf("%s %q is not one of %s", field, v, strings.Join(allowed, ", "))
}

func portRange(field string, p int) error {
	if p < 1 || p > 65535 {
		return fmt.Errorf("%s %d is outside 1–65535", field, p)
	}
	return nil
}

// CheckDocument checks that doc is a server document supd can start from:
// an FQDN, known virtual roots and sslFlags, well-formed bindings on distinct
// ports, known enums, and a valid SUP and client agent on a site server.
func CheckDocument(doc *api.Server) error {
	var errs []error
	if doc.FQDN == "" {
		errs = append(errs, errors.New("fqdn is empty"))
	}
	for v, flags := range doc.IIS.VRoots {
		if !api.IsVRoot(v) {
			errs = append(errs, fmt.Errorf("iis.vroots: %q is not one of the nine WSUS virtual roots", v))
			continue
		}
		if err := checkFlags("iis.vroots."+v, flags); err != nil {
			errs = append(errs, err)
		}
	}
	ports := map[int]bool{}
	for _, b := range doc.IIS.Bindings {
		if err := checkBinding("iis.bindings", b.Protocol, b.Port); err != nil {
			errs = append(errs, err)
		}
		if ports[b.Port] {
			errs = append(errs, fmt.Errorf("iis.bindings: port %d is bound twice", b.Port))
		}
		ports[b.Port] = true
		if b.Protocol == api.ProtocolHTTPS && b.Thumbprint == "" {
			errs = append(errs, fmt.Errorf("iis.bindings: https port %d has no thumbprint", b.Port))
		}
	}
	if doc.WSUS != nil {
		errs = append(errs, oneOf("wsus.installType", doc.WSUS.InstallType, api.InstallServer, api.InstallConsole))
	}
	if cm := doc.ConfigMgr; cm != nil {
		errs = append(errs, oneOf("configmgr.mode", cm.Mode, api.ModeMixed, api.ModeNative))
		if cm.SiteCode == "" {
			errs = append(errs, errors.New("configmgr.siteCode is empty"))
		}
		if cm.SoftwareUpdatePoint != nil {
			if err := CheckSUP(cm.SoftwareUpdatePoint); err != nil {
				errs = append(errs, fmt.Errorf("configmgr.softwareUpdatePoint: %w", err))
			}
		}
		if err := CheckClientAgent(&cm.ClientAgent); err != nil {
			errs = append(errs, fmt.Errorf("configmgr.clientAgent: %w", err))
		}
	}
	return errors.Join(errs...)
}
