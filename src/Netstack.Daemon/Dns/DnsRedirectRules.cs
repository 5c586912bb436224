using Netstack.Dns.Sandbox;
using Netstack.Firewall;

namespace Netstack.Daemon.Dns;

/// <summary>A resolver's <see cref="DnsRedirect"/> as the firewall layer's rule set, applied inside the sandbox.</summary>
internal static class DnsRedirectRules
{
    /// <summary>The owner of the redirect rules in every sandbox's own firewall (one resolver per namespace).</summary>
    public const string Owner = "dns";

    public static FirewallRuleSet ToRuleSet(DnsRedirect redirect)
    {
        ArgumentNullException.ThrowIfNull(redirect);
        var rules = redirect.Rules
            .Select(r => r.IsJump ? new FirewallRule(r.Table, r.Chain, r.Arguments) { Insert = true } : new FirewallRule(r.Table, r.Chain, r.Arguments))
            .ToArray();
        return new FirewallRuleSet(Owner, IpFamily.IPv4, [new FirewallChain(DnsRedirect.Table, DnsRedirect.Chain)], rules);
    }
}
