# ---- supctl common helpers (scripts/common.ps1, prepended to every script) ----
# Exit codes: 0 done (JSON on stdout); 3 the op is invalid here; 4 a manual
# step is needed; any other code: failure. One line on stderr says why.
$ErrorActionPreference = 'Stop'
# Any error not handled below ends the script with exit 5 and one line.
trap {
    [Console]::Error.WriteLine(('failed: ' + $_.Exception.Message) -replace '[\r\n]+', ' ')
    exit 5
}

function Stop-Sup {
    param([int]$Code, [string]$Message)
    [Console]::Error.WriteLine($Message)
    exit $Code
}

# appcmd.exe lives in %windir%\system32\inetsrv (IIS 7 "Getting Started with AppCmd.exe").
$SupAppCmd = Join-Path $env:windir 'system32\inetsrv\appcmd.exe'

# The application ID supctl gives HTTP.sys certificate bindings it adds
# (netsh http add sslcert appid=: "the GUID to identify the owning application").
$SupAppId = '{9e575eb5-1f81-4f6e-867d-4ea983e56357}'

# The WSUS setup key (WSUS 3.0 technical reference "Verifying WSUS Server
# Settings", technet cc708545; value names IISTargetWebsiteIndex, PortNumber,
# UsingSSL: Microsoft Learn "Configure WSUS with a shared SUSDB").
$SupWsusSetupKey = 'HKLM:\SOFTWARE\Microsoft\Update Services\Server\Setup'

# Get-SupIisMajor returns IIS's major version from HKLM\SOFTWARE\Microsoft\InetStp
# (value MajorVersion), 0 when IIS is not installed.
function Get-SupIisMajor {
    $p = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\InetStp' -Name MajorVersion -ErrorAction SilentlyContinue
    if ($null -eq $p) { return 0 }
    return [int]$p.MajorVersion
}

# Assert-SupWebsite stops with a manual step unless IIS 7+ and WSUS are
# installed, and returns the name of the WSUS website (the IIS site whose ID
# is the Setup key's IISTargetWebsiteIndex).
function Assert-SupWebsite {
    $major = Get-SupIisMajor
    if ($major -eq 0) { Stop-Sup 4 'manual step: IIS is not installed on this server' }
    if ($major -lt 7) { Stop-Sup 4 ('manual step: IIS ' + $major + ' (Windows Server 2003) is not supported: change it in IIS Manager by hand') }
    $setup = Get-ItemProperty -Path $SupWsusSetupKey -ErrorAction SilentlyContinue
    if ($null -eq $setup -or $null -eq $setup.IISTargetWebsiteIndex) { Stop-Sup 4 'manual step: the WSUS server role is not installed on this server' }
    $id = [string]$setup.IISTargetWebsiteIndex
    [xml]$sites = (& $SupAppCmd list site /xml | Out-String)
    foreach ($s in @($sites.appcmd.SITE)) {
        if ($null -ne $s -and $s.'SITE.ID' -eq $id) { return [string]$s.'SITE.NAME' }
    }
    Stop-Sup 5 ('the WSUS website (IIS site ID ' + $id + ') is not in appcmd list site')
}

# Get-SupSiteBindings returns the bindings of every IIS site as objects
# (Site, Protocol, Port), from appcmd list site /xml ("http/*:8530:,https/*:8531:").
function Get-SupSiteBindings {
    [xml]$sites = (& $SupAppCmd list site /xml | Out-String)
    foreach ($s in @($sites.appcmd.SITE)) {
        if ($null -eq $s) { continue }
        foreach ($b in ([string]$s.bindings).Split(',')) {
            $slash = $b.IndexOf('/')
            if ($slash -lt 0) { continue }
            $info = $b.Substring($slash + 1).Split(':')
            if ($info.Length -lt 2) { continue }
            New-Object PSObject -Property @{ Site = [string]$s.'SITE.NAME'; Protocol = $b.Substring(0, $slash); Port = [int]$info[1] }
        }
    }
}

# Get-SupSslCertHash returns the certificate hash HTTP.sys binds to
# 0.0.0.0:<port> (netsh http show sslcert), upper case, or '' when none.
function Get-SupSslCertHash {
    param([int]$Port)
    $text = (& netsh.exe http show sslcert ('ipport=0.0.0.0:' + $Port) | Out-String)
    foreach ($line in $text.Split("`n")) {
        if ($line -match '^\s*Certificate Hash\s*:\s*([0-9A-Fa-f]{40})\s*$') { return $matches[1].ToUpper() }
    }
    return ''
}

# Get-SupCertificate returns the certificate of Cert:\LocalMachine\My with
# the given thumbprint, or $null.
function Get-SupCertificate {
    param([string]$Thumbprint)
    foreach ($c in @(Get-ChildItem -Path Cert:\LocalMachine\My)) {
        if ($c.Thumbprint -eq $Thumbprint) { return $c }
    }
    return $null
}

# Get-SupDnsNames returns the DNS names of a certificate's Subject
# Alternative Name extension (OID 2.5.29.17; PowerShell 2.0 has no
# DnsNameList), from X509Extension.Format: "DNS Name=a, DNS Name=b".
function Get-SupDnsNames {
    param($Cert)
    foreach ($ext in $Cert.Extensions) {
        if ($ext.Oid.Value -ne '2.5.29.17') { continue }
        foreach ($part in $ext.Format($false).Split(',')) {
            $kv = $part.Trim().Split('=')
            if ($kv.Length -eq 2 -and $kv[0] -eq 'DNS Name') { $kv[1] }
        }
    }
}
