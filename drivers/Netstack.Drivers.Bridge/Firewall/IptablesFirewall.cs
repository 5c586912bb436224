using Microsoft.Extensions.Logging;
using Netstack.Core;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// <see cref="IFirewall"/> over <c>iptables-save</c> / <c>iptables-restore --noflush</c> run inside the
/// host namespace. Each change reads the current rules, then sends one batch per table that deletes
/// the owner's old rules and appends its new ones, so a table changes atomically (one COMMIT).
/// Changes are serialised in this process; <c>-w</c> waits for the xtables lock other programs hold.
/// </summary>
internal sealed class IptablesFirewall : IFirewall
{
    private readonly HostNetwork _host;
    private readonly FirewallLayout _layout;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();

    public IptablesFirewall(HostNetwork host, FirewallLayout layout, ILogger logger)
    {
        _host = host;
        _layout = layout;
        _logger = logger;
    }

    public void Apply(string owner, IReadOnlyList<FirewallRule> rules)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentNullException.ThrowIfNull(rules);
        lock (_lock)
        {
            var script = IptablesScript.Build(Save(), _layout, owner, rules, ensureLayout: true);
            Restore(script, $"apply firewall rules of {owner}");
        }
    }

    public void Remove(string owner)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        lock (_lock)
        {
            var script = IptablesScript.Build(Save(), _layout, owner, [], ensureLayout: false);
            Restore(script, $"remove firewall rules of {owner}");
        }
    }

    public IReadOnlySet<string> Owners()
    {
        lock (_lock)
        {
            return Save().AllRules.Select(IptablesState.OwnerOf).OfType<string>()
                .Where(o => o != FirewallLayout.BaseOwner)
                .ToHashSet(StringComparer.Ordinal);
        }
    }

    private IptablesState Save()
    {
        var (code, output, error) = _host.RunProcess("iptables-save", [], null);
        if (code != 0)
        {
            throw new InternalException($"iptables-save in {_host.Description} exited {code}: {error.Trim()}");
        }
        return IptablesState.Parse(output);
    }

    private void Restore(string script, string operation)
    {
        if (script.Length == 0)
        {
            return;
        }
        Log.FirewallRestore(_logger, operation, script);
        var (code, _, error) = _host.RunProcess("iptables-restore", ["--noflush", "-w"], script);
        if (code != 0)
        {
            throw new InternalException($"{operation}: iptables-restore in {_host.Description} exited {code}: {error.Trim()}");
        }
    }
}
