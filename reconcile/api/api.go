// Package api holds the wire types shared by supd, the update point agent,
// and its client: the server document of SPEC §6.1, the operations of §6.2
// with their typed arguments, the audit-log events, leases and error bodies.
//
// The package has no dependencies beyond the standard library, so that every
// other package (the agent, the client, the reconciler, the health check) can
// import it without pulling in anything else.
package api

import (
	"encoding/json"
	"time"
)

// Server is the observed (or desired) document of one server (SPEC §6.1).
type Server struct {
	// FQDN is the server's intranet name, lower case.
	FQDN string `json:"fqdn"`
	// InternetFQDN is the server's Internet name, nil when it has none.
	InternetFQDN *string `json:"internetFqdn"`
	// Certificates is the machine certificate store. supd cannot change it.
	Certificates []Certificate `json:"certificates"`
	// WSUS is nil where WSUS is not installed. supd cannot install it.
	WSUS *WSUS `json:"wsus"`
	// IIS is the WSUS website: its bindings and the sslFlags of its virtual roots.
	IIS IIS `json:"iis"`
	// ConfigMgr is set on a site server only.
	ConfigMgr *ConfigMgr `json:"configmgr"`
}

// Certificate is one certificate of the machine store.
type Certificate struct {
	// Thumbprint is 40 upper-case hex digits.
	Thumbprint string `json:"thumbprint"`
	// DNSNames are the names the certificate is valid for.
	DNSNames []string `json:"dnsNames"`
	// EKU lists the extended key usage OIDs, e.g. EKUServerAuth.
	EKU []string `json:"eku"`
	// NotAfter is the last day of validity, YYYY-MM-DD (see DateLayout).
	NotAfter string `json:"notAfter"`
}

// WSUS describes the WSUS installation of a server.
type WSUS struct {
	// InstallType is InstallServer or InstallConsole.
	InstallType string `json:"installType"`
	// Version is the WSUS build, e.g. "3.2.7600.283".
	Version string `json:"version"`
	// SSLConfiguredFor is the name given to "WSUSUtil.exe configuressl", nil when not run.
	SSLConfiguredFor *string `json:"sslConfiguredFor"`
}

// IIS is the WSUS website.
type IIS struct {
	// Bindings are the website's bindings; https ones carry a certificate thumbprint.
	Bindings []Binding `json:"bindings"`
	// VRoots maps each of the nine virtual roots (VRoots) to its sslFlags.
	// A normalized document always has all nine keys.
	VRoots map[string][]string `json:"vroots"`
}

// Binding is one IIS website binding.
type Binding struct {
	// Protocol is ProtocolHTTP or ProtocolHTTPS.
	Protocol string `json:"protocol"`
	// Port is 1–65535.
	Port int `json:"port"`
	// Thumbprint names the bound certificate (https only).
	Thumbprint string `json:"thumbprint,omitempty"`
}

// ConfigMgr is the ConfigMgr part of a site server's document.
type ConfigMgr struct {
	// SiteCode is the three-character site code.
	SiteCode string `json:"siteCode"`
	// Mode is ModeMixed or ModeNative.
	Mode string `json:"mode"`
	// SoftwareUpdatePoint is the SUP component, nil when the site has none.
	SoftwareUpdatePoint *SUP `json:"softwareUpdatePoint"`
	// ClientAgent is the Software Updates Client Agent.
	ClientAgent ClientAgent `json:"clientAgent"`
}

// SUP is the software update point component (the schema's #SUP).
type SUP struct {
	Active           string       `json:"active"`             // FQDN of the active SUP
	Internet         string       `json:"internet,omitempty"` // FQDN of the Internet-based SUP
	ClientConnection string       `json:"clientConnection"`   // "intranet" | "internet" | "both"
	SSL              bool         `json:"ssl"`                // ConfigMgr uses SSL with WSUS
	Ports            Ports        `json:"ports"`              // what ConfigMgr is told
	Proxy            *Proxy       `json:"proxy,omitempty"`    // nil: no proxy
	Sync             Sync         `json:"sync"`               // synchronization settings
	Classifications  []string     `json:"classifications"`    // update classifications
	Products         []string     `json:"products"`           // products
	Languages        []string     `json:"languages"`          // languages
	Supersedence     Supersedence `json:"supersedence"`       // expiry of superseded updates
}

// Ports are the WSUS ports ConfigMgr uses.
type Ports struct {
	HTTP  int `json:"http"`  // HTTP port
	HTTPS int `json:"https"` // HTTPS port
}

// Proxy is the proxy the SUP uses.
type Proxy struct {
	Server  string `json:"server"`  // proxy host name
	Port    int    `json:"port"`    // 1–65535
	ForSync bool   `json:"forSync"` // use it for synchronization
}

// Sync holds the synchronization settings of a SUP.
type Sync struct {
	Source          string    `json:"source"`             // "microsoft-update" | "upstream" | "none"
	Upstream        string    `json:"upstream,omitempty"` // upstream SUP URL
	Schedule        *Schedule `json:"schedule,omitempty"` // nil: no schedule
	ReportingEvents string    `json:"reportingEvents"`    // "none" | "status-only" | "all"
}

