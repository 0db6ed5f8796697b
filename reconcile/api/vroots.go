package api

import "slices"

// The nine WSUS virtual roots, in SPEC order.
const (
	VRootApiRemoting30        = "ApiRemoting30"
	VRootClientWebService     = "ClientWebService"
	VRootDSSAuthWebService    = "DSSAuthWebService"
	VRootServerSyncWebService = "ServerSyncWebService"
	VRootSimpleAuthWebService = "SimpleAuthWebService"
	VRootContent              = "Content"
	VRootInventory            = "Inventory"
	VRootReportingWebService  = "ReportingWebService"
	VRootSelfUpdate           = "SelfUpdate"
)

// VRoots lists the nine virtual roots in SPEC order. Do not modify.
var VRoots = []string{
	VRootApiRemoting30, VRootClientWebService, VRootDSSAuthWebService,
	VRootServerSyncWebService, VRootSimpleAuthWebService,
	VRootContent, VRootInventory, VRootReportingWebService, VRootSelfUpdate,
}

// SSLRoots lists the five virtual roots that require SSL when WSUS uses SSL. Do not modify.
var SSLRoots = []string{
	VRootApiRemoting30, VRootClientWebService, VRootDSSAuthWebService,
	VRootServerSyncWebService, VRootSimpleAuthWebService,
}

// NonSSLRoots lists the four virtual roots that must never require SSL. Do not modify.
var NonSSLRoots = []string{VRootContent, VRootInventory, VRootReportingWebService, VRootSelfUpdate}

// The four IIS sslFlags values, in canonical order.
const (
	FlagSsl              = "Ssl"              // require SSL
	FlagSslNegotiateCert = "SslNegotiateCert" // accept client certificates
	FlagSslRequireCert   = "SslRequireCert"   // require client certificates
	FlagSsl128           = "Ssl128"           // require 128-bit SSL
)

// SSLFlags lists the four sslFlags values in canonical order. Do not modify.
var SSLFlags = []string{FlagSsl, FlagSslNegotiateCert, FlagSslRequireCert, FlagSsl128}

// IsVRoot reports whether name is one of the nine virtual roots.
func IsVRoot(name string) bool { return slices.Contains(VRoots, name) }

// IsSSLFlag reports whether f is one of the four sslFlags values.
func IsSSLFlag(f string) bool { return slices.Contains(SSLFlags, f) }

// RequiresSSL reports whether flags make a virtual root require SSL.
func RequiresSSL(flags []string) bool { return slices.Contains(flags, FlagSsl) }

// AsksClientCert reports whether flags make a virtual root negotiate or
// require client certificates (scans then fail with 0x80072F0C).
func AsksClientCert(flags []string) bool {
	return slices.Contains(flags, FlagSslNegotiateCert) || slices.Contains(flags, FlagSslRequireCert)
}

// CanonicalFlags returns flags in canonical order (SSLFlags), without
// duplicates, never nil. Unknown values are kept, sorted, after the known ones.
func CanonicalFlags(flags []string) []string {
	out := make([]string, 0, len(flags))
	for _, f := range SSLFlags {
		if slices.Contains(flags, f) {
			out = append(out, f)
		}
	}
	var unknown []string
	for _, f := range flags {
		if !IsSSLFlag(f) && !slices.Contains(unknown, f) {
			unknown = append(unknown, f)
		}
	}
	slices.Sort(unknown)
	return append(out, unknown...)
}
