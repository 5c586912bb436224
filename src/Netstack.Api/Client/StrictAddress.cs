using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Netstack.Api.Client;

/// <summary>
/// IP address parsing without the legacy IPv4 forms <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
/// accepts (<c>10.1</c>, <c>10.0.0</c>, octal and hex parts): a user who types <c>10.0.0/24</c>
/// made a mistake, and must hear so rather than get <c>10.0.0.0/24</c>.
/// </summary>
public static class StrictAddress
{
    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.IsEmpty)
        {
            return false;
        }
        if (!text.Contains(':'))
        {
            // Dotted quad of decimal octets, no leading zeros beyond a single 0.
            var parts = 0;
            foreach (var range in text.Split('.'))
            {
                var part = text[range];
                if (part.IsEmpty || part.Length > 3 || (part.Length > 1 && part[0] == '0'))
                {
                    return false;
                }
                foreach (var c in part)
                {
                    if (c is < '0' or > '9')
                    {
                        return false;
                    }
                }
                parts++;
            }
            if (parts != 4)
            {
                return false;
            }
        }
        return IPAddress.TryParse(text, out address);
    }
}
