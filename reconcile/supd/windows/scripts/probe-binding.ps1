# ---- supctl probe of one binding (scripts/probe-binding.ps1) ----
# Bound above: $Protocol, $Port. Prints the binding as the server document
# has it ({"port","protocol","thumbprint"}) or null; changes nothing.
$site = Assert-SupWebsite
$found = $null
foreach ($b in @(Get-SupSiteBindings)) {
    if ($b.Site -eq $site -and $b.Protocol -eq $Protocol -and $b.Port -eq $Port) {
        $found = @{ protocol = $Protocol; port = $Port }
        if ($Protocol -eq 'https') {
            $hash = Get-SupSslCertHash $Port
            if ($hash -ne '') { $found['thumbprint'] = $hash }
        }
    }
}
[Console]::Out.Write((ConvertTo-SupJson $found))
exit 0
