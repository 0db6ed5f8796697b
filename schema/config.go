package schema

// Config is the concrete, schema-checked value of a config repo (SPEC §2):
// every default filled in. Field names and JSON tags follow the schema.
type Config struct {
	Sites   map[string]*Site `json:"sites"`
	Waivers []Waiver         `json:"waivers,omitempty"`
}

// Site is one Configuration Manager site.
type Site struct {
	Code                string             `json:"code"`
	Product             string             `json:"product"`
	Mode                string             `json:"mode"`
	Parent              string             `json:"parent,omitempty"`
	SiteServer          string             `json:"siteServer"`
	Servers             map[string]*Server `json:"servers"`
	SoftwareUpdatePoint *SUP               `json:"softwareUpdatePoint,omitempty"`
	ClientAgent         ClientAgent        `json:"clientAgent"`
}

// Server is a machine of a site, keyed by its intranet FQDN.
type Server struct {
	FQDN         string `json:"fqdn"`
	InternetFQDN string `json:"internetFqdn,omitempty"`
	WSUS         *WSUS  `json:"wsus,omitempty"`
}

// WSUS is the declared WSUS installation of a server.
type WSUS struct {
	InstallType  string                    `json:"installType"`
	Version      string                    `json:"version"`
	Website      string                    `json:"website"`
	Ports        Ports                     `json:"ports"`
	SSL          bool                      `json:"ssl"`
	Certificate  *Certificate              `json:"certificate,omitempty"`
	VirtualRoots map[string]VirtualRootTLS `json:"virtualRoots,omitempty"`
}

// VirtualRootTLS is the IIS SSL setting of one WSUS virtual root.
type VirtualRootTLS struct {
	SSLFlags []string `json:"sslFlags"`
}

// Certificate is a server certificate bound to the WSUS HTTPS port.
type Certificate struct {
	Thumbprint string   `json:"thumbprint"`
	DNSNames   []string `json:"dnsNames"`
	EKU        []string `json:"eku"`
	NotAfter   string   `json:"notAfter"`
}

// Ports is an HTTP/HTTPS port pair.
type Ports struct {
	HTTP  int `json:"http"`
	HTTPS int `json:"https"`
}

// SUP is the software update point component of a site.
type SUP struct {
	Active           string       `json:"active"`
	Internet         string       `json:"internet,omitempty"`
	ClientConnection string       `json:"clientConnection"`
	SSL              bool         `json:"ssl"`
	Ports            Ports        `json:"ports"`
	Proxy            *Proxy       `json:"proxy,omitempty"`
	Sync             Sync         `json:"sync"`
	Classifications  []string     `json:"classifications"`
	Products         []string     `json:"products"`
	Languages        []string     `json:"languages"`
	Supersedence     Supersedence `json:"supersedence"`
}

// Proxy is the proxy the SUP uses.
type Proxy struct {
	Server  string `json:"server"`
	Port    int    `json:"port"`
	ForSync bool   `json:"forSync"`
}

// Sync says where the SUP synchronizes from.
type Sync struct {
	Source          string    `json:"source"`
	Upstream        string    `json:"upstream,omitempty"`
	Schedule        *Schedule `json:"schedule,omitempty"`
	ReportingEvents string    `json:"reportingEvents"`
}

// Supersedence says when superseded updates expire.
type Supersedence struct {
	Expire string `json:"expire"`
	Months int    `json:"months,omitempty"`
}

// ClientAgent is the site-wide Software Updates Client Agent.
type ClientAgent struct {
	Enabled              bool     `json:"enabled"`
	ScanSchedule         Schedule `json:"scanSchedule"`
	ReevaluationSchedule Schedule `json:"reevaluationSchedule"`
	EnforceMandatory     bool     `json:"enforceMandatory"`
	DeadlineWindow       Schedule `json:"deadlineWindow"`
	HideFromUsers        bool     `json:"hideFromUsers"`
}

// Schedule is an interval in days or hours (exactly one is set).
type Schedule struct {
	Days  int `json:"days,omitempty"`
	Hours int `json:"hours,omitempty"`
}

// Waiver silences one rule at one path (and below) until Expires.
type Waiver struct {
	Rule    string `json:"rule"`
	Path    string `json:"path"`
	Reason  string `json:"reason"`
	Expires string `json:"expires"`
}
