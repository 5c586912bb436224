using System.Text;
using System.Text.Json;
using CsCheck;
using Netstack.Daemon.Plugin;
using Xunit;

namespace Netstack.Api.Tests.Plugin;

/// <summary>
/// Bad plugin calls: each is answered <c>{"Err": ...}</c> with a 4xx status naming the field, and
/// changes nothing (no driver call, no store write). Random bodies never crash the endpoint.
/// </summary>
public sealed class PluginValidationTests : IAsyncLifetime
{
    private const string Net = PluginProtocolTests.NetworkId;
    private const string Ep = PluginProtocolTests.EndpointId;
    private const string Other = PluginProtocolTests.OtherId;

    private PluginFixture _plugin = null!;

    public async Task InitializeAsync()
    {
        _plugin = await PluginFixture.StartAsync();
        // One network and one endpoint exist, so "unknown" below means unknown, not "nothing at all".
        await _plugin.CallAsync("NetworkDriver.CreateNetwork", PluginProtocolTests.CreateNetworkBody());
        await _plugin.CallAsync("NetworkDriver.CreateEndpoint", new { NetworkID = Net, EndpointID = Ep, Interface = new { Address = "10.60.0.2/24" } });
    }

    public async Task DisposeAsync() => await _plugin.DisposeAsync();

