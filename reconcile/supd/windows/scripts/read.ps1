# ---- supctl read (scripts/read.ps1) ----
# Prints one JSON object whose values are the raw outputs of the tools that
# hold each value; the supctl Go package (ParseRead) turns it into the server
# document. Nothing is changed. Sources: README.md of this package.
$out = @{}
$out['schema'] = 'supctl-read/1'

# The computer's DNS name: Win32_ComputerSystem DNSHostName and Domain, as
# WMI instance text (ManagementBaseObject.GetText, TextFormat.Mof).
$cs = Get-WmiObject -Class Win32_ComputerSystem
$out['computer'] = $cs.GetText([System.Management.TextFormat]::Mof)

# IIS version: reg query HKLM\SOFTWARE\Microsoft\InetStp /v MajorVersion.
$out['inetstp'] = (& reg.exe query 'HKLM\SOFTWARE\Microsoft\InetStp' /v MajorVersion 2>$null | Out-String)
$major = Get-SupIisMajor
if ($major -gt 0 -and $major -lt 7) { Stop-Sup 4 ('manual step: IIS ' + $major + ' (Windows Server 2003) is not supported: manage this server by hand') }

# WSUS: reg query of the Setup key (no output: WSUS is not installed).
$out['wsusSetup'] = (& reg.exe query 'HKLM\SOFTWARE\Microsoft\Update Services\Server\Setup' 2>$null | Out-String)

# IIS sites and the WSUS website's virtual roots.
$out['sites'] = ''
$access = @{}
$setup = Get-ItemProperty -Path $SupWsusSetupKey -ErrorAction SilentlyContinue
if ($major -ge 7) {
    $out['sites'] = (& $SupAppCmd list site /xml | Out-String)
    if ($null -ne $setup -and $null -ne $setup.IISTargetWebsiteIndex) {
        $site = Assert-SupWebsite
        foreach ($vroot in @('ApiRemoting30', 'ClientWebService', 'DSSAuthWebService', 'ServerSyncWebService', 'SimpleAuthWebService', 'Content', 'Inventory', 'ReportingWebService', 'SelfUpdate')) {
            $access[$vroot] = (& $SupAppCmd list config ($site + '/' + $vroot) '-section:system.webServer/security/access' /xml | Out-String)
        }
    }
}
$out['access'] = $access

# HTTP.sys certificate bindings: netsh http show sslcert.
$out['sslcert'] = (& netsh.exe http show sslcert | Out-String)

# The machine store Cert:\LocalMachine\My: one block per certificate.
$certs = New-Object System.Text.StringBuilder
foreach ($c in @(Get-ChildItem -Path Cert:\LocalMachine\My)) {
    $eku = @()
    foreach ($ext in $c.Extensions) {
        if ($ext -is [System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension]) {
            foreach ($oid in $ext.EnhancedKeyUsages) { $eku += $oid.Value }
        }
    }
    $san = ''
    foreach ($ext in $c.Extensions) {
        if ($ext.Oid.Value -eq '2.5.29.17') { $san = $ext.Format($false) }
    }
    [void]$certs.Append('Thumbprint : ' + $c.Thumbprint + "`n")
    [void]$certs.Append('NotAfter   : ' + $c.NotAfter.ToUniversalTime().ToString('yyyy-MM-dd', [System.Globalization.CultureInfo]::InvariantCulture) + "`n")
    [void]$certs.Append('EKU        : ' + ($eku -join ';') + "`n")
    [void]$certs.Append('SAN        : ' + $san + "`n`n")
}
$out['certificates'] = $certs.ToString()

# ConfigMgr: the SMS Provider's site code (root\SMS SMS_ProviderLocation)
# and the software update point roles (SMS_SCI_SysResUse), as WMI instance text.
$out['providerLocation'] = ''
$out['sup'] = ''
$loc = @(Get-WmiObject -Namespace 'root\SMS' -Class SMS_ProviderLocation -ErrorAction SilentlyContinue)
if ($loc.Length -gt 0 -and $null -ne $loc[0]) {
    $out['providerLocation'] = $loc[0].GetText([System.Management.TextFormat]::Mof)
    $code = [string]$loc[0].SiteCode
    $roles = New-Object System.Text.StringBuilder
    foreach ($r in @(Get-WmiObject -Namespace ('root\SMS\site_' + $code) -Class SMS_SCI_SysResUse -Filter "RoleName='SMS Software Update Point'")) {
        if ($null -eq $r) { continue }
        # Props is a lazy property: Get() loads it (as published SUP scripts do).
        $r.Get()
        [void]$roles.Append($r.GetText([System.Management.TextFormat]::Mof) + "`n")
    }
    $out['sup'] = $roles.ToString()
}

[Console]::Out.Write((ConvertTo-SupJson $out))
exit 0
