# ---- supctl op iis.addBinding (scripts/iis-addBinding.ps1) ----
# Bound above: $Protocol ('http'|'https'), $Port, $Thumbprint ('' for http).
# appcmd set site /+bindings (IIS 7 appcmd reference); the https
# certificate is bound in HTTP.sys with netsh http add sslcert (netsh http reference).
$site = Assert-SupWebsite
$bindings = @(Get-SupSiteBindings)
if ($Protocol -eq 'https') {
    if ($null -eq (Get-SupCertificate $Thumbprint)) { Stop-Sup 3 ('certificate ' + $Thumbprint + ' is not in Cert:\LocalMachine\My') }
}
$mine = $false
foreach ($b in $bindings) {
    if ($b.Port -ne $Port) { continue }
    if ($b.Site -eq $site -and $b.Protocol -eq $Protocol) { $mine = $true; continue }
    Stop-Sup 3 ('port ' + $Port + ' is in use by ' + $b.Protocol + ' on IIS site ' + $b.Site)
}
$changed = $false
if (-not $mine) {
    & $SupAppCmd set site ('/site.name:' + $site) ('/+bindings.[protocol=''' + $Protocol + ''',bindingInformation=''*:' + $Port + ':'']') | Out-Null
    if ($LASTEXITCODE -ne 0) { Stop-Sup 5 ('appcmd set site /+bindings failed with exit code ' + $LASTEXITCODE) }
    $changed = $true
}
if ($Protocol -eq 'https') {
    $hash = Get-SupSslCertHash $Port
    if ($hash -ne $Thumbprint) {
        if ($hash -ne '') {
            & netsh.exe http delete sslcert ('ipport=0.0.0.0:' + $Port) | Out-Null
            if ($LASTEXITCODE -ne 0) { Stop-Sup 5 ('netsh http delete sslcert failed with exit code ' + $LASTEXITCODE) }
        }
        & netsh.exe http add sslcert ('ipport=0.0.0.0:' + $Port) ('certhash=' + $Thumbprint) ('appid=' + $SupAppId) | Out-Null
        if ($LASTEXITCODE -ne 0) { Stop-Sup 5 ('netsh http add sslcert failed with exit code ' + $LASTEXITCODE) }
        $changed = $true
    }
}
[Console]::Out.Write((ConvertTo-SupJson @{ changed = $changed }))
exit 0
