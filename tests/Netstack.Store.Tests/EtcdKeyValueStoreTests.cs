using System.Text;
using Netstack.Core;
using Netstack.Core.Storage;
using Netstack.Store.Etcd;
using Xunit;

namespace Netstack.Store.Tests;

/// <summary>One real etcd for the etcd test classes; each test works under a prefix of its own.</summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    public EtcdProcess Etcd { get; private set; } = null!;

    public async Task InitializeAsync() => Etcd = await EtcdProcess.StartAsync();

    public async Task DisposeAsync() => await Etcd.DisposeAsync();
}

/// <summary>The store contract, on a real etcd.</summary>
public sealed class EtcdKeyValueStoreContractTests(EtcdFixture fixture) : KeyValueStoreContractTests, IClassFixture<EtcdFixture>
{
    protected override Task<IKeyValueStore> CreateStoreAsync() =>
        Task.FromResult<IKeyValueStore>(fixture.Etcd.OpenStore("/t-" + Guid.NewGuid().ToString("N")));
}

/// <summary>What only the cluster store has: watches across a restart of etcd, leases, failing fast.</summary>
public sealed class EtcdKeyValueStoreTests
{
    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Watch_SurvivesEtcdRestart_WithoutLosingOrRepeatingChanges()
    {
        await using var etcd = await EtcdProcess.StartAsync();
        await using var store = etcd.OpenStore("/w");
        var (_, from) = await store.SnapshotAsync("nets/");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new List<StoreChange>();
        var all = new TaskCompletionSource();
        var watching = Task.Run(async () =>
        {
            await foreach (var change in store.WatchAsync("nets/", from + 1, cts.Token))
            {
                seen.Add(change);
                if (seen.Count == 5)
                {
                    all.TrySetResult();
                }
            }
        });

        await store.PutAsync("nets/a", Bytes("1"));
        await store.PutAsync("other/x", Bytes("not watched"));
        await store.CommitAsync(new StoreTransaction().Put("nets/b", Bytes("2")).Put("nets/c", Bytes("3")));
        await WaitForAsync(() => seen.Count >= 3, cts.Token);

        await etcd.StopAsync();
        await Assert.ThrowsAsync<UnavailableException>(() => store.PutAsync("nets/d", Bytes("lost?")));
        await etcd.StartAgainAsync();
        await store.PutAsync("nets/d", Bytes("4"));
        await store.DeleteAsync("nets/a");
        await all.Task.WaitAsync(cts.Token);
        await cts.CancelAsync();
        await watching;

        Assert.Equal(["nets/a", "nets/b", "nets/c", "nets/d", "nets/a"], seen.Select(c => c.Key));
        Assert.Equal([false, false, false, false, true], seen.Select(c => c.IsDelete));
        Assert.Equal("4", Encoding.UTF8.GetString(seen[3].Value.Span));
        Assert.Equal(seen[1].Revision, seen[2].Revision);
    }

    [Fact]
    public async Task Unreachable_FailsWithUnavailable_NamingTheStore()
    {
        await using var etcd = await EtcdProcess.StartAsync();
        await etcd.StopAsync();
        await using var store = etcd.OpenStore("/u");
        var e = await Assert.ThrowsAsync<UnavailableException>(() => store.CommitAsync(new StoreTransaction().IfAbsent("k").Put("k", Bytes("v"))));
        Assert.Contains(etcd.Url, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lease_Revoked_RemovesItsKeys()
    {
        await using var etcd = await EtcdProcess.StartAsync();
        await using var store = etcd.OpenStore("/l");
        var lease = await store.GrantLeaseAsync(TimeSpan.FromSeconds(30));
        await store.PutWithLeaseAsync("nodes/n1", Bytes("alive"), lease);
        await store.PutAsync("nodes/kept", Bytes("no lease"));
        Assert.NotNull(await store.GetAsync("nodes/n1"));

        await store.RevokeLeaseAsync(lease);

        Assert.Null(await store.GetAsync("nodes/n1"));
        Assert.NotNull(await store.GetAsync("nodes/kept"));
        await store.RevokeLeaseAsync(lease);
    }

    [Fact]
    public async Task Prefix_IsolatesStores()
    {
        await using var etcd = await EtcdProcess.StartAsync();
        await using var a = etcd.OpenStore("/a");
        await using var b = etcd.OpenStore("/ab");
        await a.PutAsync("k", Bytes("in a"));
        Assert.Null(await b.GetAsync("k"));
        Assert.Empty(await b.ListAsync(""));
        Assert.Single(await a.ListAsync(""));
    }

    [Theory]
    [InlineData("consul://h:8500", "unknown store scheme")]
    [InlineData("etcd:/h:2379", "not a URL")]
    [InlineData("etcd://h", "is not HOST:PORT")]
    [InlineData("etcd://h:2379,", "is not HOST:PORT")]
    [InlineData("etcd://h:99999", "is not HOST:PORT")]
    [InlineData("", "give etcd://")]
    public void Parse_BadUrl_NamesTheFlagAndValue(string url, string why)
    {
        var e = Assert.Throws<InvalidParameterException>(() => EtcdStoreOptions.Parse(url));
        Assert.Contains("cluster-store", e.Message, StringComparison.Ordinal);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadOptions_NameTheOption()
    {
        Assert.Contains("kv.bogus", Assert.Throws<InvalidParameterException>(() => EtcdStoreOptions.Parse("etcd://h:1", new Dictionary<string, string> { ["kv.bogus"] = "1" })).Message, StringComparison.Ordinal);
        Assert.Contains("/no/such/ca.pem", Assert.Throws<InvalidParameterException>(() => EtcdStoreOptions.Parse("etcd://h:1", new Dictionary<string, string> { ["kv.cacertfile"] = "/no/such/ca.pem" })).Message, StringComparison.Ordinal);
        Assert.Contains("kv.keyfile", Assert.Throws<InvalidParameterException>(() => EtcdStoreOptions.Parse("etcd://h:1", new Dictionary<string, string> { ["kv.certfile"] = "/tmp/c.pem" })).Message, StringComparison.Ordinal);
        var ok = EtcdStoreOptions.Parse("etcd://10.0.0.1:2379,10.0.0.2:2379");
        Assert.Equal(["10.0.0.1:2379", "10.0.0.2:2379"], ok.Endpoints);
        Assert.Equal("/netstack", ok.Prefix);
    }

    private static async Task WaitForAsync(Func<bool> condition, CancellationToken ct)
    {
        while (!condition())
        {
            await Task.Delay(50, ct);
        }
    }
}
