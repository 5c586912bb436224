using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Netstack.Api.Tests.Fakes;
using Netstack.Controller;
using Netstack.Core.Drivers;
using Netstack.Core.Ipam;
using Netstack.Core.Storage;
using Netstack.Daemon.Hosting;
using Netstack.Ipam;
using Netstack.Store;

namespace Netstack.Api.Tests.Plugin;

/// <summary>
/// A real netstackd host with its plugin listener on a socket in a temp directory, the fake
/// controller, a recording "bridge" driver, netstack's IPAM and an in-memory store behind it. No
/// root needed. <see cref="RestartAsync"/> starts a second host on the same store, as a restarted
/// daemon finds its state.
/// </summary>
public sealed class PluginFixture : IAsyncDisposable
{
    private WebApplication _app;
    private bool _stopped;

    private PluginFixture(WebApplication app, string directory, InMemoryKeyValueStore store, RecordingDriver driver)
    {
        _app = app;
        Directory = directory;
        Store = store;
        Driver = driver;
        Http = NewClient(PluginSocket);
    }

    public string Directory { get; }

    public string PluginSocket => Path.Combine(Directory, "plugins", "netstack.sock");

    public string ApiSocket => Path.Combine(Directory, "netstack.sock");

    internal InMemoryKeyValueStore Store { get; }

    internal RecordingDriver Driver { get; private set; }

    public HttpClient Http { get; private set; }

    public static async Task<PluginFixture> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "nst-plg-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        var store = new InMemoryKeyValueStore();
        var driver = new RecordingDriver();
        var app = await LaunchAsync(directory, store, driver);
        return new PluginFixture(app, directory, store, driver);
    }

    /// <summary>Stops the host and starts a new one on the same store (a fresh driver that knows nothing).</summary>
    internal async Task RestartAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Driver = new RecordingDriver();
        _app = await LaunchAsync(Directory, Store, Driver);
        Http = NewClient(PluginSocket);
    }

    internal T Service<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>POSTs a raw body to a plugin call.</summary>
    public async Task<(int Status, string ContentType, JsonElement Body)> CallAsync(string call, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/vnd.docker.plugins.v1.2+json");
        using var response = await Http.PostAsync("/" + call, content);
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? string.Empty, doc.RootElement.Clone());
    }

    /// <summary>Serialises <paramref name="body"/> as JSON and POSTs it.</summary>
    public Task<(int Status, string ContentType, JsonElement Body)> CallAsync(string call, object body) =>
        CallAsync(call, JsonSerializer.Serialize(body));

    /// <summary>Stops the host (as SIGTERM would) and keeps the directory, so a test can look at what it left.</summary>
    internal async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            Http.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    internal static HttpClient NewClient(string socketPath) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
            return new NetworkStream(socket, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri("http://plugin/") };

    private static async Task<WebApplication> LaunchAsync(string directory, InMemoryKeyValueStore store, RecordingDriver driver)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["host"] = "unix://" + Path.Combine(directory, "netstack.sock"),
            ["root"] = Path.Combine(directory, "root"),
            ["exec-root"] = Path.Combine(directory, "exec"),
            ["log-level"] = "warn",
            ["plugin-socket"] = Path.Combine(directory, "plugins", "netstack.sock"),
        }).Build();
        var controller = new FakeNetworkController();
        var app = DaemonHost.Build(configuration, services =>
        {
            services.AddSingleton<IKeyValueStore>(store);
            services.AddSingleton<INetworkDriver>(driver);
            services.AddSingleton<IIpamDriver>(sp => new DefaultIpamDriver(store));
            services.AddSingleton<INetworkController>(controller);
        });
        await DaemonHost.StartAsync(app);
        return app;
    }
}
