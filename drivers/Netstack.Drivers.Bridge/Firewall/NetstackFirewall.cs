using Netstack.Core;
using Netstack.Firewall;

namespace Netstack.Drivers.Bridge;

/// <summary>
/// <see cref="IFirewall"/> on Netstack.Firewall. The driver's shared chains and the jumps to them
/// from the built-in chains belong to one base owner (<see cref="BaseOwner"/>), applied once when
/// missing; networks and endpoints own only rules, appended to those chains.
/// </summary>
internal sealed class NetstackFirewall : IFirewall
{
    public const string BaseOwner = "bridge";

    private readonly Netstack.Firewall.IFirewall _inner;
    private readonly FirewallLayout _layout;
    private readonly SemaphoreSlim _baseGate = new(1, 1);
    private bool _baseReady;

    public NetstackFirewall(Netstack.Firewall.IFirewall inner, FirewallLayout layout)
    {
        _inner = inner;
        _layout = layout;
    }

    public async Task ApplyAsync(string owner, IReadOnlyList<BridgeRule> rules, CancellationToken cancellationToken)
    {
        await EnsureBaseAsync(cancellationToken).ConfigureAwait(false);
        await Wrap($"apply firewall rules of {owner}", () =>
            _inner.ApplyAsync(new FirewallRuleSet(owner, IpFamily.IPv4, [], rules.Select(Convert).ToList()), cancellationToken)).ConfigureAwait(false);
    }

    public async Task RemoveAsync(IReadOnlyCollection<string> owners, CancellationToken cancellationToken)
    {
        foreach (var owner in owners)
        {
            await Wrap($"remove firewall rules of {owner}", () => _inner.RemoveOwnerAsync(owner, IpFamily.IPv4, cancellationToken)).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlySet<string>> OwnersAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> owners = [];
        await Wrap("list firewall owners", async () => owners = await _inner.ListOwnersAsync(IpFamily.IPv4, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        // Reconcile calls this: check the base again at the next change.
        _baseReady = owners.Contains(BaseOwner, StringComparer.Ordinal) && _baseReady;
        return owners.Where(o => o != BaseOwner).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The base rule set: the shared chains, then the jumps, in the layout's order.</summary>
    internal FirewallRuleSet BaseRuleSet() => new(
        BaseOwner,
        IpFamily.IPv4,
        _layout.Chains.Select(c => new FirewallChain(c.Table, c.Chain)).ToList(),
        _layout.Anchors.Select(a => Convert(a) with { Insert = !a.Chain.StartsWith(Netstack.Firewall.FirewallNames.ChainPrefix, StringComparison.Ordinal) }).ToList());

    private async Task EnsureBaseAsync(CancellationToken cancellationToken)
    {
        if (_baseReady)
        {
            return;
        }
        await _baseGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_baseReady)
            {
                return;
            }
            var owners = await _inner.ListOwnersAsync(IpFamily.IPv4, cancellationToken).ConfigureAwait(false);
            if (!owners.Contains(BaseOwner, StringComparer.Ordinal))
            {
                // Applying the base declares (so empties) the shared chains: only done when the base
                // is missing, and reconcile reapplies every network's rules after it.
                await Wrap("apply the bridge driver's chains", () => _inner.ApplyAsync(BaseRuleSet(), cancellationToken)).ConfigureAwait(false);
            }
            _baseReady = true;
        }
        finally
        {
            _baseGate.Release();
        }
    }

    private static Netstack.Firewall.FirewallRule Convert(BridgeRule rule) =>
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
    }
}
