using System.Globalization;
using System.Net;
using System.Text;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Core.Ipam;
using Netstack.Drivers.Remote.Tests.Fakes;
using Xunit;

namespace Netstack.Drivers.Remote.Tests.Drivers;

/// <summary>
/// Random answers (seeded, so a failure repeats): whatever a plugin sends back, every call ends in a
/// Netstack error or a result, never in a JSON, null-reference or format exception escaping the driver.
/// </summary>
public sealed class HostileAnswerTests
{
    private const int Rounds = 150;

    private static readonly string[] Keys =
    [
        "Err", "Interface", "Address", "AddressIPv6", "MacAddress", "InterfaceName", "SrcName", "DstPrefix", "Gateway",
        "GatewayIPv6", "StaticRoutes", "Destination", "RouteType", "NextHop", "DisableGatewayService", "PoolID", "Pool", "Data",
    ];

    [Theory]
    [InlineData("NetworkDriver.Join", 1)]
    [InlineData("NetworkDriver.CreateEndpoint", 2)]
    [InlineData("IpamDriver.RequestPool", 3)]
    [InlineData("IpamDriver.RequestAddress", 4)]
    public async Task RandomAnswers_OnlyNetstackErrorsOrResults(string method, int seed)
    {
        await using var lab = await RemoteLab.StartAsync();
        var random = new Random(seed);
        for (var round = 0; round < Rounds; round++)
        {
            var (status, contentType, body) = Answer(random);
            lab.Plugin.ReplyRaw(method, status, contentType, body);
            try
            {
                await Call(lab, method);
            }
            catch (NetstackException)
            {
                // A clear error is the expected outcome of a garbage answer.
            }
            catch (Exception e)
            {
                Assert.Fail($"round {round}: HTTP {status} {contentType} {body[..Math.Min(body.Length, 300)]} -> {e.GetType().Name}: {e.Message}");
            }
        }
    }

    private static Task Call(RemoteLab lab, string method) => method switch
    {
        "NetworkDriver.Join" => lab.Driver.JoinAsync(RemoteNetworkDriverTests.Join(), CancellationToken.None),
        "NetworkDriver.CreateEndpoint" => lab.Driver.CreateEndpointAsync(new DriverEndpoint
        {
            NetworkId = "n",
            EndpointId = "e",
            IPv4Address = CidrAddress.Parse("10.60.0.2/24"),
        }, CancellationToken.None),
        "IpamDriver.RequestPool" => lab.Ipam.RequestPoolAsync(new PoolRequest { Subnet = IPNetwork.Parse("10.70.0.0/24") }, CancellationToken.None),
        _ => lab.Ipam.RequestAddressAsync("pool-1", IPAddress.Parse("10.70.0.5"), new Dictionary<string, string>(), CancellationToken.None),
    };

    private static (int Status, string? ContentType, string Body) Answer(Random random)
    {
        var status = random.Next(10) switch
        {
            0 => 500,
            1 => 404,
            2 => 400 + random.Next(100),
            _ => 200,
        };
        string? contentType = random.Next(8) switch
        {
            0 => null,
            1 => "text/html",
            2 => "application/json",
            _ => FakePlugin.MediaType,
        };
        var body = random.Next(6) switch
        {
            0 => Encoding.Latin1.GetString(Enumerable.Range(0, random.Next(64)).Select(_ => (byte)random.Next(256)).ToArray()),
            _ => Value(random, 0, objectBias: true),
        };
        return (status, contentType, body);
    }

    private static string Value(Random random, int depth, bool objectBias = false)
    {
        var kind = objectBias ? 0 : random.Next(depth > 3 ? 5 : 7);
        switch (kind)
        {
            case 0:
                var members = Enumerable.Range(0, random.Next(5)).Select(_ =>
                    $"\"{Keys[random.Next(Keys.Length)]}\": {Value(random, depth + 1)}");
                return "{" + string.Join(", ", members) + "}";
            case 1:
                return "\"" + Text(random) + "\"";
            case 2:
                return (random.NextDouble() * 1e6 - 5e5).ToString(CultureInfo.InvariantCulture);
            case 3:
                return random.Next(2) == 0 ? "true" : "null";
            case 4:
                return random.Next(3).ToString(CultureInfo.InvariantCulture);
            case 5:
                return "[" + string.Join(", ", Enumerable.Range(0, random.Next(4)).Select(_ => Value(random, depth + 1))) + "]";
            default:
                return Value(random, depth + 1, objectBias: true);
        }
    }

    private static string Text(Random random) => random.Next(8) switch
    {
        0 => "10.60.0.9/24",
        1 => "10.70.0.0/24",
        2 => "02:42:0a:3c:00:02",
        3 => "veth0",
        4 => "fd00::1",
        5 => new string('x', random.Next(40)),
        6 => "10.70.0.5/24",
        _ => "pool-1",
    };
}
