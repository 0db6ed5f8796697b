# ---- supctl op iis.setSslFlags (scripts/iis-setSslFlags.ps1) ----
# Bound above: $VRoot, $Flags (array, canonical order). The access section's
# sslFlags (IIS configuration reference <access>; values None, Ssl,
# SslNegotiateCert, SslRequireCert, Ssl128), set with
# appcmd set config "<site>/<vroot>" -section:system.webServer/security/access /commit:apphost.
$site = Assert-SupWebsite
$want = 'None'
if ($Flags.Length -gt 0) { $want = ($Flags -join ',') }
[xml]$cfg = (& $SupAppCmd list config ($site + '/' + $VRoot) '-section:system.webServer/security/access' /xml | Out-String)
if ($LASTEXITCODE -ne 0) { Stop-Sup 3 ('virtual root ' + $VRoot + ' is not in the WSUS website ' + $site) }
$have = @()
foreach ($f in ([string]$cfg.appcmd.CONFIG.'system.webServer-security-access'.sslFlags).Split(',')) {
    $t = $f.Trim()
    if ($t -ne '' -and $t -ne 'None') { $have += $t }
}
$same = ($have.Length -eq $Flags.Length)
if ($same) { foreach ($f in $Flags) { if ($have -notcontains $f) { $same = $false } } }
if (-not $same) {
    & $SupAppCmd set config ($site + '/' + $VRoot) '-section:system.webServer/security/access' ('/sslFlags:' + $want) /commit:apphost | Out-Null
    if ($LASTEXITCODE -ne 0) { Stop-Sup 5 ('appcmd set config sslFlags failed with exit code ' + $LASTEXITCODE) }
}
[Console]::Out.Write((ConvertTo-SupJson @{ changed = (-not $same) }))
exit 0
