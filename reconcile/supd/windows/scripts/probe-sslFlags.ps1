# ---- supctl probe of one virtual root's sslFlags (scripts/probe-sslFlags.ps1) ----
# Bound above: $VRoot. Prints the flags in canonical order as a JSON array
# (None is []); changes nothing.
$site = Assert-SupWebsite
[xml]$cfg = (& $SupAppCmd list config ($site + '/' + $VRoot) '-section:system.webServer/security/access' /xml | Out-String)
if ($LASTEXITCODE -ne 0) { Stop-Sup 3 ('virtual root ' + $VRoot + ' is not in the WSUS website ' + $site) }
$have = @()
foreach ($f in ([string]$cfg.appcmd.CONFIG.'system.webServer-security-access'.sslFlags).Split(',')) { $have += $f.Trim() }
$flags = @()
foreach ($f in @('Ssl', 'SslNegotiateCert', 'SslRequireCert', 'Ssl128')) { if ($have -contains $f) { $flags += $f } }
[Console]::Out.Write((ConvertTo-SupJson $flags))
exit 0
