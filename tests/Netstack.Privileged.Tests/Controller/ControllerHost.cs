using System.Text.Json;
using Netstack.Controller;
using Netstack.Core.Drivers;
using Netstack.Ipam;
using Netstack.Linux;
using Netstack.Store;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Controller;

/// <summary>
/// A controller on real namespaces: a test namespace plays the host (bridges live there), sandboxes
/// go to a private directory <c>/run/nst-&lt;random&gt;-netns</c>, the store is SQLite in a temp file.
/// Dispose removes every namespace, the directory's mount, the directory and the database.
/// </summary>
internal sealed class ControllerHost : IAsyncDisposable
{
    private ControllerHost(TestNamespace hostNs, string netnsDirectory, string dataDirectory, SqliteKeyValueStore store)
    {
        HostNamespace = hostNs;
        NetnsDirectory = netnsDirectory;
        DataDirectory = dataDirectory;
        Store = store;
        Driver = new VethTestDriver(hostNs.Netlink);
        Registry = new DriverRegistry();
        Registry.AddNetworkDriver(Driver);
        Registry.AddIpamDriver(new DefaultIpamDriver(store));
        Controller = new NetworkController(new ControllerOptions { NetnsDirectory = netnsDirectory }, store, Registry);
    }

    public TestNamespace HostNamespace { get; }

    public string NetnsDirectory { get; }

    public string DataDirectory { get; }

    public SqliteKeyValueStore Store { get; private set; }

    public VethTestDriver Driver { get; private set; }

    public DriverRegistry Registry { get; private set; }

    public NetworkController Controller { get; private set; }

    public static async Task<ControllerHost> StartAsync()
    {
        var suffix = TestNamespace.NewName();
        var netns = $"/run/{suffix}-netns";
        var data = Path.Combine(Path.GetTempPath(), suffix);
        var store = await SqliteKeyValueStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(data, "netstack.db") });
        return new ControllerHost(TestNamespace.Create(), netns, data, store);
    }

    /// <summary>Simulates a daemon restart: a new store handle, driver and controller on the same file and kernel.</summary>
    public async Task RestartAsync()
    {
        Controller.Dispose();
        await Store.DisposeAsync();
        Store = await SqliteKeyValueStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(DataDirectory, "netstack.db") });
        Driver = new VethTestDriver(HostNamespace.Netlink);
        Registry = new DriverRegistry();
        Registry.AddNetworkDriver(Driver);
        Registry.AddIpamDriver(new DefaultIpamDriver(Store));
        Controller = new NetworkController(new ControllerOptions { NetnsDirectory = NetnsDirectory }, Store, Registry);
    }

    /// <summary>Runs <c>ip -j ARGS</c> inside the namespace at <paramref name="path"/> (observation only).</summary>
    public static JsonElement IpJsonIn(string path, params string[] args)
    {
        var output = TestNamespace.Run("nsenter", [$"--net={path}", "ip", "-j", .. args]);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    /// <summary>Runs a command inside the namespace at <paramref name="path"/>; returns the exit code.</summary>
    public static int ExecIn(string path, params string[] args) =>
        TestNamespace.TryRun("nsenter", [$"--net={path}", .. args]).ExitCode;

    public async ValueTask DisposeAsync()
    {
        Controller.Dispose();
        await Store.DisposeAsync();
        foreach (var name in NetworkNamespace.List(NetnsDirectory))
        {
            try
            {
                NetworkNamespace.Delete(name, NetnsDirectory);
            }
            catch (NetlinkException)
            {
                // already gone
            }
        }
        if (Directory.Exists(NetnsDirectory))
        {
            // The namespace layer made the directory a shared bind mount of itself; undo that, then remove it.
            TestNamespace.TryRun("umount", ["-l", NetnsDirectory]);
            Directory.Delete(NetnsDirectory, recursive: true);
        }
        HostNamespace.Dispose();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
