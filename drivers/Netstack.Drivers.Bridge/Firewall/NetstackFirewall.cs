using Netstack.Core;
using Netstack.Firewall;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// <see cref="IFirewall"/> on Netstack.Firewall. In each family the driver's shared chains and the
/// jumps to them from the built-in chains belong to one base owner (<see cref="BaseOwner"/>),
/// applied once when missing (the IPv6 base only once an IPv6 rule is applied); networks and
/// endpoints own only rules, appended to those chains.
/// </summary>
internal sealed class NetstackFirewall : IFirewall
{
    public const string BaseOwner = "bridge";

    private readonly Netstack.Firewall.IFirewall _inner;
    private readonly Dictionary<IpFamily, FirewallLayout> _layouts;
    private readonly SemaphoreSlim _baseGate = new(1, 1);
    private readonly HashSet<IpFamily> _baseReady = [];

    public NetstackFirewall(Netstack.Firewall.IFirewall inner, params IReadOnlyList<FirewallLayout> layouts)
    {
        _inner = inner;
        _layouts = layouts.ToDictionary(l => l.Family);
    }

    public async Task ApplyAsync(string owner, IReadOnlyList<BridgeRule> rules, IReadOnlyCollection<IpFamily> families, CancellationToken cancellationToken)
    {
        var stray = rules.FirstOrDefault(r => !families.Contains(r.Family));
        if (stray is not null)
        {
            throw new InternalException($"apply firewall rules of {owner}: rule \"{stray}\" is {stray.Family}, not one of the families applied ({string.Join(", ", families)})");
        }
        foreach (var family in families)
        {
            var own = rules.Where(r => r.Family == family).Select(Convert).ToList();
            if (own.Count > 0)
            {
                await EnsureBaseAsync(family, cancellationToken).ConfigureAwait(false);
            }
            await Wrap($"apply {family} firewall rules of {owner}", () =>
                _inner.ApplyAsync(new FirewallRuleSet(owner, family, [], own), cancellationToken)).ConfigureAwait(false);
        }
    }

    public async Task RemoveAsync(IReadOnlyCollection<string> owners, IReadOnlyCollection<IpFamily> families, CancellationToken cancellationToken)
    {
        // One read and one write per family for all of them (a network and its endpoints).
        foreach (var family in families)
        {
            await Wrap($"remove {family} firewall rules of {string.Join(", ", owners)}", () => _inner.RemoveOwnersAsync(owners, family, cancellationToken)).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlySet<string>> OwnersAsync(IpFamily family, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> owners = [];
        await Wrap($"list {family} firewall owners", async () => owners = await _inner.ListOwnersAsync(family, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        // Reconcile calls this: check the base again at the next change if it is gone.
        if (!owners.Contains(BaseOwner, StringComparer.Ordinal))
        {
            lock (_baseReady)
            {
                _baseReady.Remove(family);
            }
        }
        return owners.Where(o => o != BaseOwner).ToHashSet(StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<FirewallDrift>> RepairAsync(CancellationToken cancellationToken)
    {
        var drifts = new List<FirewallDrift>();
        foreach (var family in _layouts.Keys.Order())
        {
            await Wrap($"repair the {family} firewall rules", async () => drifts.Add(await _inner.RepairAsync(family, cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
        }
        return drifts;
    }

    /// <summary>The base rule set of a family: the shared chains, then the jumps, in the layout's order.</summary>
    internal FirewallRuleSet BaseRuleSet(IpFamily family = IpFamily.IPv4)
    {
        var layout = _layouts[family];
        return new(
            BaseOwner,
            family,
            layout.Chains.Select(c => new FirewallChain(c.Table, c.Chain)).ToList(),
            layout.Anchors.Select(a => Convert(a) with { Insert = !a.Chain.StartsWith(FirewallNames.ChainPrefix, StringComparison.Ordinal) }).ToList());
    }

    private bool IsBaseReady(IpFamily family)
    {
        lock (_baseReady)
        {
            return _baseReady.Contains(family);
        }
    }

    private async Task EnsureBaseAsync(IpFamily family, CancellationToken cancellationToken)
    {
        if (IsBaseReady(family))
        {
            return;
        }
        if (!_layouts.ContainsKey(family))
        {
            throw new InternalException($"the bridge driver has no {family} firewall layout");
        }
        await _baseGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsBaseReady(family))
            {
                return;
            }
            // Writing the base declares (so empties) the shared chains: only done when any of it is
            // missing or changed, and reconcile reapplies every network's rules after it. A base a
            // previous daemon left whole stays, with the rules in its chains.
            await Wrap($"apply the bridge driver's {family} chains", () => _inner.EnsureAsync(BaseRuleSet(family), cancellationToken)).ConfigureAwait(false);
            lock (_baseReady)
            {
                _baseReady.Add(family);
            }
        }
        finally
        {
            _baseGate.Release();
        }
    }

    private static FirewallRule Convert(BridgeRule rule) =>
        new(rule.Table, rule.Chain, rule.Spec.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static async Task Wrap(string operation, Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (FirewallException e)
        {
            throw new InternalException($"{operation}: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            // A rule the firewall model refuses (e.g. an address of the other family): our bug, named.
            throw new InternalException($"{operation}: {e.Message}", e);
        }
    }
}
