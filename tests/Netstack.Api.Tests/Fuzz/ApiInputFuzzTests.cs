using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using Netstack.Api.Tests.Daemon;
using Xunit;
using Xunit.Abstractions;

namespace Netstack.Api.Tests.Fuzz;

/// <summary>
/// Engine API bodies and query strings from a fixed seed, sent to a real netstackd host (Kestrel,
/// middleware, routes, JSON binding; the fake controller behind it) over its unix socket: JSON
/// built from the contracts' field names with values of every type, truncated and corrupted JSON,
/// random bytes, deep nesting, huge strings, and random query strings. No input may be answered
/// with a 5xx or a body that is not JSON, and the daemon answers normally afterwards.
/// <c>NETSTACK_FUZZ_ITERATIONS</c> raises the count for the long run (scenarios/fuzz/run.sh).
/// </summary>
public sealed class ApiInputFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] PostRoutes =
    [
        "/networks/create", "/networks/n1/connect", "/networks/n1/disconnect", "/networks/prune",
        "/containers/create", "/containers/c1/exec", "/sandboxes/create", "/containers/c1/stop",
        "/containers/c1/kill", "/v1.41/networks/create", "/v1.24/containers/create",
    ];

    private static readonly string[] GetRoutes =
    [
        "/networks", "/networks/n1", "/containers/json", "/containers/c1/json", "/containers/c1/logs",
        "/images/json", "/sandboxes", "/info", "/v1.41/networks",
    ];

    private static readonly string[] FieldNames =
    [
        "Name", "Driver", "Scope", "Internal", "Attachable", "EnableIPv6", "Options", "Labels", "IPAM", "Config",
        "Subnet", "IPRange", "Gateway", "AuxiliaryAddresses", "Container", "EndpointConfig", "IPAMConfig",
        "IPv4Address", "IPv6Address", "Aliases", "Force", "Image", "Cmd", "Entrypoint", "Env", "HostConfig",
        "PortBindings", "NetworkMode", "ExposedPorts", "Hostname", "NetworkingConfig", "EndpointsConfig",
        "HostPort", "HostIp", "Privileged", "AttachStdout", "Tty", "CheckDuplicate", "MacAddress", "Links",
    ];

    private static readonly string[] QueryKeys = ["filters", "all", "limit", "tail", "since", "force", "v", "stdout", "t", "signal", "name"];

    private DaemonFixture _daemon = null!;

    public async Task InitializeAsync()
    {
        _daemon = await DaemonFixture.StartAsync();
        // A network the connect and inspect routes find, so their bodies and queries are read further.
        using var created = await _daemon.Raw.PostAsync("/networks/create", new StringContent("{\"Name\":\"n1\"}", Encoding.UTF8, "application/json"));
        created.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _daemon.DisposeAsync();

    private static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("NETSTACK_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 10_000;

    [Fact]
    public async Task Bodies_NeverA5xx_AlwaysAJsonAnswer()
    {
        var random = new Random(20261203);
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var body = Body(random);
            var route = PostRoutes[random.Next(PostRoutes.Length)];
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(random.Next(10) == 0 ? "text/plain" : "application/json");
            using var response = await _daemon.Raw.PostAsync(route, content);
            await CheckAsync(response, route, body);
            statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
        }
        output.WriteLine($"{Iterations} bodies: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}")));
        Assert.Contains(statuses.Keys, s => s is >= 400 and < 500);
        await StillAnswersAsync();
    }

    [Fact]
    public async Task QueryStrings_NeverA5xx_AlwaysAJsonAnswer()
    {
        var random = new Random(20261204);
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var query = string.Join('&', Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
                QueryKeys[random.Next(QueryKeys.Length)] + "=" + Uri.EscapeDataString(QueryValue(random))));
            var route = GetRoutes[random.Next(GetRoutes.Length)] + "?" + query;
            using var response = await _daemon.Raw.GetAsync(route);
            await CheckAsync(response, route, []);
            statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
        }
        output.WriteLine($"{Iterations} queries: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key} x{s.Value}")));
        Assert.Contains(statuses.Keys, s => s is >= 400 and < 500);
        await StillAnswersAsync();
    }

    private static async Task CheckAsync(HttpResponseMessage response, string route, byte[] body)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status < 500, $"{route} answered {status} to {Describe(body)}: {text}");
        if (status >= 400 && text.Length > 0)
        {
            using var doc = JsonDocument.Parse(text);
            Assert.True(doc.RootElement.TryGetProperty("message", out var message) && message.GetString() is { Length: > 0 },
                $"{route} answered {status} without a message to {Describe(body)}: {text}");
        }
    }

    private async Task StillAnswersAsync()
    {
        using var ping = await _daemon.Raw.GetAsync("/_ping");
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        using var create = await _daemon.Raw.PostAsync("/networks/create", new StringContent("{\"Name\":\"after-fuzz\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
    }

    private static string Describe(byte[] body) =>
        body.Length == 0 ? "no body" : Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300)) + (body.Length > 300 ? $"... ({body.Length} bytes)" : "");

    private static byte[] Body(Random random)
    {
        switch (random.Next(8))
        {
            case 0:
                var bytes = new byte[random.Next(0, 300)];
                random.NextBytes(bytes);
                return bytes;
            case 1:
                var json = JsonObject(random, 3);
                return Encoding.UTF8.GetBytes(json[..random.Next(json.Length + 1)]);
            case 2:
                var whole = Encoding.UTF8.GetBytes(JsonObject(random, 3));
                for (var flips = random.Next(1, 4); flips > 0 && whole.Length > 0; flips--)
                {
                    whole[random.Next(whole.Length)] = (byte)random.Next(256);
                }
                return whole;
            case 3:
                var depth = random.Next(50, 3000);
                return Encoding.UTF8.GetBytes("{\"Options\":" + new string('[', depth) + new string(']', depth) + "}");
            case 4:
                return Encoding.UTF8.GetBytes("{\"Name\":\"" + new string((char)('a' + random.Next(26)), random.Next(1000, 200_000)) + "\"}");
            default:
                return Encoding.UTF8.GetBytes(JsonObject(random, 3));
        }
    }

    private static string JsonObject(Random random, int depth)
    {
        var fields = Enumerable.Range(0, random.Next(0, 6))
            .Select(_ => JsonSerializer.Serialize(FieldNames[random.Next(FieldNames.Length)]) + ":" + JsonValue(random, depth - 1));
        return "{" + string.Join(",", fields) + "}";
    }

    private static string JsonValue(Random random, int depth) => random.Next(depth > 0 ? 9 : 6) switch
    {
        0 => JsonSerializer.Serialize(Scalar(random)),
        1 => random.Next(-70000, 70000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        2 => new[] { "true", "false", "null", "1e400", "-0", "1.5", "\"\"" }[random.Next(7)],
        3 => JsonSerializer.Serialize(new string((char)random.Next(1, 0xd7ff), random.Next(0, 40))),
        4 => JsonSerializer.Serialize(Scalar(random) + "/" + random.Next(-5, 140)),
        5 => "\"" + new[] { "10.0.0.0/8", "10.1.0.0/33", "fe80::/10", "300.1.1.1", "::ffff:1.2.3.4", "bridge", "overlay", "host", "none", "container:x" }[random.Next(10)] + "\"",
        6 => JsonObject(random, depth),
        7 => "[" + string.Join(",", Enumerable.Range(0, random.Next(0, 4)).Select(_ => JsonValue(random, depth - 1))) + "]",
        _ => "{" + string.Join(",", Enumerable.Range(0, random.Next(0, 3)).Select(i => JsonSerializer.Serialize(Scalar(random)) + ":" + JsonValue(random, depth - 1))) + "}",
    };

    private static string Scalar(Random random) => random.Next(6) switch
    {
        0 => "",
        1 => "n1",
        2 => "10.5." + random.Next(0, 300) + "." + random.Next(0, 300),
        3 => "-" + random.Next(),
        4 => "a\u0000b",
        _ => Convert.ToHexString(BitConverter.GetBytes(random.Next())),
    };

    private static string QueryValue(Random random) => random.Next(7) switch
    {
        0 => "",
        1 => "{\"name\":[\"" + Scalar(random) + "\"]}",
        2 => "{\"label\":{\"" + Scalar(random) + "\":true},\"driver\":" + JsonValue(random, 1) + "}",
        3 => JsonValue(random, 2),
        4 => random.Next(-10, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
        5 => new[] { "true", "false", "1", "0", "yes", "all", "-1", "SIGKILL", "99999999999999999999" }[random.Next(9)],
        _ => Encoding.Latin1.GetString(Enumerable.Range(0, random.Next(0, 30)).Select(_ => (byte)random.Next(1, 256)).ToArray()),
    };
}
