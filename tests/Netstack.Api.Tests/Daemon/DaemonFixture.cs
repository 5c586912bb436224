using System.Net.Http;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Netstack.Api.Client;
using Netstack.Api.Tests.Fakes;
using Netstack.Controller;
using Netstack.Daemon.Hosting;

namespace Netstack.Api.Tests.Daemon;

/// <summary>
/// A real netstackd host (Kestrel, middleware, routes) on a socket in a temp directory, with the
/// fake controller behind it. No root needed: it creates no kernel objects.
/// </summary>
public sealed class DaemonFixture : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DaemonFixture(WebApplication app, string directory, FakeNetworkController controller)
    {
        _app = app;
        Directory = directory;
        Controller = controller;
        SocketPath = Path.Combine(directory, "netstack.sock");
        Raw = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        })
        { BaseAddress = new Uri("http://netstack/") };
    }

    public string Directory { get; }

    public string SocketPath { get; }

    internal FakeNetworkController Controller { get; }

    /// <summary>Unversioned HTTP to the socket, for status-code and header checks.</summary>
    public HttpClient Raw { get; }

    public string HostUri => "unix://" + SocketPath;

    public ApiClient Client() => new(DaemonAddress.Parse(HostUri));

    public static async Task<DaemonFixture> StartAsync()
    {
        // Short path: sockaddr_un holds 108 bytes.
        var directory = Path.Combine(Path.GetTempPath(), "nst-api-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["host"] = "unix://" + Path.Combine(directory, "netstack.sock"),
            ["root"] = Path.Combine(directory, "root"),
            ["exec-root"] = Path.Combine(directory, "exec"),
            ["log-level"] = "warn",
        }).Build();
        var controller = new FakeNetworkController();
        var app = DaemonHost.Build(configuration, services => services.AddSingleton<INetworkController>(controller));
        await DaemonHost.StartAsync(app);
        return new DaemonFixture(app, directory, controller);
    }

    public async ValueTask DisposeAsync()
    {
        Raw.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
