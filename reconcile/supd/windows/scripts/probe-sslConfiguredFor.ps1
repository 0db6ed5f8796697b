# ---- supctl probe of WSUS configuressl (scripts/probe-sslConfiguredFor.ps1) ----
# Prints the name WsusUtil.exe configuressl was run with (Setup key
# ServerCertificateName while UsingSSL is 1) or null; changes nothing.
$setup = Get-ItemProperty -Path $SupWsusSetupKey -ErrorAction SilentlyContinue
if ($null -eq $setup) { Stop-Sup 4 'manual step: the WSUS server role is not installed on this server' }
$name = $null
if ([string]$setup.UsingSSL -eq '1' -and [string]$setup.ServerCertificateName -ne '') { $name = [string]$setup.ServerCertificateName }
[Console]::Out.Write((ConvertTo-SupJson $name))
exit 0
