using System.Net;
using Microsoft.Extensions.Logging;
using Netstack.Controller;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Daemon.Dns;
using Netstack.Dns.Names;
using Netstack.TestKit;

namespace Netstack.Api.Tests.Dns;

/// <summary>
/// One "node" of the service-discovery tests: its controller, its resolver's name table fed with
/// the local endpoints by the real <see cref="DnsNameFeed"/>, and <see cref="ClusterNames"/> on its
/// view of the shared in-memory tables.
/// </summary>
internal sealed class ClusterNode : IAsyncDisposable
{
    public const string Overlay1 = "0000000000000000000000000000000000000000000000000000000000000ov1";
    public const string Overlay2 = "0000000000000000000000000000000000000000000000000000000000000ov2";
    public const string LocalBridge = "000000000000000000000000000000000000000000000000000000000000br01";

    private DnsNameFeed _feed = null!;
    private ClusterNames _cluster = null!;

    private ClusterNode(string name, IDriverTables tables, EndpointEventController controller)
    {
        Name = name;
        Tables = tables;
        Controller = controller;
    }

    public string Name { get; }

    public IDriverTables Tables { get; }

    public EndpointEventController Controller { get; }

    public DnsNameTable Names { get; private set; } = null!;

    public ListLogger Log { get; } = new();

    /// <summary>A node on two overlay networks and one local bridge network, started.</summary>
    public static async Task<ClusterNode> StartAsync(InMemoryDriverTables shared, string name)
    {
        var controller = new EndpointEventController(name);
        controller.AddNetwork(Overlay1, "ov1", NetworkScope.Global);
        controller.AddNetwork(Overlay2, "ov2", NetworkScope.Global);
        controller.AddNetwork(LocalBridge, "br", NetworkScope.Local);
        var node = new ClusterNode(name, shared.Node(name), controller);
        await node.StartServicesAsync();
        return node;
    }

    /// <summary>The daemon stops and starts again: a new name table and services; the containers (endpoints) stay.</summary>
    public async Task RestartAsync()
    {
        await StopServicesAsync();
        await StartServicesAsync();
    }

    /// <summary>The A/AAAA answers for <paramref name="name"/> asked from <paramref name="sandboxId"/>, as text, sorted.</summary>
    public string[] Resolve(string sandboxId, string name) =>
        Names.TryLookupName(new DnsAsker(sandboxId), name, out var addresses)
            ? [.. addresses.Select(a => a.ToString()).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>The PTR answers for <paramref name="address"/> asked from <paramref name="sandboxId"/>.</summary>
    public string[] Reverse(string sandboxId, string address) =>
        Names.TryLookupAddress(new DnsAsker(sandboxId), IPAddress.Parse(address), out var names) ? [.. names] : [];

    public async ValueTask DisposeAsync() => await StopServicesAsync();

    private async Task StartServicesAsync()
    {
        Names = new DnsNameTable();
        _feed = new DnsNameFeed(Controller, Names);
        await _feed.StartAsync();
        _cluster = new ClusterNames(Controller, Tables, Names, Log.For<ClusterNames>());
        await _cluster.StartAsync(CancellationToken.None);
    }

    private async Task StopServicesAsync()
    {
        await _cluster.StopAsync(CancellationToken.None);
        _feed.Dispose();
    }

    /// <summary>Polls a condition the nodes reach on background threads; false when it never holds.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }
            await Task.Delay(10);
        }
        return condition();
    }
}

/// <summary>Keeps the event ids and messages logged, for asserting that something was reported.</summary>
internal sealed class ListLogger
{
    private readonly List<(EventId Id, LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(EventId Id, LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public ILogger<T> For<T>() => new Logger<T>(this);

    private sealed class Logger<T>(ListLogger owner) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._entries)
            {
                owner._entries.Add((eventId, logLevel, formatter(state, exception)));
            }
        }
    }
}
