# ---- supctl op wsus.configureSsl (scripts/wsus-configureSsl.ps1) ----
# Bound above: $CertificateName. Runs WsusUtil.exe configuressl <name> from
# the WSUS Tools folder (<TargetDir>\Tools; TargetDir: Setup key, cc708545)
# after checking that an https binding of the WSUS website carries a
# certificate naming it. Done already when the Setup key says UsingSSL = 1
# and ServerCertificateName = the name.
$site = Assert-SupWebsite
$named = $false
foreach ($b in @(Get-SupSiteBindings)) {
    if ($b.Site -ne $site -or $b.Protocol -ne 'https') { continue }
    $hash = Get-SupSslCertHash $b.Port
    if ($hash -eq '') { continue }
    $cert = Get-SupCertificate $hash
    if ($null -eq $cert) { continue }
    foreach ($n in @(Get-SupDnsNames $cert)) { if ($n -eq $CertificateName) { $named = $true } }
}
if (-not $named) { Stop-Sup 3 ('no https binding of ' + $site + ' has a certificate naming ' + $CertificateName) }
$setup = Get-ItemProperty -Path $SupWsusSetupKey
if ([string]$setup.UsingSSL -eq '1' -and [string]$setup.ServerCertificateName -eq $CertificateName) {
    [Console]::Out.Write((ConvertTo-SupJson @{ changed = $false }))
    exit 0
}
$tool = Join-Path ([string]$setup.TargetDir) 'Tools\WsusUtil.exe'
& $tool configuressl $CertificateName | Out-Null
if ($LASTEXITCODE -ne 0) { Stop-Sup 5 ('WsusUtil.exe configuressl failed with exit code ' + $LASTEXITCODE) }
[Console]::Out.Write((ConvertTo-SupJson @{ changed = $true }))
exit 0
