using Netstack.Drivers.Remote.Plugins;

namespace Netstack.Drivers.Remote.Tests.Fakes;

/// <summary>A fake plugin in throwaway directories with a client, a network driver and an IPAM driver on it.</summary>
public sealed class RemoteLab : IAsyncDisposable
{
    private RemoteLab(PluginDirectory dirs, FakePlugin plugin, PluginClient client, RemoteNetworkDriver driver, RemoteIpamDriver ipam)
    {
        Dirs = dirs;
        Plugin = plugin;
        Client = client;
        Driver = driver;
        Ipam = ipam;
    }

    public PluginDirectory Dirs { get; }

    public FakePlugin Plugin { get; }

    public PluginClient Client { get; }

    public RemoteNetworkDriver Driver { get; }

    public RemoteIpamDriver Ipam { get; }

    public static async Task<RemoteLab> StartAsync(string name = "fake", TimeSpan? callTimeout = null, string? hostNamespacePath = null)
    {
        var dirs = PluginDirectory.Create();
        var plugin = await dirs.StartPluginAsync(name);
        var options = dirs.Options(callTimeout, hostNamespacePath: hostNamespacePath);
        var client = new PluginClient(new PluginDiscovery(options).Find(name), options);
        return new RemoteLab(dirs, plugin, client, new RemoteNetworkDriver(client, options), new RemoteIpamDriver(client, options));
    }

    public async ValueTask DisposeAsync()
    {
        Driver.Dispose();
        Client.Dispose();
        await Plugin.DisposeAsync();
        Dirs.Dispose();
    }
}
