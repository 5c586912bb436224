using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Netstack.Drivers.Remote.Tests.Fakes;

/// <summary>
/// A Docker plugin on a unix socket, served by Kestrel: records every call (method, body, Accept
/// header) and answers from a table of handlers, so a test can make it answer well, refuse,
/// hang, answer garbage or drop the connection. By default it implements NetworkDriver and
/// IpamDriver and answers every other method with <c>{}</c>.
/// </summary>
public sealed class FakePlugin : IAsyncDisposable
{
    public const string MediaType = "application/vnd.docker.plugins.v1.2+json";

    private readonly ConcurrentDictionary<string, Func<HttpContext, JsonElement, Task>> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<PluginCall> _calls = new();
    private readonly WebApplication _app;

    private FakePlugin(string? socketPath, WebApplication app)
    {
        SocketPath = socketPath;
        _app = app;
        Reply("Plugin.Activate", new { Implements = new[] { "NetworkDriver", "IpamDriver" } });
        Reply("NetworkDriver.GetCapabilities", new { Scope = "local" });
        Reply("IpamDriver.GetDefaultAddressSpaces", new { LocalDefaultAddressSpace = "fake-local", GlobalDefaultAddressSpace = "fake-global" });
    }

    /// <summary>The unix socket, or null for a plugin on TCP.</summary>
    public string? SocketPath { get; }

    /// <summary>Where it listens: <c>unix:///path</c> or <c>tcp://127.0.0.1:PORT</c>.</summary>
    public Uri Address => SocketPath is { } path
        ? new Uri("unix://" + path)
        : new Uri("tcp://" + new Uri(_app.Urls.First()).Authority);

    public IReadOnlyList<PluginCall> Calls => _calls.ToArray();

    /// <summary>Starts a plugin listening on <paramref name="socketPath"/> (its directory is created).</summary>
    public static Task<FakePlugin> StartAsync(string socketPath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(socketPath)!);
        return StartAsync(socketPath, k => k.ListenUnixSocket(socketPath));
    }

    /// <summary>Starts a plugin on TCP on the loopback address, on a port the kernel picks (nothing leaves the machine).</summary>
    public static Task<FakePlugin> StartTcpAsync() =>
        StartAsync(null, k => k.Listen(System.Net.IPAddress.Loopback, 0));

    private static async Task<FakePlugin> StartAsync(string? socketPath, Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions> listen)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(listen);
        var app = builder.Build();
        FakePlugin? plugin = null;
        app.MapPost("/{method}", async (HttpContext context, string method) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(context.RequestAborted);
            using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
            var body = document.RootElement.Clone();
            plugin!._calls.Enqueue(new PluginCall(method, body, context.Request.Headers.Accept.ToString(), context.Request.ContentType));
            if (plugin._handlers.TryGetValue(method, out var handler))
            {
                await handler(context, body);
            }
            else
            {
                await Write(context, 200, MediaType, "{}");
            }
        });
        plugin = new FakePlugin(socketPath, app);
        await app.StartAsync();
        return plugin;
    }

    /// <summary>Answers <paramref name="method"/> with <paramref name="answer"/> as JSON, status 200, Docker's media type.</summary>
    public void Reply(string method, object answer) =>
        _handlers[method] = (c, _) => Write(c, 200, MediaType, JsonSerializer.Serialize(answer));

    /// <summary>Answers with whatever the test wants: status, content type, body.</summary>
    public void ReplyRaw(string method, int status, string? contentType, string body) =>
        _handlers[method] = (c, _) => Write(c, status, contentType, body);

    /// <summary>Answers from the request body.</summary>
    public void Handle(string method, Func<JsonElement, object> answer) =>
        _handlers[method] = (c, body) => Write(c, 200, MediaType, JsonSerializer.Serialize(answer(body)));

    /// <summary>Reads the request and never answers (until the client gives up and the connection goes).</summary>
    public void Hang(string method) =>
        _handlers[method] = (c, _) => Task.Delay(Timeout.Infinite, c.RequestAborted);

    /// <summary>
    /// Reads the request, runs <paramref name="before"/> (what the plugin got done), then drops the
    /// connection without a byte of answer (the plugin died mid-call).
    /// </summary>
    public void Die(string method, Action<JsonElement>? before = null) =>
        _handlers[method] = (c, body) =>
        {
            before?.Invoke(body);
            c.Abort();
            return Task.CompletedTask;
        };

    public IReadOnlyList<PluginCall> CallsOf(string method) => Calls.Where(c => c.Method == method).ToArray();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (SocketPath is not null)
        {
            File.Delete(SocketPath);
        }
    }

    private static async Task Write(HttpContext context, int status, string? contentType, string body)
    {
        context.Response.StatusCode = status;
        if (contentType is not null)
        {
            context.Response.ContentType = contentType;
        }
        await context.Response.WriteAsync(body, context.RequestAborted);
    }
}

/// <summary>One call the fake plugin received.</summary>
public sealed record PluginCall(string Method, JsonElement Body, string Accept, string? ContentType);
