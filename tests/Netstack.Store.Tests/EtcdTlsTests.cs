using System.Text;
using Netstack.Core;
using Netstack.Core.Storage;
using Xunit;

namespace Netstack.Store.Tests;

/// <summary>One real etcd serving TLS only, with client certificates required.</summary>
public sealed class EtcdTlsFixture : IAsyncLifetime
{
    public EtcdTlsFiles Files { get; } = EtcdTlsFiles.Create();

    public EtcdProcess Etcd { get; private set; } = null!;

    public async Task InitializeAsync() => Etcd = await EtcdProcess.StartAsync(Files);

    public async Task DisposeAsync()
    {
        await Etcd.DisposeAsync();
        Files.Dispose();
    }
}

/// <summary>The whole store contract (reads, writes, conflicts, watches, leases) over mutual TLS.</summary>
public sealed class EtcdTlsKeyValueStoreContractTests(EtcdTlsFixture fixture) : KeyValueStoreContractTests, IClassFixture<EtcdTlsFixture>
{
    protected override Task<IKeyValueStore> CreateStoreAsync() =>
        Task.FromResult<IKeyValueStore>(fixture.Etcd.OpenStore("/tls-" + Guid.NewGuid().ToString("N")));
}

/// <summary>
/// What TLS must refuse: a client without a certificate, a client that trusts another CA, and a
/// client speaking plain http. Each fails within the store's deadline with an error naming the
/// store, and writes nothing.
/// </summary>
public sealed class EtcdTlsTests(EtcdTlsFixture fixture) : IClassFixture<EtcdTlsFixture>
{
    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task MutualTls_WriteIsSeenByAnotherClient()
    {
        var prefix = "/tls-seen-" + Guid.NewGuid().ToString("N");
        await using var writer = fixture.Etcd.OpenStore(prefix);
        await using var reader = fixture.Etcd.OpenStore(prefix);
        await writer.PutAsync("nets/a", Bytes("one"), expectedRevision: 0);
        var entry = await reader.GetAsync("nets/a");
        Assert.NotNull(entry);
        Assert.Equal("one", Encoding.UTF8.GetString(entry.Value.Span));
    }

    [Fact]
    public async Task ClientWithoutCertificate_IsRefused_NamingTheStore()
    {
        await AssertRefusedAsync(fixture.Etcd.ClientOptions(fixture.Files.CaFile, withClientCertificate: false));
    }

    [Fact]
    public async Task ClientTrustingAnotherCa_RefusesTheServer_NamingTheStore()
    {
        await AssertRefusedAsync(fixture.Etcd.ClientOptions(fixture.Files.OtherCaFile, withClientCertificate: true));
    }

    [Fact]
    public async Task PlainHttpClient_IsRefused_NamingTheStore()
    {
        await AssertRefusedAsync(new Dictionary<string, string>());
    }

    private async Task AssertRefusedAsync(IReadOnlyDictionary<string, string> options)
    {
        var prefix = "/tls-refused-" + Guid.NewGuid().ToString("N");
        await using (var store = fixture.Etcd.OpenStore(prefix, options))
        {
            var e = await Assert.ThrowsAsync<UnavailableException>(() => store.PutAsync("nets/x", Bytes("x"), expectedRevision: 0));
            Assert.Contains(fixture.Etcd.Endpoint, e.Message, StringComparison.Ordinal);
        }
        await using var trusted = fixture.Etcd.OpenStore(prefix);
        Assert.Null(await trusted.GetAsync("nets/x"));
    }
}
