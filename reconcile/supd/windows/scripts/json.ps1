# ---- supctl JSON writer (PowerShell 2.0 has no JSON cmdlet) ----
# One copy: scripts/json.ps1, prepended to every script by the Go package.
# Writes null, booleans, integers, strings, arrays and hashtables (keys
# sorted, so the output is canonical); every character outside printable
# ASCII is written as \uXXXX, so the output is plain ASCII.
function ConvertTo-SupJson {
    param($Value)
    if ($null -eq $Value) { return 'null' }
    if ($Value -is [bool]) {
        if ($Value) { return 'true' }
        return 'false'
    }
    if ($Value -is [int] -or $Value -is [long] -or $Value -is [uint32]) {
        return $Value.ToString([System.Globalization.CultureInfo]::InvariantCulture)
    }
    if ($Value -is [string] -or $Value -is [char]) {
        $sb = New-Object System.Text.StringBuilder
        [void]$sb.Append('"')
        foreach ($ch in ([string]$Value).ToCharArray()) {
            $code = [int]$ch
            if ($code -eq 34) { [void]$sb.Append('\"') }
            elseif ($code -eq 92) { [void]$sb.Append('\\') }
            elseif ($code -lt 32 -or $code -gt 126) { [void]$sb.Append(('\u{0:x4}' -f $code)) }
            else { [void]$sb.Append($ch) }
        }
        [void]$sb.Append('"')
        return $sb.ToString()
    }
    if ($Value -is [System.Collections.IDictionary]) {
        $parts = @()
        foreach ($k in @($Value.Keys | Sort-Object)) {
            $parts += (ConvertTo-SupJson ([string]$k)) + ':' + (ConvertTo-SupJson $Value[$k])
        }
        return '{' + ($parts -join ',') + '}'
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $parts = @()
        foreach ($item in $Value) { $parts += (ConvertTo-SupJson $item) }
        return '[' + ($parts -join ',') + ']'
    }
    return ConvertTo-SupJson ([string]$Value)
}
