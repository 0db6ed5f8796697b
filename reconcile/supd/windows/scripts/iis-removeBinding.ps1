# ---- supctl op iis.removeBinding (scripts/iis-removeBinding.ps1) ----
# Bound above: $Protocol, $Port. appcmd set site /-bindings; for https the
# HTTP.sys binding goes too (netsh http delete sslcert).
$site = Assert-SupWebsite
$mine = $false
foreach ($b in @(Get-SupSiteBindings)) {
    if ($b.Site -eq $site -and $b.Protocol -eq $Protocol -and $b.Port -eq $Port) { $mine = $true }
}
$changed = $false
if ($mine) {
    & $SupAppCmd set site ('/site.name:' + $site) ('/-bindings.[protocol=''' + $Protocol + ''',bindingInformation=''*:' + $Port + ':'']') | Out-Null
    if ($LASTEXITCODE -ne 0) { Stop-Sup 5 ('appcmd set site /-bindings failed with exit code ' + $LASTEXITCODE) }
    $changed = $true
}
if ($Protocol -eq 'https' -and (Get-SupSslCertHash $Port) -ne '') {
    & netsh.exe http delete sslcert ('ipport=0.0.0.0:' + $Port) | Out-Null
    if ($LASTEXITCODE -ne 0) { Stop-Sup 5 ('netsh http delete sslcert failed with exit code ' + $LASTEXITCODE) }
    $changed = $true
}
[Console]::Out.Write((ConvertTo-SupJson @{ changed = $changed }))
exit 0
