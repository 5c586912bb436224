using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Drivers.Remote;
using Netstack.Drivers.Remote.Plugins;
using Netstack.Drivers.Remote.Tests.Fakes;
using Netstack.Linux;
using Netstack.TestKit;
using Xunit;

namespace Netstack.Privileged.Tests.Remote;

/// <summary>
/// The remote driver's join on real namespaces: a fake plugin makes a veth pair in the (test) host
/// namespace and names one end as <c>SrcName</c>, as real plugins do; the driver moves that end into
/// the sandbox under the requested name, and back at leave, where the plugin deletes its pair.
/// </summary>
public sealed class RemoteJoinTests
{
    private const string NetworkId = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string EndpointId = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
    private const string Mac = "02:42:0a:3c:00:02";

    [PrivilegedFact]
    public async Task Join_MovesThePluginsInterfaceIntoTheSandboxRenamed_LeaveAndDeleteLeaveNothing()
    {
        await using var lab = await VethPluginLab.StartAsync();
        await lab.Driver.CreateNetworkAsync(new DriverNetwork { NetworkId = NetworkId, Name = "pn" }, CancellationToken.None);
        var endpoint = await lab.Driver.CreateEndpointAsync(new DriverEndpoint
        {
            NetworkId = NetworkId,
            EndpointId = EndpointId,
            IPv4Address = CidrAddress.Parse("10.60.0.2/24"),
        }, CancellationToken.None);

        var join = await lab.Driver.JoinAsync(Request(lab.Sandbox, endpoint.MacAddress), CancellationToken.None);

        // In the sandbox: the plugin's veth end as eth0, with the endpoint's MAC, down (the controller brings it up).
        var eth0 = lab.Sandbox.IpJson("-d", "link", "show", "eth0")[0];
        Assert.Equal("veth", eth0.GetProperty("linkinfo").GetProperty("info_kind").GetString());
        Assert.Equal(Mac, eth0.GetProperty("address").GetString());
        Assert.DoesNotContain("UP", eth0.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        // On the host: the plugin's end stays, the moved one is gone from here.
        Assert.Equal(["lo", lab.HostEnd], LinkNames(lab.Host));
        Assert.Equal(["eth0", "lo"], LinkNames(lab.Sandbox));
        Assert.Equal("eth0", join.InterfaceName);
        Assert.Equal(IPAddress.Parse("10.60.0.1"), join.Gateway);
        var route = Assert.Single(join.StaticRoutes);
        Assert.Equal(IPNetwork.Parse("10.99.0.0/16"), route.Destination);
        Assert.Null(route.NextHop);

        await lab.Driver.LeaveAsync(NetworkId, EndpointId, CancellationToken.None);

        // Docker's order: the interface is back on the host under its own name when the plugin hears Leave.
        Assert.True(lab.SourceWasOnHostAtLeave, "the interface was not moved back to the host before NetworkDriver.Leave");
        Assert.Equal(["lo"], LinkNames(lab.Sandbox));
        Assert.Equal(["lo"], LinkNames(lab.Host));

        await lab.Driver.DeleteEndpointAsync(NetworkId, EndpointId, CancellationToken.None);
        await lab.Driver.DeleteNetworkAsync(NetworkId, CancellationToken.None);
        // Again, as the controller's undo or a daemon restart may: nothing fails.
        await lab.Driver.LeaveAsync(NetworkId, EndpointId, CancellationToken.None);
        await lab.Driver.DeleteEndpointAsync(NetworkId, EndpointId, CancellationToken.None);
        Assert.Equal(["lo"], LinkNames(lab.Sandbox));
        Assert.Equal(["lo"], LinkNames(lab.Host));
    }

    [PrivilegedFact]
    public async Task Join_NameTakenInTheSandbox_Conflict_NothingMoved_PluginCleansUp()
    {
        await using var lab = await VethPluginLab.StartAsync();
        // Something else already holds eth0 in the sandbox (a veth pair of its own; no dummy module needed).
        lab.Sandbox.Netlink.LinkAdd(new VethSpec("eth0", "occupant0"));

        var e = await Assert.ThrowsAsync<ConflictException>(() => lab.Driver.JoinAsync(Request(lab.Sandbox, Mac), CancellationToken.None));

        Assert.Contains("eth0", e.Message, StringComparison.Ordinal);
        Assert.Equal(["eth0", "lo", "occupant0"], LinkNames(lab.Sandbox));
        // The rollback told the plugin to leave, with its interface untouched on the host; it deleted its pair.
        Assert.Single(lab.Plugin.CallsOf("NetworkDriver.Leave"));
        Assert.True(lab.SourceWasOnHostAtLeave, "the plugin's interface had left the host although the join failed");
        Assert.Equal(["lo"], LinkNames(lab.Host));
    }

    [PrivilegedFact]
    public async Task Join_SrcNameNotOnTheHost_BadAnswer_NothingInTheSandbox()
    {
        await using var lab = await VethPluginLab.StartAsync();
        lab.Plugin.Reply("NetworkDriver.Join", new { InterfaceName = new { SrcName = "nosuchveth", DstPrefix = "eth" } });

        var e = await Assert.ThrowsAsync<UnavailableException>(() => lab.Driver.JoinAsync(Request(lab.Sandbox, Mac), CancellationToken.None));

        Assert.Contains("\"SrcName\" is \"nosuchveth\"", e.Message, StringComparison.Ordinal);
        Assert.Contains(lab.Host.Namespace.Path, e.Message, StringComparison.Ordinal);
        Assert.Equal(["lo"], LinkNames(lab.Sandbox));
        Assert.Single(lab.Plugin.CallsOf("NetworkDriver.Leave"));
    }

    [PrivilegedFact]
    public async Task Leave_SandboxAlreadyGone_Succeeds_AndTheHostIsClean()
    {
        await using var lab = await VethPluginLab.StartAsync();
        await lab.Driver.JoinAsync(Request(lab.Sandbox, Mac), CancellationToken.None);

        lab.DeleteSandbox();
        await lab.Driver.LeaveAsync(NetworkId, EndpointId, CancellationToken.None);

        // The sandbox took its veth end along, and the pair with it.
        Assert.Equal(["lo"], LinkNames(lab.Host));
    }

    private static JoinRequest Request(TestNamespace sandbox, string mac) => new()
    {
        NetworkId = NetworkId,
        EndpointId = EndpointId,
        SandboxKey = sandbox.Namespace.Path,
        InterfaceName = "eth0",
        MacAddress = mac,
        IPv4Address = CidrAddress.Parse("10.60.0.2/24"),
    };

    private static IReadOnlyList<string> LinkNames(TestNamespace ns) =>
        [.. ns.IpJson("link", "show").EnumerateArray().Select(l => l.GetProperty("ifname").GetString()!).Order(StringComparer.Ordinal)];

    /// <summary>A host and a sandbox namespace, and a fake plugin that makes veth pairs in the host at join and deletes them at leave.</summary>
    private sealed class VethPluginLab : IAsyncDisposable
    {
        private TestNamespace? _sandbox;

        private VethPluginLab(TestNamespace host, TestNamespace sandbox, PluginDirectory dirs, FakePlugin plugin, PluginClient client, RemoteNetworkDriver driver)
        {
            Host = host;
            _sandbox = sandbox;
            Dirs = dirs;
            Plugin = plugin;
            Client = client;
            Driver = driver;
            var suffix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
            HostEnd = "rvh" + suffix;
            SourceEnd = "rvc" + suffix;
        }

        public TestNamespace Host { get; }

        public TestNamespace Sandbox => _sandbox ?? throw new InvalidOperationException("the sandbox was deleted");

        public PluginDirectory Dirs { get; }

        public FakePlugin Plugin { get; }

        public PluginClient Client { get; }

        public RemoteNetworkDriver Driver { get; }

        /// <summary>The end of the pair the plugin keeps on the host (as a real plugin would plug into its bridge).</summary>
        public string HostEnd { get; }

        /// <summary>The end the plugin names as SrcName.</summary>
        public string SourceEnd { get; }

        public bool SourceWasOnHostAtLeave { get; private set; }

        public static async Task<VethPluginLab> StartAsync()
        {
            var host = TestNamespace.Create();
            TestNamespace? sandbox = null;
            PluginDirectory? dirs = null;
            FakePlugin? plugin = null;
            try
            {
                sandbox = TestNamespace.Create();
                dirs = PluginDirectory.Create();
                plugin = await dirs.StartPluginAsync("vethplugin");
                var options = dirs.Options(hostNamespacePath: host.Namespace.Path);
                var client = new PluginClient(new PluginDiscovery(options).Find("vethplugin"), options);
                var lab = new VethPluginLab(host, sandbox, dirs, plugin, client, new RemoteNetworkDriver(client, options));
                lab.Wire();
                return lab;
            }
            catch
            {
                if (plugin is not null)
                {
                    await plugin.DisposeAsync();
                }
                dirs?.Dispose();
                sandbox?.Dispose();
                host.Dispose();
                throw;
            }
        }

        public void DeleteSandbox()
        {
            _sandbox?.Dispose();
            _sandbox = null;
        }

        public async ValueTask DisposeAsync()
        {
            Driver.Dispose();
            Client.Dispose();
            await Plugin.DisposeAsync();
            Dirs.Dispose();
            _sandbox?.Dispose();
            Host.Dispose();
        }

        private void Wire()
        {
            Plugin.Handle("NetworkDriver.Join", _ =>
            {
                Host.Netlink.LinkAdd(new VethSpec(HostEnd, SourceEnd) { Up = false });
                return new
                {
                    InterfaceName = new { SrcName = SourceEnd, DstPrefix = "eth" },
                    Gateway = "10.60.0.1",
                    StaticRoutes = new[] { new { Destination = "10.99.0.0/16", RouteType = 1, NextHop = "" } },
                };
            });
            Plugin.Handle("NetworkDriver.Leave", _ =>
            {
                SourceWasOnHostAtLeave = Host.Netlink.LinkFind(SourceEnd) is not null;
                if (Host.Netlink.LinkFind(HostEnd) is { } link)
                {
                    Host.Netlink.LinkDelete(link.Index);
                }
                return new { };
            });
        }
    }
}