// Supersedence says when superseded updates expire.
type Supersedence struct {
	Expire string `json:"expire"`           // "immediately" | "after-months"
	Months int    `json:"months,omitempty"` // 1–99 with "after-months"
}

// ClientAgent is the Software Updates Client Agent (the schema's #ClientAgent).
type ClientAgent struct {
	Enabled              bool     `json:"enabled"`              // agent enabled
	ScanSchedule         Schedule `json:"scanSchedule"`         // scan interval
	ReevaluationSchedule Schedule `json:"reevaluationSchedule"` // re-evaluation interval
	EnforceMandatory     bool     `json:"enforceMandatory"`     // enforce all mandatory deployments
	DeadlineWindow       Schedule `json:"deadlineWindow"`       // deadline window
	HideFromUsers        bool     `json:"hideFromUsers"`        // hide deployments from users
}

// Schedule is an interval: exactly one of Days or Hours is set.
type Schedule struct {
	Days  int `json:"days,omitempty"`  // whole days
	Hours int `json:"hours,omitempty"` // whole hours
}

// Op is one operation of SPEC §6.2, as sent in the body of POST /v1/ops.
// Args holds the operation's arguments; DecodeArgs turns it into the typed value.
type Op struct {
	Op   string          `json:"op"`
	Args json.RawMessage `json:"args"`
}

// State is the answer of GET /v1/state and of a successful POST /v1/ops.
type State struct {
	// Version increases by one with every change of the document.
	Version int64 `json:"version"`
	// Server is the document at Version.
	Server Server `json:"server"`
}

// Event is one entry of the audit log (GET /v1/events).
type Event struct {
	// Seq numbers events from 1 (the OpInit event) without gaps.
	Seq int64 `json:"seq"`
	// Time is when the change was made (RFC 3339 with nanoseconds on the wire).
	Time time.Time `json:"time"`
	// Actor is the NAME of the token that made the change ("supd" for init).
	Actor string `json:"actor"`
	// Op is the operation name, OpInit for the first event.
	Op string `json:"op"`
	// Args are the operation's arguments as received (the starting document for init).
	Args json.RawMessage `json:"args"`
	// VersionBefore and VersionAfter bracket the change (0 and 1 for init).
	VersionBefore int64 `json:"versionBefore"`
	VersionAfter  int64 `json:"versionAfter"`
	// Server is the whole document after the change (for a real backend: as
	// read on the machine after the op ran).
	Server Server `json:"server"`
	// Outcome is empty for an op whose effect is in place, or says why the
	// op failed when a real backend ran it and the answer was not 200 (the
	// document is then what was read after it; SPEC §6.3).
	Outcome string `json:"outcome,omitempty"`
}

// EventPage is the answer of GET /v1/events?since=SEQ&limit=N: the events
// with seq > SEQ, at most N, oldest first. Next is set when more events
// follow: pass it as since for the next page. A log compacted past SEQ
// starts with its init event (seq > SEQ+1), which carries the document the
// kept events start from.
type EventPage struct {
	Events []Event `json:"events"`
	Next   *int64  `json:"next,omitempty"`
}

// Page sizes of GET /v1/events: limit defaults to DefaultEventsLimit and
// may not exceed MaxEventsLimit.
const (
	DefaultEventsLimit = 1_000
	MaxEventsLimit     = 10_000
)

// LeaseRequest is the body of POST /v1/lease.
type LeaseRequest struct {
	Holder     string `json:"holder"`     // who takes the lease, for humans
	TTLSeconds int    `json:"ttlSeconds"` // 1–MaxLeaseTTLSeconds
}

// Lease is the answer of a successful take (POST /v1/lease) or renew (PUT /v1/lease/{id}).
type Lease struct {
	ID        string    `json:"id"`        // opaque; send it as the Lease-Id header
	ExpiresAt time.Time `json:"expiresAt"` // the lease frees the server by itself after this
}

// ErrorBody is the JSON body of every non-2xx answer of supd.
//
// Error is always set. A 409 on POST /v1/ops carries the current Version; a
// 409 on POST /v1/lease and a 423 carry the live lease's Holder and ExpiresAt.
type ErrorBody struct {
	Error     string     `json:"error"`
	Version   int64      `json:"version,omitempty"`
	Holder    string     `json:"holder,omitempty"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

// HTTP header names of the API.
const (
	// HeaderLeaseID carries the id of the live lease on a write.
	HeaderLeaseID = "Lease-Id"
	// HeaderIfMatch carries the version (quoted, like an ETag) an op was planned on.
	HeaderIfMatch = "If-Match"
)

// MaxLeaseTTLSeconds bounds LeaseRequest.TTLSeconds.
const MaxLeaseTTLSeconds = 3600

// DateLayout is the layout of Certificate.NotAfter.
const DateLayout = "2006-01-02"

// EKUServerAuth is the Server Authentication extended key usage.
const EKUServerAuth = "1.3.6.1.5.5.7.3.1"

// Values of Binding.Protocol.
const (
	ProtocolHTTP  = "http"
	ProtocolHTTPS = "https"
)

// Values of WSUS.InstallType.
const (
	InstallServer  = "server"
	InstallConsole = "console"
)

// Values of ConfigMgr.Mode.
const (
	ModeMixed  = "mixed"
	ModeNative = "native"
)
