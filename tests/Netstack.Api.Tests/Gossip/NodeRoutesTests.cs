using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Netstack.Api.Tests.Cli;
using Netstack.Api.Tests.Daemon;
using Netstack.Api.Tests.Fakes;
using Netstack.Controller;
using Netstack.Daemon.Gossip;
using Netstack.Daemon.Hosting;
using Xunit;

namespace Netstack.Api.Tests.Gossip;

/// <summary><c>GET /nodes</c> and <c>netstack node ls</c> against in-process daemons whose gossip runs on loopback.</summary>
public sealed class NodeRoutesTests
{
    // A wait for two nodes to exchange state over loopback on a loaded machine, not a measurement.
    private static readonly TimeSpan JoinWait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task NodeLs_GossipOff_Answers503SayingHowToTurnItOn()
    {
        await using var daemon = await DaemonFixture.StartAsync();

        using var response = await daemon.Raw.GetAsync(new Uri("/nodes", UriKind.Relative));
        var cli = await CliRunner.RunAsync("-H", daemon.HostUri, "node", "ls");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, cli.Exit);
        Assert.Contains("--advertise-addr", cli.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeLs_TwoDaemonsOnLoopback_BothListBothAlive()
    {
        var key = Path.GetTempFileName();
        await File.WriteAllTextAsync(key, Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));
        // Random high ports: loopback is shared with other tests on this machine.
        var port = 20000 + RandomNumberGenerator.GetInt32(20000);
        await using var first = await GossipDaemon.StartAsync($"127.0.0.1:{port}", key, join: null);
        await using var second = await GossipDaemon.StartAsync($"127.0.0.1:{port + 1}", key, join: $"127.0.0.1:{port}");
        try
        {
            foreach (var daemon in new[] { first, second })
            {
                var deadline = DateTime.UtcNow + JoinWait;
                while (true)
                {
                    var ls = await CliRunner.RunAsync("-H", daemon.HostUri, "node", "ls", "--format", "json");
                    Assert.True(ls.Exit == 0, ls.Err);
                    var nodes = ls.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                        .Select(l => JsonDocument.Parse(l).RootElement)
                        .Select(e => (Name: e.GetProperty("Name").GetString(), State: e.GetProperty("State").GetString()))
                        .ToList();
                    if (nodes.Count == 2 && nodes.All(n => n.State == "alive"))
                    {
                        Assert.Equal([$"127.0.0.1:{port}", $"127.0.0.1:{port + 1}"], nodes.Select(n => n.Name));
                        break;
                    }
                    Assert.True(DateTime.UtcNow < deadline, $"{daemon.HostUri} lists {string.Join(", ", nodes)}");
                    await Task.Delay(200);
                }
            }
            var table = await CliRunner.RunAsync("-H", first.HostUri, "node", "ls");
            Assert.StartsWith("NAME", table.Out, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{port + 1}   alive", table.Out, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(key);
        }
    }

    /// <summary>An in-process daemon (fake controller) with gossip listening on a loopback port.</summary>
    private sealed class GossipDaemon : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly string _directory;

        private GossipDaemon(WebApplication app, string directory)
        {
            _app = app;
            _directory = directory;
        }

        public string HostUri => "unix://" + Path.Combine(_directory, "netstack.sock");

        public static async Task<GossipDaemon> StartAsync(string listen, string keyFile, string? join)
        {
            var directory = Path.Combine(Path.GetTempPath(), "nst-gsp-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(directory);
            var settings = new Dictionary<string, string?>
            {
                ["host"] = "unix://" + Path.Combine(directory, "netstack.sock"),
                ["root"] = Path.Combine(directory, "root"),
                ["exec-root"] = Path.Combine(directory, "exec"),
                ["log-level"] = "warn",
                ["listen-addr"] = listen,
                ["gossip-key-file"] = keyFile,
            };
            if (join is not null)
            {
                settings["join:0"] = join;
            }
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            try
            {
                var app = DaemonHost.Build(configuration, services =>
                {
                    services.AddSingleton<INetworkController>(new FakeNetworkController());
                    services.AddGossip();
                });
                await DaemonHost.StartAsync(app);
                return new GossipDaemon(app, directory);
            }
            catch
            {
                // A daemon that did not start leaves no directory behind.
                Directory.Delete(directory, recursive: true);
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
