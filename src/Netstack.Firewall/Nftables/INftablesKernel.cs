using Netstack.Linux;
using Netstack.Linux.Netfilter;

namespace Netstack.Firewall.Nftables;

/// <summary>What <see cref="NftablesFirewall"/> needs of nf_tables: read its table, write one batch.</summary>
internal interface INftablesKernel : IDisposable
{
    NftTable? Read(NftFamily family, string table);

    void Commit(NftBatch batch);
}

/// <summary>nf_tables over nfnetlink in one namespace (<see cref="NftablesHandle"/>), opened on first use.</summary>
internal sealed class NftablesKernel(NetworkNamespace? ns) : INftablesKernel
{
    private readonly Lazy<NftablesHandle> _handle = new(() => NftablesHandle.Open(ns));

    public NftTable? Read(NftFamily family, string table) => Wrap(() => _handle.Value.TableGet(family, table));

    public void Commit(NftBatch batch) => Wrap(() =>
    {
        _handle.Value.Commit(batch);
        return true;
    });

    public void Dispose()
    {
        if (_handle.IsValueCreated)
        {
            _handle.Value.Dispose();
        }
    }

    private static T Wrap<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (NetlinkException e)
        {
            throw new FirewallException($"firewall (nftables): {e.Message}", e);
        }
    }
}
