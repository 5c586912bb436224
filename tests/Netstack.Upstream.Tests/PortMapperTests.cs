using System.Net;
using Microsoft.Extensions.Logging;
using Netstack.TestKit;
using Netstack.Upstream.Mapping;
using Xunit;

namespace Netstack.Upstream.Tests;

public sealed class PortMapperTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("upstream-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class FakeClient : IPortMappingClient
    {
        public UpstreamProtocol Protocol { get; init; } = UpstreamProtocol.NatPmp;

        public IPAddress Router => IPAddress.Parse("10.77.0.1");

        public IPAddress LocalAddress => IPAddress.Parse("10.77.0.2");

        public List<string> Calls { get; } = [];

        public Func<MappingRequest, GrantedMapping>? OnMap { get; set; }

        public Task<IPAddress> GetExternalAddressAsync(CancellationToken cancellationToken) => Task.FromResult(IPAddress.Parse("100.200.17.1"));

        public Task<GrantedMapping> MapAsync(MappingRequest request, CancellationToken cancellationToken)
        {
            Calls.Add($"map {request.InternalPort}->{request.ExternalPort}/{UpstreamNames.Of(request.Transport)}");
            return Task.FromResult(OnMap?.Invoke(request) ?? new GrantedMapping { Transport = request.Transport, InternalPort = request.InternalPort, ExternalPort = request.ExternalPort, Lifetime = request.Lifetime });
        }

        public Task UnmapAsync(MappingRequest request, int externalPort, CancellationToken cancellationToken)
        {
            Calls.Add($"unmap {request.InternalPort}->{externalPort}/{UpstreamNames.Of(request.Transport)}");
            return Task.CompletedTask;
        }

        public void Dispose()
        {
        }
    }

    private sealed class CountingLogger : ILogger
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }
    }

    private int _discoveries;

    private PortMapper Mapper(FakeClient? client, UpstreamMode mode = UpstreamMode.NatPmp, ConflictPolicy conflict = ConflictPolicy.Next, ILogger? logger = null) =>
        new(new PortMapperOptions { Mode = mode, Lease = TimeSpan.FromSeconds(60), Conflict = conflict, StateFile = Path.Combine(_dir, "mappings.json") },
            _ =>
            {
                _discoveries++;
                return Task.FromResult(new UpstreamDiscovery.Result(client, client is null ? ["natpmp: no answer from 10.77.0.1:5351"] : []));
            }, _time, logger);

    private static readonly PublishedPort Web = new(MappingTransport.Tcp, 80, 8080);

    [Fact]
    public async Task Off_PublishSendsNothing()
    {
        using var mapper = Mapper(new FakeClient(), UpstreamMode.Off);
        mapper.Publish("c1", "web", [Web]);
        Assert.Null(await mapper.RunOnceAsync(CancellationToken.None));
        Assert.Equal(0, _discoveries);
        Assert.Equal("off", mapper.Status().State);
    }

    [Fact]
    public async Task NoRouter_WarnsOnceAndKeepsTheReason()
    {
        var logger = new CountingLogger();
        using var mapper = Mapper(null, logger: logger);
        mapper.Publish("c1", "web", [Web]);
        await mapper.RunOnceAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(1));
        await mapper.RunOnceAsync(CancellationToken.None);
        Assert.Equal(2, _discoveries);
        var warning = Assert.Single(logger.Warnings);
        Assert.Contains("no router answered", warning, StringComparison.Ordinal);
        var view = Assert.Single(mapper.MappingsOf("c1"));
        Assert.Equal(MappingState.Pending, view.State);
        Assert.Contains("no answer from 10.77.0.1:5351", view.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_MapsThenRenewsAtHalfTheLease()
    {
        var client = new FakeClient();
        using var mapper = Mapper(client);
        mapper.Publish("c1", "web", [Web]);
        var next = await mapper.RunOnceAsync(CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(30), next);
        var view = Assert.Single(mapper.MappingsOf("c1"));
        Assert.Equal((MappingState.Mapped, 8080), (view.State, view.ExternalPort!.Value));
        Assert.Equal(IPAddress.Parse("100.200.17.1"), view.ExternalAddress);

        _time.Advance(TimeSpan.FromSeconds(30));
        await mapper.RunOnceAsync(CancellationToken.None);
        Assert.Equal(["map 8080->8080/tcp", "map 8080->8080/tcp"], client.Calls);
        Assert.Equal(1, mapper.MappingsOf("c1")[0].Renewals);
    }

    [Fact]
    public async Task RouterLostState_EveryMappingIsMadeAgain()
    {
        var client = new FakeClient();
        using var mapper = Mapper(client);
        mapper.Publish("c1", "web", [Web]);
        await mapper.RunOnceAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(10));
        mapper.Publish("c2", "dns", [new PublishedPort(MappingTransport.Udp, 53, 5353)]);
        await mapper.RunOnceAsync(CancellationToken.None);
        // c2's renewal comes 10 s after c1's; c1's shows the reboot, and c2 must not wait for its own.
        _time.Advance(TimeSpan.FromSeconds(20));
        client.OnMap = r => new GrantedMapping { Transport = r.Transport, InternalPort = r.InternalPort, ExternalPort = r.ExternalPort, Lifetime = r.Lifetime, RouterLostState = true };
        Assert.Equal(TimeSpan.Zero, await mapper.RunOnceAsync(CancellationToken.None));
        client.OnMap = null;
        await mapper.RunOnceAsync(CancellationToken.None);
        Assert.Equal(["map 8080->8080/tcp", "map 5353->5353/udp", "map 8080->8080/tcp", "map 5353->5353/udp"], client.Calls);
        Assert.All(mapper.Status().Mappings, m => Assert.Equal(1, m.Recreated));
    }

    [Fact]
    public async Task Withdraw_RemovesTheMapping()
    {
        var client = new FakeClient();
        using var mapper = Mapper(client);
        mapper.Publish("c1", "web", [Web]);
        await mapper.RunOnceAsync(CancellationToken.None);
        mapper.Withdraw("c1");
        await mapper.RunOnceAsync(CancellationToken.None);
        Assert.Equal("unmap 8080->8080/tcp", client.Calls[^1]);
        Assert.Empty(mapper.MappingsOf("c1"));
        Assert.DoesNotContain("8080", File.ReadAllText(Path.Combine(_dir, "mappings.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conflict_Next_TakesTheNextPort()
    {
        var client = new FakeClient
        {
            Protocol = UpstreamProtocol.Upnp,
            OnMap = r => r.ExternalPort == 8080
                ? throw new PortMappingException(UpstreamProtocol.Upnp, PortMappingFailure.Conflict, "AddPortMapping failed with UPnP error 718 ConflictInMappingEntry") { RouterCode = 718 }
                : new GrantedMapping { Transport = r.Transport, InternalPort = r.InternalPort, ExternalPort = r.ExternalPort, Lifetime = r.Lifetime },
        };
        using var mapper = Mapper(client);
        mapper.Publish("c1", "web", [Web]);
        await mapper.RunOnceAsync(CancellationToken.None);
        Assert.Equal(8081, mapper.MappingsOf("c1")[0].ExternalPort);
    }

    [Fact]
    public async Task Conflict_Fail_SaysWhichPortIsTaken()
    {
        var client = new FakeClient { OnMap = r => new GrantedMapping { Transport = r.Transport, InternalPort = r.InternalPort, ExternalPort = 9000, Lifetime = r.Lifetime } };
        using var mapper = Mapper(client, conflict: ConflictPolicy.Fail);
        mapper.Publish("c1", "web", [Web]);
        await mapper.RunOnceAsync(CancellationToken.None);
        var view = mapper.MappingsOf("c1")[0];
        Assert.Equal(MappingState.Failed, view.State);
        Assert.Contains("external port 8080/tcp is taken", view.Error, StringComparison.Ordinal);
        Assert.Equal("unmap 8080->9000/tcp", client.Calls[^1]);
    }

    [Fact]
    public async Task Leftovers_UnclaimedAreRemovedClaimedAreKept()
    {
        var client = new FakeClient();
        using (var first = Mapper(client))
        {
            first.Publish("c1", "web", [Web]);
            first.Publish("c2", "old", [new PublishedPort(MappingTransport.Tcp, 80, 9090)]);
            await first.RunOnceAsync(CancellationToken.None);
            // killed: no UnmapAll
        }
        client.Calls.Clear();
        using var second = Mapper(client);
        second.Publish("c1", "web", [Web]); // still running after the restart
        second.LoadLeftovers();
        await second.RunOnceAsync(CancellationToken.None);
        Assert.Contains("unmap 9090->9090/tcp", client.Calls);
        Assert.DoesNotContain("unmap 8080->8080/tcp", client.Calls);
        Assert.Equal(0, second.Status().Leftovers);
    }

    [Fact]
    public async Task UnmapAll_RemovesEverything()
    {
        var client = new FakeClient();
        using var mapper = Mapper(client);
        mapper.Publish("c1", "web", [Web, new PublishedPort(MappingTransport.Udp, 53, 5353)]);
        await mapper.RunOnceAsync(CancellationToken.None);
        await mapper.UnmapAllAsync(CancellationToken.None);
        Assert.Equal(2, client.Calls.Count(c => c.StartsWith("unmap", StringComparison.Ordinal)));
        Assert.Empty(mapper.Status().Mappings);
    }

    [Fact]
    public void Description_NamesNetstackAndTheContainer()
    {
        Assert.Equal("netstack web 0123456789ab 80/tcp", PortMapper.Description("web", "0123456789abcdef", 80, MappingTransport.Tcp));
    }
}
