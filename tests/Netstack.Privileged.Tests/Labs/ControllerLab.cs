using System.Net;
using System.Text.Json;
using Netstack.Controller;
using Netstack.Core.Drivers;
using Netstack.Ipam;
using Netstack.Linux;
using Netstack.Store;
using Netstack.TestKit;

namespace Netstack.Privileged.Tests.Labs;

/// <summary>
/// A controller on real namespaces: a test namespace plays the host (the driver's links live there),
/// sandboxes go to a private directory <c>/run/nst-&lt;random&gt;-netns</c>, the store is SQLite in a
/// temp file. Stop and start again is a daemon restart. Dispose removes every namespace, the
/// directory's mount, the directory and the database, failure included.
/// </summary>
internal sealed class ControllerLab : IAsyncDisposable
{
    private readonly Func<TestNamespace, INetworkDriver> _newDriver;
    private readonly IDisposable? _attached;
    private bool _running;

    private ControllerLab(TestNamespace host, IDisposable? attached, Func<TestNamespace, INetworkDriver> newDriver)
    {
        var suffix = TestNamespace.NewName();
        Host = host;
        _attached = attached;
        _newDriver = newDriver;
        NetnsDirectory = $"/run/{suffix}-netns";
        DataDirectory = Path.Combine(Path.GetTempPath(), suffix);
    }

    public TestNamespace Host { get; }

    public string NetnsDirectory { get; }

    public string DataDirectory { get; }

    public SqliteKeyValueStore Store { get; private set; } = null!;

    public INetworkDriver Driver { get; private set; } = null!;

    public DriverRegistry Registry { get; private set; } = null!;

    public NetworkController Controller { get; private set; } = null!;

    /// <summary>
    /// A controller with the driver <paramref name="newDriver"/> makes for the host namespace, the
    /// default IPAM and a SQLite store. <paramref name="attach"/> wires the host namespace first and
    /// returns what the lab must remove before it (a segment), or null.
    /// </summary>
    public static async Task<ControllerLab> CreateAsync(Func<TestNamespace, INetworkDriver> newDriver, Func<TestNamespace, IDisposable?>? attach = null)
    {
        var (host, attached) = LabHost.Create(attach ?? (_ => null));
        var lab = new ControllerLab(host, attached, newDriver);
        try
        {
            await lab.StartAsync();
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
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

    /// <summary>One ICMP echo with a one-second wait from the sandbox at <paramref name="path"/>.</summary>
    public static bool PingIn(string path, IPAddress to) =>
        ExecIn(path, "busybox", "ping", "-c", "1", "-W", "1", to.ToString()) == 0;

    /// <summary>Opens the store and makes a new driver, registry and controller on the same file and kernel.</summary>
    public async Task StartAsync()
    {
        Store = await SqliteKeyValueStore.OpenAsync(new SqliteStoreOptions { Path = Path.Combine(DataDirectory, "netstack.db") });
        _running = true;
        Driver = _newDriver(Host);
        Registry = new DriverRegistry();
        Registry.AddNetworkDriver(Driver);
        Registry.AddIpamDriver(new DefaultIpamDriver(Store));
        Controller = new NetworkController(new ControllerOptions { NetnsDirectory = NetnsDirectory }, Store, Registry);
    }

    /// <summary>The daemon going down: controller, driver and store handle closed; the kernel objects stay.</summary>
    public async Task StopAsync()
    {
        if (!_running)
        {
            return;
        }
        _running = false;
        Controller?.Dispose();
        (Driver as IDisposable)?.Dispose();
        await Store.DisposeAsync();
    }

    /// <summary>Simulates a daemon restart: a new store handle, driver and controller on the same file and kernel.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
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
        _attached?.Dispose();
        Host.Dispose();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