    public static TheoryData<string, string, string> BadCalls() => new()
    {
        // Malformed JSON and wrong types name the JSON path.
        { "NetworkDriver.CreateNetwork", "{\"NetworkID\": ", "$" },
        { "NetworkDriver.CreateNetwork", "[1, 2]", "$" },
        { "NetworkDriver.CreateNetwork", "{\"NetworkID\": 5}", "$.NetworkID" },
        { "NetworkDriver.CreateNetwork", "{\"NetworkID\": \"" + Other + "\", \"IPv4Data\": {\"Pool\": \"10.1.0.0/24\"}}", "$.IPv4Data" },
        { "NetworkDriver.CreateNetwork", "{\"NetworkID\": \"" + Other + "\", \"Options\": [1]}", "$.Options" },
        { "NetworkDriver.Join", "{\"NetworkID\": \"" + Net + "\", \"EndpointID\": true}", "$.EndpointID" },
        { "IpamDriver.RequestPool", "{\"AddressSpace\": \"NetstackPluginLocal\", \"V6\": \"yes\"}", "$.V6" },
        // Missing and malformed ids.
        { "NetworkDriver.CreateNetwork", "{}", "NetworkID" },
        { "NetworkDriver.CreateNetwork", "", "NetworkID" },
        { "NetworkDriver.CreateNetwork", "null", "NetworkID" },
        { "NetworkDriver.CreateNetwork", "{\"NetworkID\": \"../../etc\"}", "NetworkID \"../../etc\"" },
        { "NetworkDriver.DeleteNetwork", "{}", "NetworkID" },
        { "NetworkDriver.CreateEndpoint", "{\"NetworkID\": \"" + Net + "\"}", "EndpointID" },
        { "NetworkDriver.DeleteEndpoint", "{\"EndpointID\": \"" + Ep + "\"}", "NetworkID" },
        { "NetworkDriver.Leave", "{\"NetworkID\": \"" + Net + "\", \"EndpointID\": \"x\"}", "EndpointID \"x\"" },
        { "NetworkDriver.EndpointOperInfo", "{\"NetworkID\": \"" + Net + "\"}", "EndpointID" },
        { "NetworkDriver.ProgramExternalConnectivity", "{}", "NetworkID" },
        { "NetworkDriver.RevokeExternalConnectivity", "{\"NetworkID\": \"" + Net + "\"}", "EndpointID" },
        // Unknown objects.
        { "NetworkDriver.CreateEndpoint", "{\"NetworkID\": \"" + Other + "\", \"EndpointID\": \"" + Other + "\"}", "network \"" + Other + "\" not found" },
        { "NetworkDriver.Join", "{\"NetworkID\": \"" + Other + "\", \"EndpointID\": \"" + Ep + "\"}", "network \"" + Other + "\" not found" },
        { "NetworkDriver.Join", "{\"NetworkID\": \"" + Net + "\", \"EndpointID\": \"" + Other + "\"}", "endpoint \"" + Other + "\" not found" },
        { "NetworkDriver.EndpointOperInfo", "{\"NetworkID\": \"" + Net + "\", \"EndpointID\": \"" + Other + "\"}", "endpoint \"" + Other + "\" not found" },
        { "NetworkDriver.ProgramExternalConnectivity", "{\"NetworkID\": \"" + Other + "\", \"EndpointID\": \"" + Ep + "\"}", "network \"" + Other + "\" not found" },
        // Bad values inside the body.
        { "NetworkDriver.CreateNetwork", "{\"NetworkID\": \"" + Other + "\", \"IPv4Data\": [{\"Pool\": \"10.1.0.0/33\"}]}", "IPv4Data[0].Pool \"10.1.0.0/33\"" },
        { "NetworkDriver.CreateNetwork", "{\"NetworkID\": \"" + Other + "\", \"IPv4Data\": [{\"Pool\": \"fd00::/64\"}]}", "IPv4Data[0].Pool \"fd00::/64\"" },
        { "NetworkDriver.CreateNetwork", "{\"NetworkID\": \"" + Other + "\", \"IPv4Data\": [{\"Pool\": \"10.1.0.0/24\", \"Gateway\": \"10.2.0.1/24\"}]}", "IPv4Data[0].Gateway \"10.2.0.1/24\"" },
        { "NetworkDriver.CreateNetwork", "{\"NetworkID\": \"" + Other + "\", \"IPv4Data\": [{\"Pool\": \"10.1.0.0/24\", \"AuxAddresses\": {\"r\": \"nope\"}}]}", "IPv4Data[0].AuxAddresses.r \"nope\"" },
        { "NetworkDriver.CreateNetwork", "{\"NetworkID\": \"" + Other + "\", \"IPv4Data\": [null]}", "IPv4Data[0]" },
        { "NetworkDriver.CreateNetwork", "{\"NetworkID\": \"" + Other + "\", \"Options\": {\"com.docker.network.generic\": {\"mtu\": {\"a\": 1}}}}", "Options.com.docker.network.generic.mtu" },
        { "NetworkDriver.CreateNetwork", "{\"NetworkID\": \"" + Other + "\", \"Options\": {\"com.docker.network.generic\": \"x\"}}", "Options.com.docker.network.generic \"x\"" },
        { "NetworkDriver.CreateNetwork", "{\"NetworkID\": \"" + Other + "\", \"Options\": {\"com.docker.network.enable_ipv6\": 3}}", "Options.com.docker.network.enable_ipv6 \"3\"" },
        { "NetworkDriver.CreateEndpoint", "{\"NetworkID\": \"" + Net + "\", \"EndpointID\": \"" + Other + "\", \"Interface\": {\"Address\": \"10.60.0.300/24\"}}", "Interface.Address \"10.60.0.300/24\"" },
        { "NetworkDriver.CreateEndpoint", "{\"NetworkID\": \"" + Net + "\", \"EndpointID\": \"" + Other + "\", \"Interface\": {\"Address\": \"fd00::2/64\"}}", "Interface.Address \"fd00::2/64\"" },
        { "NetworkDriver.CreateEndpoint", "{\"NetworkID\": \"" + Net + "\", \"EndpointID\": \"" + Other + "\", \"Interface\": {\"MacAddress\": \"zz:42\"}}", "Interface.MacAddress \"zz:42\"" },
        { "NetworkDriver.ProgramExternalConnectivity", "{\"NetworkID\": \"" + Net + "\", \"EndpointID\": \"" + Ep + "\", \"Options\": {\"com.docker.network.portmap\": [{\"Proto\": 1, \"Port\": 80}]}}", "Options.com.docker.network.portmap[0].Proto \"1\"" },
        { "NetworkDriver.ProgramExternalConnectivity", "{\"NetworkID\": \"" + Net + "\", \"EndpointID\": \"" + Ep + "\", \"Options\": {\"com.docker.network.portmap\": [{\"Proto\": 6, \"Port\": 0}]}}", "Options.com.docker.network.portmap[0].Port \"0\"" },
        { "NetworkDriver.ProgramExternalConnectivity", "{\"NetworkID\": \"" + Net + "\", \"EndpointID\": \"" + Ep + "\", \"Options\": {\"com.docker.network.portmap\": [{\"Proto\": 6, \"Port\": 80, \"HostPort\": 8000, \"HostPortEnd\": 8010}]}}", "Options.com.docker.network.portmap[0].HostPortEnd \"8010\"" },
        { "NetworkDriver.ProgramExternalConnectivity", "{\"NetworkID\": \"" + Net + "\", \"EndpointID\": \"" + Ep + "\", \"Options\": {\"com.docker.network.portmap\": {\"Proto\": 6}}}", "Options.com.docker.network.portmap" },
        // IPAM.
        { "IpamDriver.RequestPool", "{\"AddressSpace\": \"LocalDefault\", \"Pool\": \"10.9.0.0/24\"}", "AddressSpace \"LocalDefault\"" },
        { "IpamDriver.RequestPool", "{\"AddressSpace\": \"NetstackPluginLocal\", \"Pool\": \"banana\"}", "Pool \"banana\"" },
        { "IpamDriver.RequestPool", "{\"AddressSpace\": \"NetstackPluginLocal\", \"Pool\": \"10.9.0.0/24\", \"V6\": true}", "Pool \"10.9.0.0/24\"" },
        { "IpamDriver.RequestPool", "{\"AddressSpace\": \"NetstackPluginLocal\", \"Pool\": \"10.9.0.0/24\", \"SubPool\": \"10.8.0.0/25\"}", "ip-range \"10.8.0.0/25\"" },
        { "IpamDriver.ReleasePool", "{}", "PoolID" },
        // The controller's pools are out of reach.
        { "IpamDriver.ReleasePool", "{\"PoolID\": \"LocalDefault/10.20.0.0/24\"}", "PoolID \"LocalDefault/10.20.0.0/24\"" },
        { "IpamDriver.RequestAddress", "{\"PoolID\": \"LocalDefault/10.20.0.0/24\"}", "PoolID \"LocalDefault/10.20.0.0/24\"" },
        { "IpamDriver.RequestAddress", "{\"PoolID\": \"NetstackPluginLocal/garbage\"}", "pool id \"NetstackPluginLocal/garbage\"" },
        { "IpamDriver.ReleaseAddress", "{\"PoolID\": \"NetstackPluginLocal/10.9.0.0/24\", \"Address\": \"ten\"}", "Address \"ten\"" },
        { "IpamDriver.ReleaseAddress", "{\"PoolID\": \"NetstackPluginLocal/10.9.0.0/24\"}", "Address" },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public async Task BadCall_IsErrNamingTheField_AndChangesNothing(string call, string body, string named)
    {
        var revision = _plugin.Store.Revision;
        var driverCalls = _plugin.Driver.Calls.Count;

        var (status, contentType, answer) = await _plugin.CallAsync(call, body);

        Assert.InRange(status, 400, 499);
        Assert.Equal("application/vnd.docker.plugins.v1.2+json", contentType);
        Assert.Contains(named, answer.GetProperty("Err").GetString(), StringComparison.Ordinal);
        Assert.Equal(revision, _plugin.Store.Revision);
        Assert.Equal(driverCalls, _plugin.Driver.Calls.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BodyOverOneMebibyte_IsErr413_AndChangesNothing(bool chunked)
    {
        var revision = _plugin.Store.Revision;

        // Raw HTTP, 10 MiB declared (or streamed in chunks with no length): the answer must come
        // from the limit, not from the end of an upload.
        var answer = await RawPostAsync("/NetworkDriver.CreateNetwork", chunked, 10 << 20);

        Assert.StartsWith("HTTP/1.1 413", answer, StringComparison.Ordinal);
        Assert.Contains("application/vnd.docker.plugins.v1.2+json", answer, StringComparison.Ordinal);
        Assert.Contains("{\"Err\":\"request body too large: the limit is 1048576 bytes\"}", answer, StringComparison.Ordinal);
        Assert.Equal(revision, _plugin.Store.Revision);
        Assert.Single(_plugin.Driver.Networks);
    }

    private async Task<string> RawPostAsync(string path, bool chunked, int size)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(_plugin.PluginSocket));
        var framing = chunked ? "Transfer-Encoding: chunked" : $"Content-Length: {size}";
        await socket.SendAsync(Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: plugin\r\nContent-Type: application/vnd.docker.plugins.v1.2+json\r\n{framing}\r\n\r\n"));
        var start = "{\"NetworkID\": \"" + new string('a', 64 << 10);
        if (chunked)
        {
            // Chunks of 64 KiB until the server answers (after 1 MiB) or closes; write errors end the upload.
            var chunk = Encoding.ASCII.GetBytes($"{start.Length:x}\r\n{start}\r\n");
            _ = Task.Run(async () =>
            {
                try
                {
                    for (var sent = 0; sent < size; sent += start.Length)
                    {
                        await socket.SendAsync(chunk);
                    }
                }
                catch (System.Net.Sockets.SocketException)
                {
                }
                catch (ObjectDisposedException)
                {
                }
            });
        }
        else
        {
            try
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes(start));
            }
            catch (System.Net.Sockets.SocketException)
            {
                // The server may answer from the declared length and close before any of the body
                // arrives (EPIPE here): that is the behaviour under test, and its answer is read below.
            }
        }
        var buffer = new byte[4096];
        var answer = new StringBuilder();
        int n;
        while ((n = await socket.ReceiveAsync(buffer)) > 0)
        {
            answer.Append(Encoding.UTF8.GetString(buffer, 0, n));
            if (answer.ToString().Contains("\"}", StringComparison.Ordinal))
            {
                break;
            }
        }
        return answer.ToString();
    }

