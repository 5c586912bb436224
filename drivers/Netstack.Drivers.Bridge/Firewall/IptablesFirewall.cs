using Microsoft.Extensions.Logging;
using Netstack.Core;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// <see cref="IFirewall"/> over <c>iptables-save</c> / <c>iptables-restore --noflush</c> run inside the
/// host namespace. Each change sends one batch per table that deletes the owners' old rules and
/// appends the new ones, so a table changes atomically (one COMMIT). The rules are read with
/// iptables-save once and then kept up to date from the batches this process applied, so a change
/// costs one process; when a batch fails (someone else changed our chains) the rules are read again
/// and the batch is rebuilt and retried once. Changes are serialised in this process; <c>-w</c>
/// waits for the xtables lock other programs hold.
/// </summary>
internal sealed class IptablesFirewall : IFirewall
{
    private readonly HostNetwork _host;
    private readonly FirewallLayout _layout;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private IptablesState? _state;

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
        Change($"apply firewall rules of {owner}",
            state => IptablesScript.Build(state, _layout, new HashSet<string>(StringComparer.Ordinal) { owner }, owner, rules, ensureLayout: true));
    }

    public void Remove(string owner)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        Remove([owner]);
    }

    public void Remove(IReadOnlyCollection<string> owners)
    {
        ArgumentNullException.ThrowIfNull(owners);
        if (owners.Count == 0)
        {
            return;
        }
        var set = owners.ToHashSet(StringComparer.Ordinal);
        Change($"remove firewall rules of {string.Join(", ", owners)}",
            state => IptablesScript.Build(state, _layout, set, string.Empty, [], ensureLayout: false));
    }

    public IReadOnlySet<string> Owners()
    {
        lock (_lock)
        {
            // Reconcile asks this: read the kernel, not the cache.
            _state = Save();
            return _state.AllRules.Select(IptablesState.OwnerOf).OfType<string>()
                .Where(o => o != FirewallLayout.BaseOwner)
                .ToHashSet(StringComparer.Ordinal);
        }
    }

    private void Change(string operation, Func<IptablesState, string> build)
    {
        lock (_lock)
        {
            var fresh = _state is null;
            _state ??= Save();
            var script = build(_state);
            if (script.Length == 0)
            {
                return;
            }
            var (code, error) = Restore(script, operation);
            if (code != 0 && !fresh)
            {
                // The cached view was stale (rules changed behind our back): read and retry once.
                _state = Save();
                script = build(_state);
                if (script.Length == 0)
                {
                    return;
                }
                (code, error) = Restore(script, operation);
            }
            if (code != 0)
            {
                _state = null;
                throw new InternalException($"{operation}: iptables-restore in {_host.Description} exited {code}: {error.Trim()}");
            }
            _state.Apply(script);
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

    private (int Code, string Error) Restore(string script, string operation)
    {
        Log.FirewallRestore(_logger, operation, script);
        var (code, _, error) = _host.RunProcess("iptables-restore", ["--noflush", "-w"], script);
        return (code, error);
    }
}