    [Fact]
    public async Task GetRequest_Is405WithErr()
    {
        using var response = await _plugin.Http.GetAsync("/Plugin.Activate");

        Assert.Equal(405, (int)response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("POST", doc.RootElement.GetProperty("Err").GetString(), StringComparison.Ordinal);
    }

    private static readonly string[] FieldNames =
    [
        "NetworkID", "EndpointID", "Options", "IPv4Data", "IPv6Data", "Interface", "Address", "AddressIPv6", "MacAddress",
        "Pool", "Gateway", "AuxAddresses", "AddressSpace", "PoolID", "SubPool", "V6", "SandboxKey", "DiscoveryType", "DiscoveryData",
        "com.docker.network.generic", "netstack.driver", "com.docker.network.portmap", "com.docker.network.enable_ipv6",
        "Proto", "Port", "HostIP", "HostPort", "HostPortEnd", "RequestAddressType",
    ];

    private static readonly string[] Strings =
    [
        Net, Ep, Other, "", "bridge", "macvlan", "weave", "10.60.0.0/24", "10.60.0.1/24", "10.60.0.2", "10.61.0.0/16", "fd00::/64",
        "fd00::1/64", "0.0.0.0/0", "::/0", "02:42:0a:3c:00:02", "NetstackPluginLocal", "NetstackPluginGlobal", "LocalDefault",
        "NetstackPluginLocal/10.60.0.0/24", "NetstackPluginLocal/10.61.0.0/16", "com.docker.network.gateway", "\u0000", "../x",
    ];

    private static readonly Gen<string> Scalar = Gen.Frequency(
        (4, Gen.OneOf(Strings).Select(s => JsonSerializer.Serialize(s))),
        (2, Gen.String.Select(s => JsonSerializer.Serialize(s))),
        (2, Gen.Int[-2, 70000].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.OneOf("null", "true", "false", "1e400", "-0", "{}", "[]")));

    private static Gen<string> Value(int depth) => depth == 0
        ? Scalar
        : Gen.Frequency(
            (3, Scalar),
            (2, Object(depth - 1)),
            (1, Value(depth - 1).Array[0, 3].Select(items => "[" + string.Join(",", items) + "]")));

    private static Gen<string> Object(int depth) =>
        Gen.Select(Gen.OneOf(FieldNames), Value(depth), (name, value) => JsonSerializer.Serialize(name) + ":" + value)
            .Array[0, 6].Select(members => "{" + string.Join(",", members) + "}");

    /// <summary>A JSON object of protocol fields, sometimes cut short or with a stray byte.</summary>
    private static readonly Gen<string> Body = Gen.Select(Object(3), Gen.Int[0, 100], Gen.Char, (json, cut, c) => cut switch
    {
        < 80 => json,
        < 90 => json[..(json.Length * (cut - 80) / 10)],
        _ => json.Insert(json.Length / 2, c.ToString()),
    });

    [Fact]
    public async Task RandomBodies_OnEveryCall_AreAnsweredWithoutAFault()
    {
        var calls = PluginEndpoint.Paths.Select(p => p.TrimStart('/')).Order(StringComparer.Ordinal).ToArray();

        await Gen.Select(Gen.OneOf(calls), Body).SampleAsync(async (call, body) =>
        {
            var (status, _, answer) = await _plugin.CallAsync(call, body);
            Assert.True(status is 200 or (>= 400 and < 500), $"{call} {body} -> {status} {answer}");
            Assert.Equal(JsonValueKind.Object, answer.ValueKind);
            if (status != 200)
            {
                Assert.False(string.IsNullOrEmpty(answer.GetProperty("Err").GetString()));
            }
        }, iter: int.TryParse(Environment.GetEnvironmentVariable("NETSTACK_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 10_000, threads: 1);

        // Still serving, and still consistent: every stored endpoint's network is stored too.
        Assert.Equal(200, (await _plugin.CallAsync("Plugin.Activate", "")).Status);
        var networks = (await _plugin.Store.ListAsync("plugin/networks/")).Select(e => e.Key["plugin/networks/".Length..]).ToHashSet();
        Assert.All(await _plugin.Store.ListAsync("plugin/endpoints/"), e => Assert.Contains(e.Key.Split('/')[2], networks));
    }
}
